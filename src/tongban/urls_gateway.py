"""The URLs of a gateway-only process (``tongban.settings_gateway``): the exchange and the
health check, nothing of the portal, the workbench or the API."""

from django.urls import path

from tongban.core.views import healthz
from tongban.urls import exchange_bench_patterns, exchange_patterns

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *exchange_patterns,
    *exchange_bench_patterns,
]

handler404 = "tongban.api.exchange_gateway.not_found"
handler500 = "tongban.api.exchange_gateway.server_error"
