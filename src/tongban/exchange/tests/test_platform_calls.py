"""The platform's own functions use the exchange like any member: identity assurance L2 asks
the population verification service; the call is logged and in the person's tracker."""

from __future__ import annotations

import pytest
from django.conf import settings

from tongban.core.errors import Unavailable
from tongban.core.models import DataUseRecord
from tongban.core.sharing import SharingRefused, shared_call
from tongban.exchange.models import ExchangeMessage, Grant
from tongban.identity import services
from tongban.identity.models import AssuranceLevel
from tongban.identity.selectors import actor_for_user
from tongban.identity.tests.helpers import demo_person

pytestmark = pytest.mark.django_db


def _at_l1(index: int):
    person = demo_person(index)
    type(person).objects.filter(pk=person.pk).update(assurance_level=AssuranceLevel.L1)
    person.refresh_from_db()
    return person


def test_the_l2_check_goes_through_the_exchange_and_is_in_the_tracker():
    zhang = _at_l1(0)
    system_code = settings.EXCHANGE_PLATFORM_SYSTEMS["identity"]
    services.person_verify_with_registry(actor=actor_for_user(zhang.user), person_id=zhang.pk)
    zhang.refresh_from_db()
    assert zhang.assurance_level == AssuranceLevel.L2
    message = ExchangeMessage.objects.filter(client=system_code).latest("id")
    assert message.outcome == "served" and message.service == "population-verify"
    assert message.subject_index == zhang.id_number_index
    use = DataUseRecord.objects.get(reference=message.message_id)
    assert use.subject_index == zhang.id_number_index and use.channel == "exchange"


def test_without_its_grant_the_platform_says_so_and_the_level_stays():
    system_code = settings.EXCHANGE_PLATFORM_SYSTEMS["identity"]
    Grant.objects.filter(system__code=system_code).update(status="revoked")
    li = _at_l1(1)
    with pytest.raises(Unavailable):
        services.person_verify_with_registry(actor=actor_for_user(li.user), person_id=li.pk)
    li.refresh_from_db()
    assert li.assurance_level == AssuranceLevel.L1
    refused = ExchangeMessage.objects.filter(client=system_code).latest("id")
    assert refused.outcome == "refused" and refused.reason == "no_grant"


def test_an_unknown_function_or_service_is_refused_and_logged():
    with pytest.raises(SharingRefused) as refused:
        shared_call(function="nobody", service="population-verify", query={},
                    user="test", purpose="测试用途")  # fmt: skip
    assert refused.value.reason == "unknown_system"
    with pytest.raises(SharingRefused) as refused:
        shared_call(function="identity", service="health-records", query={},
                    user="test", purpose="测试用途")  # fmt: skip
    assert refused.value.reason in ("unknown_service", "no_grant")
    assert ExchangeMessage.objects.filter(message_id=refused.value.message_id).exists()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _apply(actor, item_name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.cases import services as case_services
    from tongban.catalog.models import ImplementationItem

    item = (
        ImplementationItem.objects.filter(current_version__name=item_name)
        .order_by("implementation_code")
        .first()
    )
    version = item.current_version
    answers = {
        s.code: [s.options.all()[0].code]
        for s in version.situations.all()
        if s.depends_on_id is None
    }
    draft = case_services.case_draft_save(
        actor=actor,
        implementation_code=item.implementation_code,
        answers=answers,
        form_data={"contact_name": "经办人", "contact_phone": "13800000009"},
    )
    for material, state in case_services.completeness(draft):
        if state in ("missing", "deferrable_missing", "certificate_offered"):
            case_services.case_material_add(
                actor=actor,
                case_id=draft.pk,
                material_id=material.pk,
                upload=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
            )
    return case_services.case_submit(actor=actor, case_id=draft.pk)


def test_a_material_sourced_from_data_sharing_is_fetched_with_its_message_id(client):
    from tongban.cases.models import CaseMaterial
    from tongban.demo.people import COMPANIES
    from tongban.identity.models import Company
    from tongban.identity.selectors import ACTING_FOR_KEY

    li = demo_person(1)
    company = Company.objects.get(credit_code=COMPANIES[0][1])
    actor = actor_for_user(li.user, {ACTING_FOR_KEY: company.pk})
    case = _apply(actor, "住房公积金单位缴存登记")
    row = CaseMaterial.objects.get(case=case, material__sharing_service="company-status")
    assert row.state == CaseMaterial.State.FETCHED and row.exchange_message_id
    assert row.fetched_data["status"] == "active"
    message = ExchangeMessage.objects.get(message_id=row.exchange_message_id)
    cases_system = settings.EXCHANGE_PLATFORM_SYSTEMS["cases"]
    assert message.client == cases_system and message.case_number == case.number
    use = DataUseRecord.objects.get(reference=row.exchange_message_id)
    assert use.subject_index == COMPANIES[0][1] and use.case_number == case.number
    # The reviewer's page shows it fetched, with the message id.
    from tongban.identity.tests.helpers import force_staff_login

    force_staff_login(client, "admin")
    page = client.get(f"/workbench/cases/{case.number}/").content.decode()
    assert row.exchange_message_id in page


def test_when_the_exchange_refuses_the_department_fetches_it_itself():
    from tongban.cases.models import CaseMaterial

    Grant.objects.filter(system__code=settings.EXCHANGE_PLATFORM_SYSTEMS["cases"]).update(
        status="revoked"
    )
    zhang = demo_person(0)
    case = _apply(actor_for_user(zhang.user), "住房公积金缴存证明开具")
    row = CaseMaterial.objects.get(case=case, material__sharing_service="population-verify")
    assert row.state == CaseMaterial.State.FETCHED and not row.exchange_message_id
    refused = ExchangeMessage.objects.filter(case_number=case.number).get()
    assert refused.outcome == "refused" and refused.reason == "no_grant"


def test_the_one_call_submission_fetches_too():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.cases.models import CaseMaterial
    from tongban.cases.services import MaterialUpload, application_submit
    from tongban.catalog.models import ImplementationItem

    zhang = demo_person(0)
    item = (
        ImplementationItem.objects.filter(current_version__name="住房公积金缴存证明开具")
        .order_by("implementation_code")
        .first()
    )
    uploads = [
        MaterialUpload(material=m.pk, upload=SimpleUploadedFile("id.pdf", PDF, "application/pdf"))
        for m in item.current_version.materials.all()
        if m.source == "applicant"
    ]
    submitted = application_submit(
        actor=actor_for_user(zhang.user),
        implementation_code=item.implementation_code,
        form_data={"contact_name": zhang.name, "contact_phone": "13800000001"},
        uploads=uploads,
        idempotency_key="fetch-test-1",
    )
    row = CaseMaterial.objects.get(
        case=submitted.case, material__sharing_service="population-verify"
    )
    assert row.exchange_message_id and row.fetched_data == {"match": True}
