from django.urls import path

from tongban.portal import account_views as accounts
from tongban.portal import case_views, certificate_views, data_views, notification_views, views

app_name = "portal"

urlpatterns = [
    path("account/", accounts.account_page, name="account"),
    path("account/login/", accounts.login_page, name="login"),
    path("account/login/code/", accounts.login_code_page, name="login_code"),
    path("account/logout/", accounts.logout_page, name="logout"),
    path("account/register/", accounts.register_page, name="register"),
    path("account/password-reset/", accounts.password_reset_page, name="password_reset"),
    path("account/second-factor/", accounts.second_factor, name="second_factor"),
    path("account/sessions/end/", accounts.sessions_end_page, name="sessions_end"),
    path("account/acting-for/", accounts.acting_for_page, name="acting_for"),
    path("account/companies/", accounts.companies_page, name="companies"),
    path("account/companies/<int:company_id>/mandates/", accounts.mandates_page, name="mandates"),
    path("account/messages/", notification_views.messages_page, name="messages"),
    path("account/data-use/", data_views.data_uses, name="data_uses"),
    path("data/resources/", data_views.resources, name="data_resources"),
    path("data/resources/<str:code>/", data_views.resource, name="data_resource"),
    path("cases/", case_views.my_cases, name="cases"),
    path("cases/<str:number>/", case_views.case_detail, name="case"),
    path("cases/<str:number>/receipt.pdf", case_views.case_receipt_pdf, name="case_receipt"),
    path("cases/<str:number>/notice.pdf", case_views.case_notice_pdf, name="case_notice"),
    path("certificates/", certificate_views.wallet, name="certificates"),
    path(
        "certificates/mine/<str:identifier>/",
        certificate_views.certificate_detail,
        name="certificate",
    ),
    path(
        "certificates/mine/<str:identifier>/face.pdf",
        certificate_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "certificates/mine/<str:identifier>/show/",
        certificate_views.certificate_show,
        name="certificate_show",
    ),
    path(
        "certificates/verify/<str:identifier>",
        certificate_views.verify_identifier,
        name="certificate_verify",
    ),
    path("certificates/show/<str:token>/", certificate_views.verify_show, name="certificate_scan"),
    path("certificates/jwks.json", certificate_views.jwks, name="certificate_jwks"),
    path(
        "certificates/status/<str:issuer_code>/<int:number>",
        certificate_views.status_list,
        name="certificate_status_list",
    ),
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("departments/", views.departments, name="departments"),
    path("departments/<int:department_id>/", views.department, name="department"),
    path("themes/<slug:code>/", views.theme, name="theme"),
    path("items/<str:code>/", views.guide, name="guide"),
    path("items/<str:code>/materials/", views.guide_materials, name="guide_materials"),
    path("items/<str:code>/apply/", case_views.apply, name="apply"),
    path("items/<str:code>/guide.pdf", views.guide_pdf, name="guide_pdf"),
    path("items/<str:code>/versions/", views.versions, name="versions"),
    path("items/<str:code>/versions/<int:number>/", views.guide_version, name="guide_version"),
    path(
        "items/<str:code>/files/<int:material_id>/<str:kind>/",
        views.material_file,
        name="material_file",
    ),
]
