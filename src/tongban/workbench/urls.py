from django.urls import path

from tongban.workbench import views

app_name = "workbench"

urlpatterns = [
    path("catalog/import/", views.catalog_import, name="catalog_import"),
    path("catalog/export.<str:fmt>", views.catalog_export, name="catalog_export"),
    path("catalog/versions/<int:version_id>/publish/", views.publish, name="publish"),
]
