from django.urls import path, re_path

from tongban.workbench import (  # noqa: F401 - registers admins
    calendar_admin,
    case_views,
    certificate_views,
    counter_views,
    exchange_views,
    identity_admin,
    views,
)

app_name = "workbench"
CERTIFICATE_IDENTIFIER = r"1\.2\.156\.[0-9A-Za-z.]{1,92}"

urlpatterns = [
    path("counter/", counter_views.counter, name="counter"),
    path("counter/register/", counter_views.counter_register, name="counter_register"),
    path("counter/persons/<int:person_id>/", counter_views.counter_person, name="counter_person"),
    path("cases/new/", case_views.intake_search, name="case_intake"),
    path("cases/new/<str:code>/", case_views.intake_item, name="case_intake_item"),
    path("cases/queue/", case_views.acceptance_queue, name="case_queue"),
    path("cases/tasks/", case_views.worklist, name="worklist"),
    path("cases/tasks/<int:task_id>/", case_views.task_detail, name="task"),
    path("cases/tasks/<int:task_id>/act/", case_views.task_act, name="task_act"),
    path("cases/handover/", case_views.handover, name="case_handover"),
    path("cases/<str:number>/", case_views.case_detail, name="case"),
    path("cases/<str:number>/materials/", case_views.case_materials, name="case_materials"),
    path(
        "cases/<str:number>/materials/<int:material_id>/",
        case_views.case_material_file,
        name="case_material_file",
    ),
    path("cases/<str:number>/decide/", case_views.case_decide, name="case_decide"),
    path("cases/<str:number>/close/", case_views.case_close, name="case_close"),
    path("cases/<str:number>/receipt.pdf", case_views.case_receipt_pdf, name="case_receipt"),
    path("cases/<str:number>/notice.pdf", case_views.case_notice_pdf, name="case_notice"),
    path(
        "cases/<str:number>/certificates/use/",
        case_views.case_certificate_use,
        name="case_certificate_use",
    ),
    path(
        "cases/<str:number>/certificates/<int:certificate_id>.pdf",
        case_views.case_certificate_pdf,
        name="case_certificate",
    ),
    path("certificates/", certificate_views.certificate_list, name="certificates"),
    path("certificates/new/", certificate_views.certificate_issue, name="certificate_issue"),
    path("certificates/import/", certificate_views.certificate_import, name="certificate_import"),
    # Only what looks like a certificate identifier (1.2.156.…), so that the admin's own
    # pages of the certificates app (certificates/<model>/…) would still be reachable.
    re_path(
        rf"^certificates/(?P<identifier>{CERTIFICATE_IDENTIFIER})/$",
        certificate_views.certificate_detail,
        name="certificate",
    ),
    re_path(
        rf"^certificates/(?P<identifier>{CERTIFICATE_IDENTIFIER})/face\.pdf$",
        certificate_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("exchange/systems/", exchange_views.system_list, name="exchange_systems"),
    path("exchange/systems/<slug:code>/", exchange_views.system_detail, name="exchange_system"),
    path("exchange/grants/", exchange_views.grant_list, name="exchange_grants"),
    path("exchange/grants/new/", exchange_views.grant_new, name="exchange_grant_new"),
    path("exchange/grants/<int:grant_id>/", exchange_views.grant_detail, name="exchange_grant"),
    path("exchange/monitoring/", exchange_views.monitoring, name="exchange_monitoring"),
    path("catalog/import/", views.catalog_import, name="catalog_import"),
    path("catalog/export.<str:fmt>", views.catalog_export, name="catalog_export"),
    path("catalog/versions/<int:version_id>/publish/", views.publish, name="publish"),
]
