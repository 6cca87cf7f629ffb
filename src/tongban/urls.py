import os

from django.urls import include, path, re_path
from django.views.i18n import set_language
from oauth2_provider import views as oauth_views

from tongban.api import exchange_gateway
from tongban.api.urls import api
from tongban.core.views import healthz
from tongban.portal.oidc_views import ConsentView, LogoutView
from tongban.workbench.admin import workbench_site

# The OpenID Connect provider: discovery and keys at the site root (the issuer is the site),
# the endpoints under /oauth/. Client management is in the workbench, not here.
oidc_patterns = (
    [
        re_path(
            r"^\.well-known/openid-configuration/?$",
            oauth_views.ConnectDiscoveryInfoView.as_view(),
            name="oidc-connect-discovery-info",
        ),
        path(".well-known/jwks.json", oauth_views.JwksInfoView.as_view(), name="jwks-info"),
        path("oauth/authorize/", ConsentView.as_view(), name="authorize"),
        path("oauth/token/", oauth_views.TokenView.as_view(), name="token"),
        path("oauth/revoke_token/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
        path("oauth/userinfo/", oauth_views.UserInfoView.as_view(), name="user-info"),
        path("oauth/logout/", LogoutView.as_view(), name="rp-initiated-logout"),
    ],
    "oauth2_provider",
)

# The data-sharing exchange (X-Road-style REST protocol) and the keys of its answers; also
# served alone by a gateway-only process (tongban.settings_gateway, tongban.urls_gateway).
exchange_patterns = [
    path("exchange/r1/<str:provider>/<str:service>", exchange_gateway.gateway, name="exchange"),
    path("exchange/jwks", exchange_gateway.jwks, name="exchange-jwks"),
]
exchange_bench_patterns: list = []

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include(oidc_patterns)),
    path("api/v1/", api.urls),
    *exchange_patterns,
    path("workbench/", include("tongban.workbench.urls")),
    path("workbench/", workbench_site.urls),
    path("", include("tongban.portal.urls")),
]

# Benchmark baselines (bench/case_throughput.py, bench/exchange_throughput.py): routed only
# with TONGBAN_BENCH_ENDPOINTS=1 in the environment. Off by default; never set it in a
# deployment.
if os.environ.get("TONGBAN_BENCH_ENDPOINTS") == "1":
    from tongban.api.identity import BearerToken
    from tongban.core.bench_views import bench_insert
    from tongban.exchange.bench_views import bench_population_verify

    urlpatterns.append(path("bench/insert", bench_insert, {"auth": BearerToken()}))
    exchange_bench_patterns.append(
        path("bench/exchange/population-verify", bench_population_verify)
    )
    urlpatterns.extend(exchange_bench_patterns)

handler404 = "tongban.portal.views.not_found"
handler500 = "tongban.portal.views.server_error"
