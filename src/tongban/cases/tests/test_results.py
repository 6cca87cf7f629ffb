"""Approving a case issues its result certificate (办结即发证): to the applicant, to a company
the approval founds, or as the next version of the one the holder has; bad face entries are
refused with nothing decided."""

from __future__ import annotations

import pytest

from tongban.cases import selectors, services
from tongban.cases.models import Case
from tongban.cases.tests.test_lifecycle import pdf, person_actor, staff
from tongban.certificates.models import Certificate
from tongban.certificates.selectors import certificates_for_company
from tongban.certificates.services import certificate_verify
from tongban.core.errors import Forbidden, InvalidInput
from tongban.core.ids import credit_code_problem
from tongban.core.models import AuditRecord
from tongban.identity.models import Company
from tongban.identity.selectors import ACTING_FOR_KEY, actor_for_user
from tongban.notifications.models import Notification
from tongban.registries.models import CompanyRecord

pytestmark = pytest.mark.django_db

LICENCE_FORM = {
    "company_name": "江川明湖示范贸易有限公司",
    "company_type": "有限责任公司（自然人独资）",
    "registered_capital": "伍拾万元整",
    "address": "江川市明湖区湖滨路20号",
    "business_scope": "日用百货销售。",
}


def _submitted(actor, item, form):
    version = item.current_version
    answers = {
        s.code: [s.options.all()[0].code]
        for s in version.situations.all()
        if s.depends_on_id is None
    }
    draft = services.case_draft_save(
        actor=actor, implementation_code=item.implementation_code, answers=answers, form_data=form
    )
    for material, state in services.completeness(draft):
        if state in ("missing", "deferrable_missing"):
            services.case_material_add(
                actor=actor, case_id=draft.pk, material_id=material.pk, upload=pdf()
            )
        elif state == "certificate_offered":  # 证照免带: the applicant consents
            services.case_certificate_use(actor=actor, case_id=draft.pk, material_id=material.pk)
    return services.case_submit(actor=actor, case_id=draft.pk)


def _at_decision(case, reviewer: str, approver: str):
    """Accept and review the case; the approver holds the last step's task."""
    reviewing = staff(reviewer)
    services.case_accept(actor=reviewing, number=case.number)
    task = selectors.worklist(actor=reviewing).get(case=case)
    services.task_claim(actor=reviewing, task_id=task.pk)
    services.task_complete(actor=reviewing, task_id=task.pk, note="材料齐全")
    deciding = staff(approver)
    decide = selectors.worklist(actor=deciding).get(case=case)
    services.task_claim(actor=deciding, task_id=decide.pk)
    return deciding, decide


def _approve(actor, task, **extra):
    return services.task_complete(
        actor=actor,
        task_id=task.pk,
        outcome="approve",
        reason="符合条件",
        legal_basis="依法审查",
        **extra,
    )


def test_approving_an_establishment_founds_the_company_and_issues_its_licence(item_finder):
    actor, person = person_actor(0, level=2)  # 张伟 founds a company on his own
    item = item_finder("有限责任公司设立登记")
    case = _submitted(actor, item, {"contact_name": person.name, "contact_phone": "13800000001"}
                      | LICENCE_FORM)  # fmt: skip
    approver, task = _at_decision(case, "review.amr", "approve.amr")
    result, proposal = services.certificate_proposal(actor=approver, case=case)
    assert result.establishes and result.renews is None
    assert proposal["holder_name"] == LICENCE_FORM["company_name"]
    assert proposal["legal_representative"] == person.name
    with pytest.raises(Forbidden):
        services.certificate_proposal(actor=actor, case=case)  # the applicant: not before

    _approve(approver, task)
    case.refresh_from_db()
    company = Company.objects.get(name=LICENCE_FORM["company_name"])
    assert case.status == Case.Status.APPROVED and case.applicant_company == company
    assert credit_code_problem(company.credit_code) is None
    assert company.credit_code.startswith("91" + case.region_code[:6])
    assert company.representative == person
    record = CompanyRecord.objects.get(credit_code=company.credit_code)
    assert record.status == CompanyRecord.Status.ACTIVE and record.name == company.name
    assert AuditRecord.objects.filter(action="identity.company.establish").exists()
    [licence] = certificates_for_company(company=company)
    assert licence.case_number == case.number and licence.source == Certificate.Source.CASE
    assert licence.fields["company_type"] == LICENCE_FORM["company_type"]
    assert licence.valid_until is None  # a business licence is open-ended
    assert certificate_verify(token=licence.credential).valid
    assert case.events.filter(kind="certificate_issued").exists()
    kinds = set(Notification.objects.filter(recipient=person.user).values_list("kind", flat=True))
    assert {"case.approved", "case.certificate_issued"} <= kinds
    # The founder now acts for the company, which sees its licence (and the case).
    as_company = actor_for_user(person.user, {ACTING_FOR_KEY: company.pk})
    assert as_company.acting_for_company_id == company.pk
    assert case in selectors.cases_for_actor(actor=as_company)


def test_a_missing_face_field_refuses_the_decision_and_founds_nothing(item_finder):
    actor, person = person_actor(0, level=2)
    item = item_finder("有限责任公司设立登记")
    form = {"contact_name": person.name, "contact_phone": "13800000001",
            "company_name": "江川未成立有限公司"}  # fmt: skip
    case = _submitted(actor, item, form)
    approver, task = _at_decision(case, "review.amr", "approve.amr")
    notified = Notification.objects.count()
    with pytest.raises(InvalidInput) as refused:
        _approve(approver, task)
    assert {p.field for p in refused.value.problems} == {
        "certificate.company_type",
        "certificate.address",
    }
    with pytest.raises(InvalidInput) as hostile:
        _approve(approver, task, certificate={"company_type": "x", "address": "y", "boss": "z"})
    assert [p.field for p in hostile.value.problems] == ["certificate.boss"]
    with pytest.raises(InvalidInput):
        _approve(approver, task, certificate={"company_type": {"a": 1}, "address": "y"})
    with pytest.raises(InvalidInput) as long_name:
        _approve(approver, task, certificate={"holder_name": "名" * 201, "company_type": "x",
                                              "address": "y"})  # fmt: skip
    assert [p.field for p in long_name.value.problems] == ["certificate.holder_name"]
    with pytest.raises(InvalidInput) as nul_name:
        _approve(approver, task, certificate={"holder_name": "江川\x00公司", "company_type": "x",
                                              "address": "y"})  # fmt: skip
    assert [p.field for p in nul_name.value.problems] == ["certificate.holder_name"]
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.applicant_company_id is None
    assert not Company.objects.filter(name="江川未成立有限公司").exists()
    assert not CompanyRecord.objects.filter(name="江川未成立有限公司").exists()
    assert not Certificate.objects.filter(case_number=case.number).exists()
    assert Notification.objects.count() == notified  # the approval message went with it
    # Rejecting needs no face; nothing is issued.
    services.task_complete(
        actor=approver,
        task_id=task.pk,
        outcome="reject",
        reason="名称不符合规定",
        legal_basis="《企业名称登记管理规定》",
        certificate={"address": "ignored"},
    )
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED
    assert not Certificate.objects.filter(case_number=case.number).exists()


def test_the_renewal_item_gives_the_holder_the_next_version(item_finder):
    actor, person = person_actor(0)  # 张伟 holds a residence permit of 临江区 (demo)
    [current] = Certificate.objects.filter(
        holder_kind="person", holder_code_index=person.id_number_index, type__name="居住证"
    )
    case = _submitted(actor, item_finder("居住证签注"), {"contact_name": person.name,
                                                       "contact_phone": "13800000001"})  # fmt: skip
    approver, task = _at_decision(case, "review.linjiang", "approve.linjiang")
    result, proposal = services.certificate_proposal(actor=approver, case=case)
    assert result.renews == current and proposal == current.fields
    _approve(approver, task)
    current.refresh_from_db()
    renewed = Certificate.objects.get(previous=current)
    assert current.status == Certificate.Status.SUPERSEDED
    assert (renewed.serial, renewed.version) == (current.serial, current.version + 1)
    assert renewed.case_number == case.number and renewed.fields == current.fields
    assert renewed.valid_until == current.valid_until.replace(year=current.valid_until.year + 1)


def test_the_approvers_entries_override_the_application_and_unknown_keys_are_refused(
    item_finder,
):
    actor, person = person_actor(1)
    item = item_finder("居住证申领")
    case = _submitted(actor, item, {"contact_name": person.name, "contact_phone": "13800000002",
                                    "address": "江川市临江区滨江路9号"})  # fmt: skip
    approver, task = _at_decision(case, "review.linjiang", "approve.linjiang")
    with pytest.raises(InvalidInput) as unknown:
        _approve(approver, task, certificate={"colour": "red"})
    assert [p.field for p in unknown.value.problems] == ["certificate.colour"]
    _approve(approver, task, certificate={"address": "江川市临江区滨江路10号"})  # corrected
    permit = Certificate.objects.get(case_number=case.number)
    assert permit.fields["address"] == "江川市临江区滨江路10号"
