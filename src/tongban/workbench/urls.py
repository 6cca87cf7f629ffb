from django.urls import path

from tongban.workbench import counter_views, identity_admin, views  # noqa: F401 - registers admins

app_name = "workbench"

urlpatterns = [
    path("counter/", counter_views.counter, name="counter"),
    path("counter/register/", counter_views.counter_register, name="counter_register"),
    path("counter/persons/<int:person_id>/", counter_views.counter_person, name="counter_person"),
    path("catalog/import/", views.catalog_import, name="catalog_import"),
    path("catalog/export.<str:fmt>", views.catalog_export, name="catalog_export"),
    path("catalog/versions/<int:version_id>/publish/", views.publish, name="publish"),
]
