"""Applying (申报): a draft saved as the person goes, materials uploaded, one idempotent submit;
or a clerk registering a walk-in's application at any window (无差别受理)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.files import check_upload, max_upload_bytes  # noqa: F401 - re-exported
from tongban.cases.models import Case, CaseMaterial, SubmissionKey
from tongban.cases.services.common import case_number_for, case_target, record
from tongban.cases.services.fetching import fetch_shared
from tongban.cases.services.reuse import OFFERED, certificate_offers, verify_attached
from tongban.catalog import application
from tongban.catalog.models import ImplementationItem, Material
from tongban.catalog.selectors import materials_for_answers
from tongban.core.authorization import Target, authorize, permits
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from tongban.core.text import refuse_nul
from tongban.core.types import Actor
from tongban.identity.models import Company, Person
from tongban.identity.services import person_confirm_in_person

# Materials the department obtains itself: never asked of the applicant.
FETCHED_SOURCES = {Material.Source.CERTIFICATE_LIBRARY, Material.Source.DATA_SHARING}
MAX_KEY_LENGTH = 100


def _applicant(actor: Actor) -> tuple[int | None, int | None]:
    """(person, company) the actor applies for: a company when acting for one."""
    if actor.person_id is None:
        raise Forbidden(_("Log in with a person's account to apply."))
    if actor.acting_for_company_id is not None:
        return actor.person_id, actor.acting_for_company_id
    return actor.person_id, None


def _answers(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(o, str) for o in v)
        for k, v in value.items()
    ):
        raise InvalidInput(
            problems=[Problem(field="answers", reason=str(_("Answers are lists of option codes.")))]
        )
    return {k[:40]: [o[:40] for o in v[:20]] for k, v in list(value.items())[:50]}


def prefill(*, actor: Actor, form: dict[str, Any]) -> dict[str, Any]:
    """Values the platform fills in from what it knows, by the form's ``x-prefill``."""
    person = Person.objects.filter(pk=actor.person_id).first() if actor.person_id else None
    company = (
        Company.objects.filter(pk=actor.acting_for_company_id).first()
        if actor.acting_for_company_id
        else None
    )
    known = {
        "person.name": person.name if person else None,
        "person.phone": person.phone if person and person.phone_sealed else None,
        "person.email": person.email if person else None,
        "company.name": company.name if company else None,
        "company.credit_code": company.credit_code if company else None,
    }
    return {
        field: known[source]
        for field, source in (form.get("x-prefill") or {}).items()
        if known.get(source)
    }


def case_draft_save(
    *,
    actor: Actor,
    implementation_code: str,
    answers: Any = None,
    form_data: Any = None,
    number: str | None = None,
    draft_id: int | None = None,
) -> Case:
    """Create or update the actor's draft application (saved as the person goes; nothing is
    validated yet beyond shapes, so half-filled forms are kept)."""
    person_id, company_id = _applicant(actor)
    item, version = current_questionnaire(implementation_code)
    target = Target(
        kind="case",
        owner_person_id=None if company_id else person_id,
        owner_company_id=company_id,
        item_code=item.base_item.base_code,
    )
    authorize(actor, "case.apply", target)
    if actor.assurance_level < version.min_assurance_level:
        raise Forbidden(
            _(
                "This service needs identity assurance level L%(level)s. Your account page "
                "explains how to reach it."
            )
            % {"level": version.min_assurance_level}
        )
    refuse_nul(answers, field="answers")
    refuse_nul(form_data, field="form")
    answers_value = _answers(answers or {})
    materials_for_answers(version=version, answers=answers_value)  # unknown codes refused
    if form_data is not None and not isinstance(form_data, dict):
        raise InvalidInput(
            problems=[Problem(field="form", reason=str(_("The form must be a JSON object.")))]
        )
    with transaction.atomic():
        case = None
        if draft_id is not None:
            case = Case.objects.select_for_update(of=("self",)).filter(pk=draft_id).first()
            if case is None or case.status != Case.Status.DRAFT:
                raise NotFound()
            authorize(actor, "case.apply", case_target(case))
        if case is None:
            case = Case(
                item=item,
                version=version,
                department=item.department,
                region_code=item.region_id,
                applicant_person_id=person_id,
                applicant_company_id=company_id,
                submitted_by_id=actor.user_id,
                form_data=prefill(actor=actor, form=application.form_of(version)),
            )
        case.answers = answers_value
        if form_data is not None:
            case.form_data = {str(k)[:60]: v for k, v in list(form_data.items())[:100]}
        case.save()
    return case


def case_material_add(
    *, actor: Actor, case_id: int, material_id: int, upload: UploadedFile
) -> CaseMaterial:
    """Attach a file to a draft (or, for a clerk, to a case at the window), replacing an
    earlier file for the same material. Type, size and content are checked first."""
    info = check_upload(upload)
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("item__base_item")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise NotFound()
        allowed = case.status in (Case.Status.DRAFT, Case.Status.RETURNED, Case.Status.CORRECTION)
        if case.channel == Case.Channel.WINDOW and permits(actor, "case.accept", case_target(case)):
            allowed = allowed or case.status == Case.Status.SUBMITTED
        elif not permits(actor, "case.apply", case_target(case)):
            raise NotFound()
        if not allowed:
            raise Conflict(_("Materials can no longer be changed on this case."))
        if not case.version.materials.filter(pk=material_id).exists():
            raise InvalidInput(
                problems=[Problem(field="material", reason=str(_("Not a material of this item.")))]
            )
        existing = CaseMaterial.objects.filter(case=case, material_id=material_id).first()
        if existing is not None:
            # The replaced file goes once the replacement is committed, not before.
            if existing.file:
                storage, name = existing.file.storage, existing.file.name
                transaction.on_commit(lambda: storage.delete(name))
            existing.delete()
        material = CaseMaterial(
            case=case,
            material_id=material_id,
            state=CaseMaterial.State.PROVIDED,
            original_name=info.name,
            content_type=info.content_type,
            size=info.size,
            sha256=info.sha256,
            uploaded_by_id=actor.user_id,
        )
        material.file.save(
            f"{hashlib.sha256(info.sha256.encode()).hexdigest()[:16]}{info.extension}",
            upload,
            save=False,
        )
        material.save()
    return material


_QUESTIONNAIRES: OrderedDict[tuple[int, str], Any] = OrderedDict()
_QUESTIONNAIRES_MAX = 256
_questionnaires_lock = threading.Lock()


def _load_questionnaire(version_id: int) -> Any:
    from django.db.models import Prefetch

    from tongban.catalog.models import ItemVersion, Situation, SituationOption

    return (
        ItemVersion.objects.filter(pk=version_id)
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("position", "id")),
            Prefetch(
                "situations",
                queryset=Situation.objects.select_related("depends_on__situation")
                .order_by("position", "id")
                .prefetch_related(
                    Prefetch(
                        "options",
                        queryset=SituationOption.objects.order_by(
                            "position", "id"
                        ).prefetch_related("materials"),
                    )
                ),
            ),
        )
        .get()
    )


def _published(version_id: int, status: str, published_at: Any) -> Any:
    if status != "published" or published_at is None:
        return _load_questionnaire(version_id)
    key = (version_id, published_at.isoformat())
    with _questionnaires_lock:
        cached = _QUESTIONNAIRES.get(key)
        if cached is not None:
            _QUESTIONNAIRES.move_to_end(key)
            return cached
    loaded = _load_questionnaire(version_id)
    with _questionnaires_lock:
        _QUESTIONNAIRES[key] = loaded
        while len(_QUESTIONNAIRES) > _QUESTIONNAIRES_MAX:
            _QUESTIONNAIRES.popitem(last=False)
    return loaded


def published_questionnaire(version: Any) -> Any:
    """A published guide version with its situations, options and materials, loaded once per
    process: a published version never changes (the key includes its publication time, so a
    reused id cannot return another version's content). Drafts are loaded every time.
    The object is shared by every request of the process: never change it."""
    return _published(version.pk, version.status, version.published_at)


def current_questionnaire(implementation_code: str) -> tuple[ImplementationItem, Any]:
    """The item (with its department and base item) and its current published version with
    the questionnaire (404 when there is none). The version's own row is not read when the
    process has it already: only its status and publication time, with the item."""
    item = (
        ImplementationItem.objects.select_related("department", "base_item")
        .annotate(
            version_status=F("current_version__status"),
            version_published_at=F("current_version__published_at"),
        )
        .filter(implementation_code=str(implementation_code)[:40])
        .first()
    )
    if item is None or item.current_version_id is None:
        raise NotFound()
    version = _published(
        item.current_version_id,
        item.version_status,  # type: ignore[attr-defined]
        item.version_published_at,  # type: ignore[attr-defined]
    )
    return item, version


def questionnaire(case: Case) -> Any:
    """The case's guide version with its questionnaire (see ``published_questionnaire``)."""
    cached = getattr(case, "_questionnaire_version", None)
    if cached is None or cached.pk != case.version_id:
        cached = published_questionnaire(case.version)
        case._questionnaire_version = cached  # type: ignore[attr-defined]
    return cached


def required_materials(case: Case) -> list[Material]:
    return list(materials_for_answers(version=questionnaire(case), answers=case.answers).materials)


def completeness(case: Case) -> list[tuple[Material, str]]:
    """Each material the case needs, and where it stands: provided / certificate (the
    applicant's own, attached with consent) / certificate_offered (one is held: use it or
    upload) / fetched / deferred / missing / deferrable_missing."""
    have = {m.material_id: m.state for m in case.materials.all()}
    needed = required_materials(case)
    offers = certificate_offers(case, needed) if any(m.certificate_type for m in needed) else {}
    result = []
    for material in needed:
        state = have.get(material.pk)
        if state == CaseMaterial.State.CERTIFICATE:
            result.append((material, "certificate"))
        elif material.pk in offers:
            # The applicant's to consent to, or to upload instead.
            given = state in (CaseMaterial.State.PROVIDED, CaseMaterial.State.DEFERRED)
            result.append((material, state if given else OFFERED))
        elif material.source in FETCHED_SOURCES:
            result.append((material, "fetched"))
        elif material.pk in have:
            result.append((material, have[material.pk]))
        elif material.necessity == Material.Necessity.DEFERRABLE:
            result.append((material, "deferrable_missing"))
        else:
            result.append((material, "missing"))
    return result


def form_problems_of(version: Any, form_data: Any) -> list[Problem]:
    """The form's problems against the version's schema, as ``form.<field>`` problems."""
    found = application.validate_answers(
        version.application_form, form_data, validator=application.form_validator(version)
    )
    return [Problem(field=f"form.{field}", reason=reason) for field, reason in found.items()]


def _check_ready(case: Case) -> None:
    problems = form_problems_of(questionnaire(case), case.form_data)
    answers = materials_for_answers(version=questionnaire(case), answers=case.answers)
    for situation in answers.unanswered:
        problems.append(
            Problem(field=f"answers.{situation.code}", reason=str(_("Answer this question.")))
        )
    for material, state in completeness(case):
        if state == "missing" and case.channel == Case.Channel.ONLINE:
            problems.append(
                Problem(field=f"material.{material.pk}", reason=str(_("Upload this material.")))
            )
        elif state == OFFERED and case.channel == Case.Channel.ONLINE:
            problems.append(
                Problem(
                    field=f"material.{material.pk}",
                    reason=str(_("Use your electronic certificate, or upload this material.")),
                )
            )
    if problems:
        raise InvalidInput(problems=problems)


def case_submit(*, actor: Actor, case_id: int, idempotency_key: str = "") -> Case:
    """Submit a draft: the form is validated against its schema, every material the
    situation needs is there (or fetched by the department), and the case gets its number.

    Idempotent: the same ``idempotency_key`` from the same user returns the same case, and
    submitting an already submitted case returns it unchanged."""
    key = (idempotency_key or "").strip()[:MAX_KEY_LENGTH]
    if key:
        previous = SubmissionKey.objects.filter(user_id=actor.user_id, key=key).first()
        if previous is not None:
            return previous.case
    try:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",))
                .select_related("item__base_item", "version")
                .filter(pk=case_id)
                .first()
            )
            if case is None or not permits(actor, "case.apply", case_target(case)):
                raise NotFound()
            if case.status != Case.Status.DRAFT and case.number:
                if key:
                    SubmissionKey.objects.create(user_id=actor.user_id, key=key, case=case)
                return case
            _check_ready(case)
            _submit(actor=actor, case=case)
            if key:
                SubmissionKey.objects.create(user_id=actor.user_id, key=key, case=case)
    except IntegrityError:
        # The same key submitted concurrently: the other request won; return its case.
        previous = SubmissionKey.objects.filter(user_id=actor.user_id, key=key).first()
        if previous is None:
            raise
        return previous.case
    return case


def _submit(*, actor: Actor, case: Case) -> None:
    now = timezone.now()
    for material, state in completeness(case):
        if state == "fetched":
            CaseMaterial.objects.get_or_create(
                case=case, material=material, defaults={"state": CaseMaterial.State.FETCHED}
            )
    case.status = Case.Status.SUBMITTED
    case.submitted_at = now
    case.save()
    case.number = case_number_for(case)
    case.save(update_fields=["number", "status", "submitted_at", "updated_at"])
    fetched = list(
        case.materials.filter(
            state=CaseMaterial.State.FETCHED, exchange_message_id=""
        ).select_related("material")
    )
    if fetch_shared(actor=actor, case=case, rows=fetched):
        CaseMaterial.objects.bulk_update(
            fetched, ["exchange_message_id", "fetched_data", "verified_at"]
        )
    verify_attached(
        actor=actor,
        case=case,
        rows=case.materials.filter(state=CaseMaterial.State.CERTIFICATE).select_related(
            "material", "certificate"
        ),
    )
    record(actor=actor, case=case, kind="submitted", data={"channel": case.channel})


def case_window_create(
    *,
    actor: Actor,
    implementation_code: str,
    person_id: int,
    answers: Any = None,
    form_data: Any = None,
    identity_checked: bool = False,
) -> Case:
    """A clerk registers a walk-in's application at the window for any item of the city
    (无差别受理). The case waits for the clerk's decision (accept, notice, refuse).

    When the item needs a higher identity assurance level than the walk-in's account has, the
    clerk checks the ID card face to face and says so (``identity_checked``): the person is
    raised to L3 in the same transaction; without it nothing is registered."""
    item, version = current_questionnaire(implementation_code)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    authorize(
        actor,
        "case.accept",
        Target(kind="case", department_id=item.department_id, region_code=item.region_id),
    )
    refuse_nul(answers, field="answers")
    refuse_nul(form_data, field="form")
    answers_value = _answers(answers or {})
    materials_for_answers(version=version, answers=answers_value)
    if form_data is not None and not isinstance(form_data, dict):
        raise InvalidInput(
            problems=[Problem(field="form", reason=str(_("The form must be a JSON object.")))]
        )
    # The window's form is checked against the same schema as an online one (acceptance
    # checks it only for online cases, so this is the one check it gets).
    raise_to_l3 = person.assurance_level < version.min_assurance_level
    problems = form_problems_of(version, form_data) if form_data is not None else []
    if raise_to_l3 and not identity_checked:
        problems.append(
            Problem(
                field="identity_checked",
                reason=str(
                    _(
                        "This service needs identity assurance level L%(needed)s and the "
                        "applicant's account is at L%(level)s. Check the applicant's ID "
                        "card in person and confirm it."
                    )
                    % {"needed": version.min_assurance_level, "level": person.assurance_level}
                ),
            )
        )
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        if raise_to_l3:
            person = person_confirm_in_person(actor=actor, person_id=person.pk)
        case = Case.objects.create(
            item=item,
            version=version,
            department=item.department,
            region_code=item.region_id,
            applicant_person=person,
            submitted_by_id=actor.user_id,
            channel=Case.Channel.WINDOW,
            answers=answers_value,
            form_data=form_data or {},
            status=Case.Status.DRAFT,
        )
        _submit(actor=actor, case=case)
    return case
