"""Settings of a gateway-only process: the exchange's security server, deployed beside the
platform (or one per network zone) and serving only ``/exchange/`` and ``/healthz``.

The configuration is the platform's (database, keys, cache, rate limits, logging), with the
URL configuration of the gateway alone and only the middleware its machine-to-machine calls
need: the client's address behind trusted proxies, the security headers and HTTPS redirect,
the request id with its access log, and the CSRF and framing guards (both no-ops for the
gateway's views, kept so that ``check --deploy`` holds as it does for the platform). Sessions,
log-in, second factor, languages, messages, content security policy and lock-out are the
portal's and the workbench's; a gateway call authenticates with its signed client assertion.

    DJANGO_SETTINGS_MODULE=tongban.settings_gateway gunicorn tongban.wsgi:application
"""

from tongban.settings import *  # noqa: F403 - the platform's settings, narrowed below

ROOT_URLCONF = "tongban.urls_gateway"
MIDDLEWARE = [
    "tongban.core.middleware.ForwardedForMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tongban.core.middleware.RequestContextMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
# The admin site and the log-in lock-out stay installed (their models, the platform's
# migrations) but are not served here: their middleware checks do not apply to this process.
SILENCED_SYSTEM_CHECKS = [
    *SILENCED_SYSTEM_CHECKS,  # noqa: F405
    "admin.E408",
    "admin.E409",
    "admin.E410",
    "axes.W002",
]
