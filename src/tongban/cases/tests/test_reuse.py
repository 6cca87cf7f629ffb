"""证照免带: a material the applicant's own certificate stands for is attached with consent,
verified and logged; without consent a file is needed; a certificate that stops being valid
stops the submission, not the case's other work."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongban.cases import services
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.tests.test_lifecycle import pdf, person_actor, staff
from tongban.certificates.models import Certificate, CertificateUse
from tongban.certificates.services import certificate_revoke
from tongban.core.errors import InvalidInput
from tongban.core.models import AuditRecord
from tongban.core.types import Actor
from tongban.demo import people
from tongban.identity.models import Company
from tongban.identity.selectors import ACTING_FOR_KEY, actor_for_user

pytestmark = pytest.mark.django_db

ENDORSEMENT = "居住证签注"


def _permit_of(person) -> Certificate:
    return Certificate.objects.get(
        holder_kind="person",
        holder_code_index=person.id_number_index,
        type__name="居住证",
        status=Certificate.Status.VALID,
    )


def _draft(actor, item, person):
    return services.case_draft_save(
        actor=actor,
        implementation_code=item.implementation_code,
        answers={},
        form_data={"contact_name": person.name, "contact_phone": "13800000001"},
    )


def _states(case) -> dict[str, str]:
    return {m.code: state for m, state in services.completeness(case)}


def _permit_material(item):
    return item.current_version.materials.get(certificate_type__endswith="002")


def test_the_holder_consents_and_the_permit_is_attached_verified_and_logged(item_finder):
    actor, person = person_actor(0)  # 张伟 holds a residence permit (demo)
    item = item_finder(ENDORSEMENT)
    material = _permit_material(item)
    permit = _permit_of(person)
    draft = _draft(actor, item, person)
    assert _states(draft)[material.code] == "certificate_offered"
    with pytest.raises(InvalidInput) as refused:  # neither consent nor a file
        services.case_submit(actor=actor, case_id=draft.pk)
    assert [p.field for p in refused.value.problems] == [f"material.{material.pk}"]

    row = services.case_certificate_use(actor=actor, case_id=draft.pk, material_id=material.pk)
    assert row.certificate == permit and row.verified_at is None  # verified on submission
    case = services.case_submit(actor=actor, case_id=draft.pk)
    attached = CaseMaterial.objects.get(case=case, material=material)
    assert attached.state == CaseMaterial.State.CERTIFICATE and attached.verified_at
    assert not attached.file
    [use] = CertificateUse.objects.filter(certificate=permit, case_number=case.number)
    assert use.channel == "application" and use.outcome == "valid"
    assert use.department_id == case.department_id and use.purpose == item.current_version.name
    assert AuditRecord.objects.filter(action="case.certificate.consent").exists()
    assert AuditRecord.objects.filter(action="certificate.use", object_id=str(permit.pk)).exists()
    assert _states(case)[material.code] == "certificate"


def test_consent_can_be_withdrawn_and_a_file_given_instead(item_finder):
    actor, person = person_actor(0)
    item = item_finder(ENDORSEMENT)
    material = _permit_material(item)
    draft = _draft(actor, item, person)
    services.case_certificate_use(actor=actor, case_id=draft.pk, material_id=material.pk)
    services.case_certificate_use(actor=actor, case_id=draft.pk, material_id=material.pk, use=False)
    assert _states(draft)[material.code] == "certificate_offered"
    services.case_material_add(actor=actor, case_id=draft.pk, material_id=material.pk, upload=pdf())
    case = services.case_submit(actor=actor, case_id=draft.pk)
    assert _states(case)[material.code] == "provided"
    assert not CertificateUse.objects.filter(case_number=case.number).exists()


def test_no_certificate_no_offer_and_a_revoked_one_stops_the_submission(item_finder):
    item = item_finder(ENDORSEMENT)
    material = _permit_material(item)
    li_actor, li = person_actor(1)  # 李娜 holds no residence permit
    draft = _draft(li_actor, item, li)
    assert _states(draft)[material.code] != "certificate_offered"
    with pytest.raises(InvalidInput):
        services.case_certificate_use(actor=li_actor, case_id=draft.pk, material_id=material.pk)
    with pytest.raises(InvalidInput):  # not a material of the application at all
        services.case_certificate_use(actor=li_actor, case_id=draft.pk, material_id=10**9)

    actor, person = person_actor(0)
    draft = _draft(actor, item, person)
    permit = _permit_of(person)
    services.case_certificate_use(actor=actor, case_id=draft.pk, material_id=material.pk)
    certificate_revoke(actor=Actor.system("tests"), certificate_id=permit.pk, reason="测试注销")
    revoked_at = timezone.now()
    with pytest.raises(InvalidInput) as refused:
        services.case_submit(actor=actor, case_id=draft.pk)
    assert [p.field for p in refused.value.problems] == [f"material.{material.pk}"]
    draft.refresh_from_db()
    assert draft.status == Case.Status.DRAFT and not draft.number
    assert not CertificateUse.objects.filter(certificate=permit, at__gte=revoked_at).exists()


def test_a_clerk_records_a_walk_ins_consent_at_the_window(item_finder):
    _actor, person = person_actor(0)
    clerk = staff("clerk.qingshan")
    item = item_finder(ENDORSEMENT)
    material = _permit_material(item)
    case = services.case_window_create(
        actor=clerk,
        implementation_code=item.implementation_code,
        person_id=person.pk,
        form_data={"contact_name": person.name, "contact_phone": "13800000001"},
    )
    assert _states(case)[material.code] == "certificate_offered"
    with pytest.raises(InvalidInput):  # offered is not provided: accept needs the consent
        services.case_accept(actor=clerk, number=case.number)
    row = services.case_certificate_use(actor=clerk, case_id=case.pk, material_id=material.pk)
    assert row.verified_at is not None  # the case has its number: verified at once
    assert CertificateUse.objects.filter(case_number=case.number, outcome="valid").exists()
    services.case_accept(actor=clerk, number=case.number)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS


def test_a_company_application_attaches_the_companys_licence(item_finder):
    name, credit_code, rep, _status = people.COMPANIES[0]
    _actor, li = person_actor(rep, level=2)
    company = Company.objects.get(credit_code=credit_code)
    actor = actor_for_user(li.user, {ACTING_FOR_KEY: company.pk})
    item = item_finder("有限责任公司变更登记")
    licence_material = item.current_version.materials.get(certificate_type__endswith="001")
    draft = services.case_draft_save(
        actor=actor,
        implementation_code=item.implementation_code,
        answers={
            s.code: [s.options.all()[0].code]
            for s in item.current_version.situations.all()
            if s.depends_on_id is None
        },
        form_data={"contact_name": li.name, "contact_phone": "13800000002"},
    )
    offers = services.certificate_offers(draft, [licence_material])
    assert offers[licence_material.pk].holder_name == name
    # The representative acting for herself (not the company) is offered nothing.
    own = services.case_draft_save(
        actor=actor_for_user(li.user),
        implementation_code=item.implementation_code,
        answers={},
        form_data={},
    )
    assert services.certificate_offers(own, [licence_material]) == {}
