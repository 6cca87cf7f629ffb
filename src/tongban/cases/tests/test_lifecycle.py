"""A case from application to hand-over, through the services, as the people involved act."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases import selectors, services
from tongban.cases.models import Case, CaseMaterial, ClockPause, Task
from tongban.certificates.models import Certificate
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.identity.selectors import actor_for_user
from tongban.identity.tests.helpers import demo_person
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def staff(username: str):
    return actor_for_user(get_user_model().objects.get(username=username))


def person_actor(index: int, *, level: int | None = None):
    person = demo_person(index)
    if level is not None:
        type(person).objects.filter(pk=person.pk).update(assurance_level=level)
        person.refresh_from_db()
    return actor_for_user(person.user), person


def residence_permit(item_finder):
    return item_finder("居住证申领")


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _complete_online_draft(actor, item):
    version = item.current_version
    answers = {
        s.code: [s.options.all()[0].code]
        for s in version.situations.all()
        if s.depends_on_id is None
    }
    case = services.case_draft_save(
        actor=actor,
        implementation_code=item.implementation_code,
        answers=answers,
        form_data={
            "contact_name": "李娜",
            "contact_phone": "13800000002",
            "address": "江川市临江区滨江路8号",
        },
    )
    for material, state in services.completeness(case):
        if state in ("missing", "deferrable_missing"):
            services.case_material_add(
                actor=actor, case_id=case.pk, material_id=material.pk, upload=pdf()
            )
    return case


def test_a_citizen_applies_online_and_the_case_runs_to_handover(item_finder):
    actor, person = person_actor(1)  # 李娜, L2
    item = residence_permit(item_finder)
    draft = _complete_online_draft(actor, item)
    assert draft.form_data["contact_name"] == "李娜"  # prefilled from the account
    case = services.case_submit(actor=actor, case_id=draft.pk, idempotency_key="k-1")
    assert case.status == Case.Status.SUBMITTED and len(case.number) == 23
    again = services.case_submit(actor=actor, case_id=draft.pk, idempotency_key="k-1")
    assert again.pk == case.pk and Case.objects.filter(applicant_person=person).count() == 1
    # Materials from the certificate library or data sharing are fetched, not asked for.
    fetched = CaseMaterial.objects.filter(case=case, state=CaseMaterial.State.FETCHED)
    assert fetched.exists()

    reviewer, approver = staff("review.linjiang"), staff("approve.linjiang")
    assert case in selectors.acceptance_queue(actor=reviewer)
    services.case_accept(actor=reviewer, number=case.number)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.legal_due_at and case.promised_due_at
    task = selectors.worklist(actor=reviewer).get(case=case)
    services.task_claim(actor=reviewer, task_id=task.pk)
    services.case_request_correction(
        actor=reviewer,
        task_id=task.pk,
        items=[{"what": "照片", "reason": "照片不清晰"}],
        respond_days=5,
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION and case.legal_due_at is None
    services.case_correct(actor=actor, number=case.number, note="已重新上传")
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.legal_due_at is not None
    services.task_complete(actor=reviewer, task_id=task.pk, note="材料齐全")
    decide = selectors.worklist(actor=approver).get(case=case)
    with pytest.raises(InvalidInput):
        services.task_complete(actor=approver, task_id=decide.pk, outcome="approve")
    services.task_complete(
        actor=approver,
        task_id=decide.pk,
        outcome="approve",
        reason="符合条件",
        legal_basis="《居住证暂行条例》第九条",
    )
    # The approval issued her residence permit, its face from the application and her ID.
    permit = Certificate.objects.get(case_number=case.number)
    assert permit.holder_person == person and permit.status == Certificate.Status.VALID
    assert permit.fields == {"sex": "女", "address": "江川市临江区滨江路8号"}
    a_year_on = permit.valid_from.replace(year=permit.valid_from.year + 1)
    assert permit.valid_until == a_year_on - dt.timedelta(days=1)  # the last day it is valid
    services.case_close(actor=approver, number=case.number)
    clerk = staff("clerk.qingshan")  # any window of the city
    services.case_handover(actor=clerk, number=case.number)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.handed_over_at is not None

    steps = [e.kind for e in selectors.timeline(case)]
    assert steps[:2] == ["submitted", "accepted"] and steps[-1] == "handed_over"
    assert {"correction_requested", "corrected", "approved", "closed"} <= set(steps)
    kinds = set(Notification.objects.filter(recipient=person.user).values_list("kind", flat=True))
    assert {
        "case.accepted",
        "case.correction_requested",
        "case.approved",
        "case.certificate_issued",
        "case.ready_for_pickup",
    } <= kinds


def test_a_window_clerk_accepts_a_walk_in_with_a_deferred_material(item_finder):
    clerk = staff("clerk.qingshan")
    _actor, person = person_actor(0)
    item = item_finder("有限责任公司设立登记")
    case = services.case_window_create(
        actor=clerk,
        implementation_code=item.implementation_code,
        person_id=person.pk,
        form_data={"contact_name": person.name, "contact_phone": "13800000001"},
        identity_checked=True,  # 张伟 is at L1; the clerk checks his ID card
    )
    missing = [m for m, state in services.completeness(case) if state != "fetched"]
    deferrable = [m for m in missing if m.necessity == "deferrable"]
    assert deferrable
    with pytest.raises(InvalidInput):  # nothing scanned yet
        services.case_accept(actor=clerk, number=case.number)
    for material in missing:
        if material not in deferrable:
            services.case_material_add(
                actor=clerk, case_id=case.pk, material_id=material.pk, upload=pdf()
            )
    services.case_accept(actor=clerk, number=case.number, deferred_material_ids=[deferrable[0].pk])
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.deferred_due_at is not None
    assert case.materials.get(material=deferrable[0]).state == CaseMaterial.State.DEFERRED


def test_a_key_material_cannot_be_deferred(item_finder):
    clerk = staff("clerk.city")
    _actor, person = person_actor(0)
    item = item_finder("有限责任公司设立登记")
    case = services.case_window_create(
        actor=clerk,
        implementation_code=item.implementation_code,
        person_id=person.pk,
        identity_checked=True,
    )
    key = next(m for m, s in services.completeness(case) if s == "missing")
    with pytest.raises(InvalidInput):
        services.case_accept(actor=clerk, number=case.number, deferred_material_ids=[key.pk])


def test_notice_refusal_and_the_applicant_resubmits(item_finder):
    actor, _person = person_actor(1)
    draft = _complete_online_draft(actor, residence_permit(item_finder))
    case = services.case_submit(actor=actor, case_id=draft.pk)
    reviewer = staff("review.linjiang")
    material = case.version.materials.first()
    services.case_return_notice(
        actor=reviewer,
        number=case.number,
        items=[{"material": material.pk, "reason": "复印件不清晰"}],
    )
    case.refresh_from_db()
    assert case.status == Case.Status.RETURNED
    services.case_resubmit(actor=actor, number=case.number)
    services.case_refuse(actor=reviewer, number=case.number, reason="不属于本部门职权范围")
    case.refresh_from_db()
    assert case.status == Case.Status.REFUSED
    with pytest.raises(Conflict):
        services.case_accept(actor=reviewer, number=case.number)


def test_nobody_else_sees_or_moves_a_case(item_finder):
    actor, _person = person_actor(1)
    draft = _complete_online_draft(actor, residence_permit(item_finder))
    case = services.case_submit(actor=actor, case_id=draft.pk)
    stranger, _ = person_actor(0)
    with pytest.raises(NotFound):
        selectors.case_get(actor=stranger, number=case.number)
    # Staff who may not see the case are told nothing about it, as the applicant's stranger.
    with pytest.raises(NotFound):  # another department's reviewer
        services.case_accept(actor=staff("review.amr"), number=case.number)
    with pytest.raises(NotFound):
        services.case_accept(actor=staff("catalog.city"), number=case.number)
    with pytest.raises(NotFound):
        services.case_close(actor=staff("approve.amr"), number=case.number)
    # Who sees the case but may not take this step is refused.
    with pytest.raises(Forbidden):
        services.case_accept(actor=staff("approve.linjiang"), number=case.number)
    services.case_accept(actor=staff("review.linjiang"), number=case.number)
    task = Task.objects.get(case=case)
    with pytest.raises(NotFound):  # an approver cannot take a reviewer's step
        services.task_claim(actor=staff("approve.linjiang"), task_id=task.pk)
    with pytest.raises(NotFound):
        services.task_claim(actor=staff("review.amr"), task_id=task.pk)
    with pytest.raises(NotFound):
        services.case_correct(actor=stranger, number=case.number)


def test_applying_needs_the_items_assurance_level(item_finder):
    actor, _person = person_actor(0, level=1)
    with pytest.raises(Forbidden) as info:
        services.case_draft_save(
            actor=actor, implementation_code=residence_permit(item_finder).implementation_code
        )
    assert "L2" in str(info.value.message)


def test_a_window_intake_above_the_walk_ins_level_needs_an_id_card_check(item_finder):
    clerk = staff("clerk.city")
    _actor, person = person_actor(0, level=1)
    code = residence_permit(item_finder).implementation_code
    with pytest.raises(InvalidInput) as info:
        services.case_window_create(actor=clerk, implementation_code=code, person_id=person.pk)
    assert [p.field for p in info.value.problems] == ["identity_checked"]
    assert "L2" in str(info.value.problems[0].reason)
    assert not Case.objects.filter(applicant_person=person).exists()
    person.refresh_from_db()
    assert person.assurance_level == 1
    case = services.case_window_create(
        actor=clerk, implementation_code=code, person_id=person.pk, identity_checked=True
    )
    person.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert (person.assurance_level, person.assurance_method) == (3, "counter")


def test_disguised_and_oversized_files_are_refused(item_finder, settings):
    actor, _person = person_actor(1)
    draft = services.case_draft_save(
        actor=actor, implementation_code=residence_permit(item_finder).implementation_code
    )
    material = draft.version.materials.first()
    bad = [
        SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200),
        SimpleUploadedFile("bomb.png", b"PK\x03\x04" + b"\x00" * 200),
        SimpleUploadedFile("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),
        SimpleUploadedFile("empty.pdf", b""),
    ]
    for upload in bad:
        with pytest.raises(InvalidInput):
            services.case_material_add(
                actor=actor, case_id=draft.pk, material_id=material.pk, upload=upload
            )
    settings.CASE_UPLOAD_MAX_BYTES = 100
    with pytest.raises(InvalidInput):
        services.case_material_add(
            actor=actor,
            case_id=draft.pk,
            material_id=material.pk,
            upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 200),
        )
    assert not CaseMaterial.objects.filter(case=draft).exists()


def test_a_correction_after_its_deadline_is_refused(item_finder):
    import datetime as dt

    actor, _person = person_actor(1)
    draft = _complete_online_draft(actor, residence_permit(item_finder))
    case = services.case_submit(actor=actor, case_id=draft.pk)
    reviewer = staff("review.linjiang")
    services.case_accept(actor=reviewer, number=case.number)
    task = Task.objects.get(case=case)
    services.case_request_correction(
        actor=reviewer, task_id=task.pk, items=[{"what": "表", "reason": "缺签名"}], respond_days=1
    )
    ClockPause.objects.filter(case=case).update(
        respond_by=ClockPause.objects.get(case=case).started_at - dt.timedelta(seconds=1)
    )
    with pytest.raises(Conflict):
        services.case_correct(actor=actor, number=case.number)


def test_form_answers_are_validated_with_the_schema(item_finder):
    actor, _person = person_actor(1)
    draft = services.case_draft_save(
        actor=actor,
        implementation_code=residence_permit(item_finder).implementation_code,
        form_data={"contact_name": "x" * 60, "contact_phone": "12", "unknown": 1},
    )
    with pytest.raises(InvalidInput) as info:
        services.case_submit(actor=actor, case_id=draft.pk)
    fields = {p.field for p in info.value.problems}
    assert {"form.contact_name", "form.contact_phone", "form.form"} <= fields


def test_receipt_and_notice_documents_are_pdfs(item_finder):
    from tongban.cases.documents import acceptance_receipt_pdf, notice_pdf

    actor, _person = person_actor(1)
    draft = _complete_online_draft(actor, residence_permit(item_finder))
    case = services.case_submit(actor=actor, case_id=draft.pk)
    reviewer = staff("review.linjiang")
    services.case_return_notice(
        actor=reviewer, number=case.number, items=[{"material": None, "reason": "表格未签字"}]
    )
    data = notice_pdf(case)
    assert data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert case.number in text and "表格未签字" in text
    services.case_resubmit(actor=actor, number=case.number)
    services.case_accept(actor=reviewer, number=case.number)
    case.refresh_from_db()
    text = PdfReader(io.BytesIO(acceptance_receipt_pdf(case))).pages[0].extract_text()
    assert case.number in text
