from django.urls import include, path
from django.views.i18n import set_language

from tongban.api.urls import api
from tongban.core.views import healthz
from tongban.workbench.admin import workbench_site

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("workbench/", include("tongban.workbench.urls")),
    path("workbench/", workbench_site.urls),
    path("", include("tongban.portal.urls")),
]

handler404 = "tongban.portal.views.not_found"
handler500 = "tongban.portal.views.server_error"
