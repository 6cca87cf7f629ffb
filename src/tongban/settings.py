"""Tongban settings: one module, configured by the environment.

Development defaults are safe to run on a laptop (SQLite in ``var/``, console e-mail, DEBUG
on). Set ``TONGBAN_ENV=production`` for production: DEBUG off, a real ``SECRET_KEY`` required,
HTTPS-only cookies and HSTS — ``manage.py check --deploy`` passes with it.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


ENVIRONMENT = os.environ.get("TONGBAN_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise RuntimeError("SECRET_KEY must be set in production")
# The audit checkpoint key; separate from SECRET_KEY so that rotating sessions does not
# invalidate the audit chain.
AUDIT_KEY = os.environ.get("AUDIT_KEY", SECRET_KEY)


def _derived_key(purpose: str) -> str:
    import base64
    import hashlib

    digest = hashlib.sha256(f"tongban:{purpose}:{SECRET_KEY}".encode()).digest()
    return base64.b64encode(digest).decode()


# Personal data at rest (tongban.core.crypto): "id:base64key,…", the first key encrypts.
PII_KEYS = env_list("PII_KEYS", f"dev:{_derived_key('pii')}")
PII_INDEX_KEY = os.environ.get("PII_INDEX_KEY", _derived_key("pii-index"))
PII_KEYS_FROM_ENVIRONMENT = "PII_KEYS" in os.environ and "PII_INDEX_KEY" in os.environ

# The platform's public address, for links that leave the site: the verification URL in a
# certificate's QR code, the status list URI inside credentials (no trailing slash).
TONGBAN_PUBLIC_URL = os.environ.get("TONGBAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "oauth2_provider",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "tongban.core",
    "tongban.organizations",
    "tongban.registries",
    "tongban.identity",
    "tongban.catalog",
    "tongban.workflow",
    "tongban.certificates",
    "tongban.cases",
    "tongban.exchange",
    "tongban.notifications",
    "tongban.portal",
    "tongban.workbench",
    "tongban.api",
    "tongban.demo",
]

MIDDLEWARE = [
    "tongban.core.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tongban.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tongban.portal.middleware.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tongban.core.middleware.CSPMiddleware",
    "tongban.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"
ASGI_APPLICATION = "tongban.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongban.portal.context_processors.acting_for",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        # A persistent connection is checked before a request reuses it: after the database
        # restarts, each worker reconnects instead of failing its next request on a dead one.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a connection used in the last half second checked by its socket
    # instead of a SELECT 1 (``core/postgresql/base.py``): a busy worker saves a round trip.
    DATABASES["default"]["ENGINE"] = "tongban.core.postgresql"
    DATABASES["default"]["HEALTH_CHECK_IDLE_SECONDS"] = float(
        os.environ.get("DB_HEALTH_CHECK_IDLE_SECONDS", "0.5")
    )
# The append-only logs' writes (``core/append.py``) are prepared statements on PostgreSQL;
# turn off behind a transaction-mode pooler that does not carry them (PgBouncer < 1.21).
DB_PREPARE_LOG_WRITES = env_bool("DB_PREPARE_LOG_WRITES", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and a busy timeout let concurrent requests wait for the writer instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not Django's shared-cache memory database, so that tests with several threads
    # see the same locking (a busy writer makes the others wait) as a real deployment.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_tongban.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Messages stay on the server (a client secret shown once must not travel in a cookie).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:account"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out identifiers before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "tongban.identity.backends.IdentifierBackend",
]
# Lockout: five wrong passwords for one identifier lock it for 15 minutes. The identifier is
# kept as a keyed digest, never in clear text.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by address would lock out a whole service hall behind one NAT; addresses are
# throttled instead (LOGIN_RATE, django-ratelimit).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "tongban.identity.lockout.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tongban.identity.lockout.locked_out_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# Proxies in front whose X-Forwarded-For is trusted (ForwardedForMiddleware); 0 = none.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Throttling: log-in and code requests per client address (django-ratelimit, on the cache).
LOGIN_RATE = os.environ.get("LOGIN_RATE", "30/m")
CODE_RATE = os.environ.get("CODE_RATE", "10/h")
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# The audience ("aud") a client assertion must name to call the exchange gateway.
EXCHANGE_AUDIENCE = os.environ.get("EXCHANGE_AUDIENCE", "tongban-exchange")
# The platform's own functions are members of the exchange: function -> its system's code
# (registered by `manage.py exchange_platform_systems`; see docs/exchange.md).
EXCHANGE_PLATFORM_SYSTEMS = {"identity": "tongban-identity", "cases": "tongban-cases"}
# Staff authenticate with a TOTP authenticator (django-otp) before the workbench opens.
OTP_TOTP_ISSUER = "Tongban"
STAFF_TOTP_REQUIRED = env_bool("STAFF_TOTP_REQUIRED", True)

# Single sign-on: Tongban is an OpenID Connect provider (django-oauth-toolkit).
OIDC_KEY_DIR = Path(os.environ.get("OIDC_KEY_DIR", VAR_DIR / "oidc"))
from tongban.signing_keys import load_keys  # noqa: E402

_OIDC_KEY, _OIDC_INACTIVE_KEYS = load_keys(OIDC_KEY_DIR)
# Named so that identity.ClientPolicy can point at django-oauth-toolkit's (swappable) model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _OIDC_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _OIDC_INACTIVE_KEYS,
    "OIDC_ISS_ENDPOINT": os.environ.get("OIDC_ISSUER", ""),
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": True,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "tongban.identity.oidc.ClaimsValidator",
    "OIDC_SERVER_CLASS": "tongban.identity.oidc.S256OnlyServer",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ID_TOKEN_EXPIRE_SECONDS": 600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 8 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "auto",
    "SCOPES": {
        "openid": _("Sign you in (an identifier for you and your assurance level)"),
        "profile": _("Your name, sex, birth date and masked ID number"),
        "id_number": _("Your full citizen ID number"),
        "phone": _("Your mobile number"),
        "email": _("Your e-mail address"),
        "company": _("The company you are acting for"),
        "roles": _("Your staff roles"),
        "api": _("Use the Tongban API on your behalf"),
    },
    "DEFAULT_SCOPES": ["openid"],
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if not PRODUCTION else ["https"],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
# Uploads larger than this are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@tongban.example")

# Background work (Django's task interface, django-tasks): the database backend keeps tasks in
# the same database, so a task enqueued inside a transaction commits or rolls back with it;
# `manage.py db_worker` runs them. TASKS_BACKEND=immediate runs each task in the web process
# as soon as the transaction commits (simple deployments without a worker).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("TASKS_BACKEND", "").strip().lower() == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Text messages (tongban.core.messaging): a gateway adapter in production; in development the
# console, or files in SMS_FILE_PATH with tongban.core.messaging.FileSmsBackend.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "tongban.core.messaging.ConsoleSmsBackend")
SMS_FILE_PATH = Path(os.environ.get("SMS_FILE_PATH", VAR_DIR / "sms"))

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CACHE_URL"],
        }
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Security. Production is HTTPS-only behind a TLS-terminating proxy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# Catalog search: "fts5" on SQLite, "postgres" on PostgreSQL; chosen by the database vendor.
CATALOG_SEARCH_PAGE_SIZE = 20

# The legal clock: an application received at or after this hour (local time) counts as
# received on the next working day (tongban.workflow.clock).
WORKDAY_CUTOFF_HOUR = int(os.environ.get("WORKDAY_CUTOFF_HOUR", "17"))
CATALOG_IMPORT_MAX_BYTES = int(os.environ.get("CATALOG_IMPORT_MAX_BYTES", 50 * 1024 * 1024))

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "console")
# Structured logging through structlog: JSON lines in production, readable lines in development.
LOGGING_CONFIG = "tongban.core.logging.configure"
LOGGING = {"level": LOG_LEVEL, "format": LOG_FORMAT}
