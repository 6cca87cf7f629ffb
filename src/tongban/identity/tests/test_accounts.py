"""Persons and companies through the identity services: registration, assurance, privacy."""

from __future__ import annotations

import pytest

from tongban.core.crypto import blind_index
from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.core.models import AuditRecord
from tongban.core.types import Actor
from tongban.demo import people
from tongban.identity import services
from tongban.identity.models import AssuranceLevel, Company, Person
from tongban.identity.selectors import actor_for_user
from tongban.identity.services.codes import TooManyRequests
from tongban.identity.tests.helpers import last_code

pytestmark = pytest.mark.django_db


def _actor(person: Person) -> Actor:
    return actor_for_user(person.user)


def test_registration_by_sms_code_gives_l1_with_derived_facts(new_identity):
    id_number, phone = new_identity(birth="19920229")
    services.code_send(purpose="register", channel="sms", destination=phone)
    person = services.person_register(
        id_number=f" {id_number.lower()} ",
        name=" 测试 ",
        phone=f"+86 {phone[:3]}-{phone[3:]}",
        password="A-good-passphrase-2026",
        code=last_code(phone),
    )
    assert person.assurance_level == AssuranceLevel.L1
    assert person.birth_date.isoformat() == "1992-02-29"
    assert person.sex == ("male" if int(id_number[16]) % 2 else "female")
    assert person.name == "测试"
    # Stored sealed, found by blind index, shown masked.
    assert id_number not in person.id_number_sealed and person.id_number == id_number.upper()
    assert person.id_number_masked == id_number[:3] + "*" * 11 + id_number[-4:]
    assert person.phone_masked == phone[:3] + "****" + phone[-4:]
    record = AuditRecord.objects.filter(action="identity.person.register").latest("id")
    assert id_number not in str(record.data) and phone not in str(record.data)


def test_a_wrong_code_is_refused_and_counts(new_identity):
    id_number, phone = new_identity()
    services.code_send(purpose="register", channel="sms", destination=phone)
    wrong = "000000" if last_code(phone) != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(InvalidInput) as info:
            services.person_register(
                id_number=id_number,
                name="甲",
                phone=phone,
                password="A-good-passphrase-2026",
                code=wrong,
            )
        assert info.value.problems[0].field == "code"
    # After five wrong tries even the right code no longer works: ask for a new one.
    with pytest.raises(TooManyRequests):
        services.person_register(
            id_number=id_number,
            name="甲",
            phone=phone,
            password="A-good-passphrase-2026",
            code=last_code(phone),
        )
    assert not Person.objects.filter(phone_index=services.phone_index(phone)).exists()


def test_codes_cannot_be_requested_again_within_a_minute(new_identity):
    _id, phone = new_identity()
    services.code_send(purpose="register", channel="sms", destination=phone)
    with pytest.raises(TooManyRequests):
        services.code_send(purpose="register", channel="sms", destination=phone)


def test_every_bad_field_is_reported_at_once_and_the_code_survives(new_identity):
    _id, phone = new_identity()
    services.code_send(purpose="register", channel="sms", destination=phone)
    with pytest.raises(InvalidInput) as info:
        services.person_register(
            id_number="110105194902300021",  # 30 February
            name="<script>alert(1)</script>",
            phone="12345",
            password="123",
            code=last_code(phone),
            email="not-an-address",
        )
    fields = {p.field for p in info.value.problems}
    assert {"id_number", "name", "phone", "password", "email"} <= fields
    # The code was not used up by the refused attempt.
    id_number, _phone = new_identity()
    person = services.person_register(
        id_number=id_number,
        name="乙",
        phone=phone,
        password="A-good-passphrase-2026",
        code=last_code(phone),
    )
    assert person.pk


def test_the_same_id_number_cannot_register_twice(register, new_identity):
    person = register()
    _id, phone = new_identity()
    services.code_send(purpose="register", channel="sms", destination=phone)
    with pytest.raises(Conflict):
        services.person_register(
            id_number=person.id_number,
            name="丙",
            phone=phone,
            password="A-good-passphrase-2026",
            code=last_code(phone),
        )


@pytest.mark.parametrize(
    ("value", "reason_part"),
    [
        ("11010519491231002Y", "17 digits"),
        ("110105194912310021", "check character"),
        ("1101051949123100", "18 characters"),
        ("110105190002290015", "does not exist"),
        ("110105299901010011", "impossible"),
        ("000105194912310025", "region"),
        ("1101O5194912310O2X", "17 digits"),
        ("'; DROP TABLE identity_person; --", "18 characters"),
    ],
)
def test_citizen_id_errors_say_what_is_wrong(value, reason_part):
    from django.utils import translation

    from tongban.core.ids import citizen_id_problem

    with translation.override("en"):
        problem = citizen_id_problem(value)
    assert problem is not None and reason_part in problem


def test_registry_match_raises_to_l2_and_a_mismatch_does_not(register, zhang):
    assert zhang.assurance_level == AssuranceLevel.L1
    services.person_verify_with_registry(actor=_actor(zhang), person_id=zhang.pk)
    zhang.refresh_from_db()
    assert zhang.assurance_level == AssuranceLevel.L2
    stranger = register()  # not in the population registry
    with pytest.raises(InvalidInput):
        services.person_verify_with_registry(actor=_actor(stranger), person_id=stranger.pk)
    stranger.refresh_from_db()
    assert stranger.assurance_level == AssuranceLevel.L1


def test_nobody_else_can_verify_or_reveal_a_person(zhang, li):
    with pytest.raises(Forbidden):
        services.person_verify_with_registry(actor=_actor(li), person_id=zhang.pk)
    with pytest.raises(Forbidden):
        services.person_reveal_id_number(actor=_actor(li), person_id=zhang.pk)


def test_a_clerk_finds_a_person_confirms_them_in_person_and_reveals_with_audit(zhang):
    from django.contrib.auth import get_user_model

    clerk = actor_for_user(get_user_model().objects.get(username="clerk.city"))
    found = services.person_find_by_id_number(actor=clerk, id_number=people.PEOPLE[0][1])
    assert found == zhang
    services.person_confirm_in_person(actor=clerk, person_id=zhang.pk)
    zhang.refresh_from_db()
    assert zhang.assurance_level == AssuranceLevel.L3
    full = services.person_reveal_id_number(actor=clerk, person_id=zhang.pk, reason="counter")
    assert full == people.PEOPLE[0][1]
    reveal = AuditRecord.objects.filter(action="identity.person.reveal").latest("id")
    assert reveal.actor == clerk.reference and reveal.object_id == str(zhang.pk)
    lookup = AuditRecord.objects.filter(action="identity.person.lookup").latest("id")
    assert people.PEOPLE[0][1] not in str(lookup.data)


def test_a_catalog_manager_cannot_look_up_persons():
    from django.contrib.auth import get_user_model

    manager = actor_for_user(get_user_model().objects.get(username="catalog.city"))
    with pytest.raises(Forbidden):
        services.person_find_by_id_number(actor=manager, id_number=people.PEOPLE[0][1])


def test_company_registration_needs_l2_and_the_registry(zhang, li):
    qingfeng = people.COMPANIES[1][1]  # 张伟 represents it
    with pytest.raises(Forbidden):
        services.company_register(actor=_actor(zhang), credit_code=qingfeng)
    services.person_verify_with_registry(actor=_actor(zhang), person_id=zhang.pk)
    zhang.refresh_from_db()
    company = services.company_register(actor=_actor(zhang), credit_code=qingfeng.lower())
    assert company.representative == zhang and company.name == people.COMPANIES[1][0]
    # 李娜 is not its representative; the revoked company cannot be registered at all.
    with pytest.raises(InvalidInput):
        services.company_register(actor=_actor(li), credit_code=qingfeng)
    with pytest.raises(InvalidInput):
        services.company_register(actor=_actor(zhang), credit_code=people.COMPANIES[2][1])
    with pytest.raises(InvalidInput) as info:
        services.company_register(actor=_actor(zhang), credit_code="91110000600037341M")
    assert info.value.problems[0].field == "credit_code"
    assert Company.objects.filter(credit_code=qingfeng).count() == 1


def test_blind_indexes_depend_on_the_key(settings):
    value = people.PEOPLE[0][1]
    first = blind_index(value, context="id_number")
    settings.PII_INDEX_KEY = "another key"
    assert blind_index(value, context="id_number") != first
