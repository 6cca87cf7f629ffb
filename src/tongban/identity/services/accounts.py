"""Persons and companies: register, raise the assurance level, look up, reveal, act for."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.crypto import blind_index, seal
from tongban.core.datause import PERSON, data_use_record
from tongban.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Problem,
    Unavailable,
)
from tongban.core.ids import (
    CitizenId,
    clean_credit_code,
    credit_code_problem,
    mask_id_number,
    mask_phone,
    normalise_code,
    parse_citizen_id,
)
from tongban.core.models import DataUseRecord
from tongban.core.sharing import SharingRefused, shared_call
from tongban.core.types import Actor
from tongban.identity.models import (
    ID_NUMBER_CONTEXT,
    PHONE_CONTEXT,
    AssuranceLevel,
    Company,
    Person,
)
from tongban.identity.normalise import clean_email, clean_name, clean_phone
from tongban.identity.services.codes import code_check
from tongban.organizations.selectors import region_codes
from tongban.registries.selectors import (
    company_record_get,
    company_representative_matches,
)

_known: tuple[tuple[str, ...], frozenset[str]] | None = None


def known_regions() -> frozenset[str]:
    """Address codes accepted in ID numbers besides GB/T 2260 provinces: the region tree."""
    global _known
    codes = region_codes()
    if _known is None or _known[0] is not codes:
        _known = (codes, frozenset(codes))
    return _known[1]


def id_number_index(number: str) -> str:
    return blind_index(number, context=ID_NUMBER_CONTEXT)


def phone_index(phone: str) -> str:
    return blind_index(phone, context=PHONE_CONTEXT)


def person_target(person: Person) -> Target:
    return Target(kind="person", id=person.pk, owner_person_id=person.pk)


def _password_problems(
    password: str, user: object | None = None, personal: tuple[str, ...] = ()
) -> list[Problem]:
    """Django's password validators, plus: not built from the person's own ID number, mobile
    number or name (which the similarity validator cannot see before the account exists)."""
    if len(password) > 128:
        return [Problem(field="password", reason=str(_("A password has at most 128 characters.")))]
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [Problem(field="password", reason=str(m)) for m in exc.messages]
    folded = normalise_code(password)
    for value in personal:
        value = normalise_code(value)
        if value and (value in folded or (len(value) >= 6 and value[-6:] in folded)):
            reason = _("The password must not contain your ID number, mobile number or name.")
            return [Problem(field="password", reason=str(reason))]
    return []


def person_register(
    *,
    id_number: str,
    name: str,
    phone: str,
    password: str,
    code: str,
    email: str = "",
) -> Person:
    """Create a person's account at L1: the phone number is proven by the code sent to it.

    Every field is checked before the code is used, so a typo does not burn the code; an ID
    number or phone number that already has an account is refused (409).
    """
    problems: list[Problem] = []
    try:
        citizen = parse_citizen_id(id_number, known_regions=known_regions())
    except InvalidInput as exc:
        problems += exc.problems
        citizen = None
    name, problem = clean_name(name)
    problems += [problem] if problem else []
    phone, problem = clean_phone(phone)
    problems += [problem] if problem else []
    email, problem = clean_email(email)
    problems += [problem] if problem else []
    personal = (citizen.number if citizen else "", phone, name)
    problems += _password_problems(password, personal=personal)
    if problems or citizen is None:
        raise InvalidInput(problems=problems)
    # The code first: without it, nobody learns whether a number has an account.
    code_check(purpose="register", channel="sms", destination=phone, code=code, field="code")
    if Person.objects.filter(id_number_index=id_number_index(citizen.number)).exists():
        raise Conflict(
            _("An account with this ID number exists already. Log in, or reset the password.")
        )
    if Person.objects.filter(phone_index=phone_index(phone)).exists():
        raise Conflict(_("This mobile number belongs to another account."))
    return _person_create(
        citizen=citizen,
        name=name,
        phone=phone,
        email=email,
        password=password,
        level=AssuranceLevel.L1,
        method="phone",
        actor=None,
    )


def _person_create(
    *,
    citizen: CitizenId,
    name: str,
    phone: str,
    email: str,
    password: str | None,
    level: int,
    method: str,
    actor: Actor | None,
) -> Person:
    now = timezone.now()
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=f"p-{secrets.token_hex(8)}", password=password, first_name=name[:150]
            )
            if password is None:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            person = Person.objects.create(
                user=user,
                name=name,
                id_number_index=id_number_index(citizen.number),
                id_number_sealed=seal(citizen.number, context=ID_NUMBER_CONTEXT),
                id_number_masked=mask_id_number(citizen.number),
                sex=citizen.sex,
                birth_date=citizen.birth_date,
                phone_index=phone_index(phone) if phone else "",
                phone_sealed=seal(phone, context=PHONE_CONTEXT) if phone else "",
                phone_masked=mask_phone(phone),
                phone_verified_at=now if phone and method == "phone" else None,
                email=email,
                assurance_level=level,
                assurance_method=method,
                assured_at=now,
            )
            audit_log(
                actor=actor
                or Actor(kind="user", user_id=user.pk, label=user.username, person_id=person.pk),
                action="identity.person.register",
                object_type="person",
                object_id=person.pk,
                data={
                    "id_number": person.id_number_masked,
                    "phone": person.phone_masked,
                    "level": level,
                    "method": method,
                },
            )
    except IntegrityError as exc:  # a concurrent registration of the same number or phone
        raise Conflict(
            _("An account with this ID number or mobile number exists already.")
        ) from exc
    return person


def person_create_at_counter(
    *, actor: Actor, id_number: str, name: str, phone: str = "", password: str | None = None
) -> Person:
    """A window clerk registers a walk-in whose ID card they have checked: level L3. Without a
    password the person sets one later through the password reset by SMS."""
    authorize(actor, "person.confirm_in_person", Target(kind="person"))
    problems: list[Problem] = []
    try:
        citizen = parse_citizen_id(id_number, known_regions=known_regions())
    except InvalidInput as exc:
        problems += exc.problems
        citizen = None
    name, problem = clean_name(name)
    problems += [problem] if problem else []
    if phone:
        phone, problem = clean_phone(phone)
        problems += [problem] if problem else []
    if password is not None:
        problems += _password_problems(password)
    if problems or citizen is None:
        raise InvalidInput(problems=problems)
    if Person.objects.filter(id_number_index=id_number_index(citizen.number)).exists():
        raise Conflict(_("An account with this ID number exists already."))
    return _person_create(
        citizen=citizen,
        name=name,
        phone=phone,
        email="",
        password=password,
        level=AssuranceLevel.L3,
        method="counter",
        actor=actor,
    )


def _person(person_id: int, *, lock: bool = False) -> Person:
    query = Person.objects.select_for_update() if lock else Person.objects
    person = query.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    return person


def person_verify_with_registry(*, actor: Actor, person_id: int) -> Person:
    """Raise a person to L2 when the population registry holds their name and ID number,
    asked through the exchange's population verification service (a yes / no answer, logged
    and shown in the person's data tracker). The call is made outside the transaction that
    raises the level, so its log record stands whatever the answer."""
    person = _person(person_id)
    authorize(actor, "person.update", person_target(person))
    if person.assurance_level >= AssuranceLevel.L2:
        return person
    try:
        answer = shared_call(
            function="identity",
            service="population-verify",
            query={"id_number": person.id_number, "name": person.name},
            user=actor.reference,
            purpose=str(gettext_noop("Identity assurance L2: name and ID number checked")),
        )
    except SharingRefused as exc:
        audit_log(
            actor=actor,
            action="identity.person.registry_unavailable",
            object_type="person",
            object_id=person.pk,
            data={"reason": exc.reason, "message_id": exc.message_id},
        )
        raise Unavailable(
            _(
                "The population registry cannot be asked right now. Try again later, or have "
                "your identity confirmed at any service window."
            )
        ) from None
    if answer.data.get("match") is not True:
        audit_log(
            actor=actor,
            action="identity.person.registry_mismatch",
            object_type="person",
            object_id=person.pk,
            data={"message_id": answer.message_id},
        )
        raise InvalidInput(
            _(
                "The population registry does not hold this name with this ID number. "
                "Check your name, or have your identity confirmed at any service window."
            )
        )
    with transaction.atomic():
        person = _person(person_id, lock=True)
        if person.assurance_level >= AssuranceLevel.L2:
            return person
        person.assurance_level = AssuranceLevel.L2
        person.assurance_method = "registry"
        person.assured_at = timezone.now()
        person.save(update_fields=["assurance_level", "assurance_method", "assured_at"])
        audit_log(
            actor=actor,
            action="identity.person.assure",
            object_type="person",
            object_id=person.pk,
            data={"level": 2, "method": "registry", "message_id": answer.message_id},
        )
    return person


def person_confirm_in_person(*, actor: Actor, person_id: int) -> Person:
    """A window clerk confirms a person's identity face to face: L3."""
    with transaction.atomic():
        person = _person(person_id, lock=True)
        authorize(actor, "person.confirm_in_person", person_target(person))
        person.assurance_level = AssuranceLevel.L3
        person.assurance_method = "counter"
        person.assured_at = timezone.now()
        person.save(update_fields=["assurance_level", "assurance_method", "assured_at"])
        audit_log(
            actor=actor,
            action="identity.person.assure",
            object_type="person",
            object_id=person.pk,
            data={"level": 3, "method": "counter"},
        )
    return person


def staff_data_use(*, actor: Actor, person: Person, service: str, purpose: str) -> None:
    """Append what the person's data tracker shows of a staff member's look at their data."""
    from tongban.organizations.selectors import acting_unit_name

    if actor.person_id == person.pk:
        return  # the person's own look
    grant = next(iter(actor.grants), None)
    data_use_record(
        subject_kind=PERSON,
        subject_index=person.id_number_index,
        channel=DataUseRecord.Channel.STAFF,
        department=acting_unit_name(
            department_id=grant.department_id if grant else None,
            region_code=grant.region_code if grant else None,
        )
        or actor.label,
        service=service,
        purpose=purpose,
    )


def person_find_by_id_number(*, actor: Actor, id_number: str) -> Person | None:
    """A clerk's look-up of a person by ID number at the counter (audited)."""
    if not actor.has_role("window_clerk"):
        raise Forbidden()
    citizen = parse_citizen_id(id_number, known_regions=known_regions())
    person = Person.objects.filter(id_number_index=id_number_index(citizen.number)).first()
    audit_log(
        actor=actor,
        action="identity.person.lookup",
        object_type="person",
        object_id=person.pk if person else "",
        data={"id_number": mask_id_number(citizen.number), "found": person is not None},
    )
    if person is not None:
        staff_data_use(
            actor=actor,
            person=person,
            service=gettext_noop("Identity look-up at a service window"),
            purpose=gettext_noop("Identifying the applicant at the window"),
        )
    return person


def person_reveal_id_number(*, actor: Actor, person_id: int, reason: str = "") -> str:
    """The full ID number, for the person themselves or a role that needs it; audited."""
    person = _person(person_id)
    authorize(actor, "person.reveal_id_number", person_target(person))
    audit_log(
        actor=actor,
        action="identity.person.reveal",
        object_type="person",
        object_id=person.pk,
        data={"field": "id_number", "reason": reason[:200]},
    )
    staff_data_use(
        actor=actor,
        person=person,
        service=gettext_noop("Full ID number shown"),
        purpose=reason[:200],
    )
    return person.id_number


def company_register(*, actor: Actor, credit_code: str) -> Company:
    """Link a company to its legal representative's account (法人注册).

    The company registry must list the actor (L2 or above) as the representative of a company
    in business; the company's name comes from the registry.
    """
    if actor.person_id is None:
        raise Forbidden()
    if actor.assurance_level < AssuranceLevel.L2:
        raise Forbidden(
            _("Registering a company needs assurance level L2. Verify your identity first.")
        )
    problem = credit_code_problem(credit_code)
    if problem:
        raise InvalidInput(problems=[Problem(field="credit_code", reason=problem)])
    code = clean_credit_code(credit_code)
    person = _person(actor.person_id)
    if not company_representative_matches(
        credit_code=code, id_number=person.id_number, name=person.name
    ):
        raise InvalidInput(
            problems=[
                Problem(
                    field="credit_code",
                    reason=str(
                        _(
                            "The company registry does not list you as the legal representative "
                            "of a company in business with this code."
                        )
                    ),
                )
            ]
        )
    record = company_record_get(credit_code=code)
    assert record is not None
    with transaction.atomic():
        company, created = Company.objects.get_or_create(
            credit_code=code,
            defaults={
                "name": record.name,
                "representative": person,
                "registry_matched_at": timezone.now(),
            },
        )
        if not created and company.representative_id != person.pk:
            # The registry names a new representative: the account follows the registry.
            company.representative = person
            company.registry_matched_at = timezone.now()
            company.save(update_fields=["representative", "registry_matched_at"])
        audit_log(
            actor=actor,
            action="identity.company.register",
            object_type="company",
            object_id=company.pk,
            data={"credit_code": code},
        )
    return company


def company_establish(
    *, actor: Actor, representative_id: int, name: str, region_code: str
) -> Company:
    """A company founded through an approved establishment case (设立登记): a new entry in the
    company registry under a new credit code, and the company's account with the applicant as
    its legal representative, so the founder can act for it at once. Runs in the caller's
    transaction (the case engine's decision, which was authorised there)."""
    from tongban.registries.services import company_record_establish

    person = _person(representative_id)
    record = company_record_establish(
        name=name,
        region_code=region_code,
        representative_id_number=person.id_number,
        representative_name=person.name,
        registered_on=timezone.localdate(),
    )
    company = Company.objects.create(
        credit_code=record.credit_code,
        name=record.name,
        representative=person,
        registry_matched_at=timezone.now(),
    )
    audit_log(
        actor=actor,
        action="identity.company.establish",
        object_type="company",
        object_id=company.pk,
        data={"credit_code": record.credit_code},
    )
    return company


def company_by_credit_code(credit_code: str) -> Company | None:
    return Company.objects.filter(credit_code=normalise_code(credit_code)).first()


def password_reset(*, phone: str, code: str, password: str) -> None:
    """Set a new password with a code sent to the account's mobile; every other session and
    single sign-on token of the account ends."""
    phone_value, problem = clean_phone(phone)
    if problem:
        raise InvalidInput(problems=[problem])
    person = (
        Person.objects.select_related("user").filter(phone_index=phone_index(phone_value)).first()
    )
    personal = (person.id_number, phone_value, person.name) if person else ()
    problems = _password_problems(password, person.user if person else None, personal)
    if problems:
        raise InvalidInput(problems=problems)
    code_check(purpose="reset", channel="sms", destination=phone_value, code=code, field="code")
    if person is None or person.phone_verified_at is None:
        # A code is only sent to a verified number of an account.
        raise NotFound()
    from tongban.identity.services.sessions import sessions_end

    with transaction.atomic():
        person.user.set_password(password)
        person.user.save(update_fields=["password"])
        actor = Actor(
            kind="user", user_id=person.user_id, label=person.user.username, person_id=person.pk
        )
        audit_log(
            actor=actor, action="identity.password.reset", object_type="person", object_id=person.pk
        )
        sessions_end(actor=actor, user_id=person.user_id)


def person_email_set(*, actor: Actor, person_id: int, email: str, code: str) -> Person:
    """Set and verify the person's e-mail address with a code sent to it."""
    person = _person(person_id)
    authorize(actor, "person.update", person_target(person))
    email, problem = clean_email(email)
    if problem or not email:
        raise InvalidInput(
            problems=[problem or Problem(field="email", reason=str(_("Enter an e-mail address.")))]
        )
    code_check(purpose="verify", channel="email", destination=email, code=code, field="code")
    with transaction.atomic():
        person.email = email
        person.email_verified_at = timezone.now()
        person.save(update_fields=["email", "email_verified_at"])
        audit_log(
            actor=actor, action="identity.person.email", object_type="person", object_id=person.pk
        )
    return person


def person_phone_code_send(*, actor: Actor, person_id: int) -> None:
    """At the counter: send a code to the mobile number a walk-in gave (to verify it)."""
    person = _person(person_id)
    authorize(actor, "person.confirm_in_person", person_target(person))
    if not person.phone_sealed:
        raise InvalidInput(
            problems=[Problem(field="phone", reason=str(_("This person has no mobile number.")))]
        )
    from tongban.identity.services.codes import code_send

    code_send(purpose="verify", channel="sms", destination=person.phone)


def person_phone_verify(*, actor: Actor, person_id: int, code: str) -> Person:
    """At the counter: the walk-in reads out the code; their number is verified, so they can
    set a password with it later (password reset only uses verified numbers)."""
    person = _person(person_id)
    authorize(actor, "person.confirm_in_person", person_target(person))
    code_check(purpose="verify", channel="sms", destination=person.phone, code=code, field="code")
    with transaction.atomic():
        person.phone_verified_at = timezone.now()
        person.save(update_fields=["phone_verified_at"])
        audit_log(
            actor=actor,
            action="identity.person.phone_verified",
            object_type="person",
            object_id=person.pk,
        )
    return person


def login_code_send(*, phone: str) -> None:
    """Send a log-in code to a verified mobile number of an account; for any other number
    nothing is sent and nothing is said (no one learns which numbers have accounts)."""
    phone_value, problem = clean_phone(phone)
    if problem:
        raise InvalidInput(problems=[problem])
    person = Person.objects.filter(phone_index=phone_index(phone_value)).first()
    if person is None or person.phone_verified_at is None:
        return
    from tongban.identity.services.codes import code_send

    code_send(purpose="login", channel="sms", destination=phone_value)


def login_by_code(*, phone: str, code: str) -> Any:
    """The user of the account whose verified mobile received ``code`` (a log-in without a
    password, at assurance level unchanged). Wrong codes count against the code's attempts."""
    phone_value, problem = clean_phone(phone)
    if problem:
        raise InvalidInput(problems=[problem])
    code_check(purpose="login", channel="sms", destination=phone_value, code=code, field="code")
    person = (
        Person.objects.select_related("user")
        .filter(phone_index=phone_index(phone_value), phone_verified_at__isnull=False)
        .first()
    )
    if person is None or not person.user.is_active:
        raise InvalidInput(
            problems=[Problem(field="code", reason=str(_("The code is wrong or has expired.")))]
        )
    audit_log(
        actor=Actor(
            kind="user", user_id=person.user_id, label=person.user.username, person_id=person.pk
        ),
        action="identity.login.code",
        object_type="person",
        object_id=person.pk,
    )
    return person.user


def person_phone_change(*, actor: Actor, person_id: int, phone: str, code: str) -> Person:
    """Change the person's mobile number to one proven by the code sent to it."""
    person = _person(person_id)
    authorize(actor, "person.update", person_target(person))
    phone_value, problem = clean_phone(phone)
    if problem:
        raise InvalidInput(problems=[problem])
    code_check(purpose="verify", channel="sms", destination=phone_value, code=code, field="code")
    if Person.objects.filter(phone_index=phone_index(phone_value)).exclude(pk=person.pk).exists():
        raise Conflict(_("This mobile number belongs to another account."))
    with transaction.atomic():
        person.phone_index = phone_index(phone_value)
        person.phone_sealed = seal(phone_value, context=PHONE_CONTEXT)
        person.phone_masked = mask_phone(phone_value)
        person.phone_verified_at = timezone.now()
        try:
            person.save(
                update_fields=["phone_index", "phone_sealed", "phone_masked", "phone_verified_at"]
            )
        except IntegrityError as exc:
            raise Conflict(_("This mobile number belongs to another account.")) from exc
        audit_log(
            actor=actor,
            action="identity.person.phone",
            object_type="person",
            object_id=person.pk,
            data={"phone": person.phone_masked},
        )
    return person
