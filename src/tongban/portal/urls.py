from django.urls import path

from tongban.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("departments/", views.departments, name="departments"),
    path("departments/<int:department_id>/", views.department, name="department"),
    path("themes/<slug:code>/", views.theme, name="theme"),
    path("items/<str:code>/", views.guide, name="guide"),
    path("items/<str:code>/materials/", views.guide_materials, name="guide_materials"),
    path("items/<str:code>/guide.pdf", views.guide_pdf, name="guide_pdf"),
    path("items/<str:code>/versions/", views.versions, name="versions"),
    path("items/<str:code>/versions/<int:number>/", views.guide_version, name="guide_version"),
    path(
        "items/<str:code>/files/<int:material_id>/<str:kind>/",
        views.material_file,
        name="material_file",
    ),
]
