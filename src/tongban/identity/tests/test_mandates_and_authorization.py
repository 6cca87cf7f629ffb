"""Mandates, acting for a company, and the authorisation matrix (every role against every
other role's objects)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tongban.core.authorization import RULES, Target, permits
from tongban.core.errors import Forbidden, InvalidInput
from tongban.core.models import AuditRecord
from tongban.demo import people
from tongban.identity import services
from tongban.identity.models import Company
from tongban.identity.selectors import ACTING_FOR_KEY, actor_for_user, companies_for_person
from tongban.identity.tests.helpers import in_days

pytestmark = pytest.mark.django_db


def _company() -> Company:
    return Company.objects.get(credit_code=people.COMPANIES[0][1])


def _as(person, company=None):
    session = {ACTING_FOR_KEY: company.pk} if company else {}
    return actor_for_user(person.user, session)


def _staff(username: str):
    return actor_for_user(get_user_model().objects.get(username=username))


def test_representative_grants_an_item_mandate_and_the_agent_acts_within_it(li, zhang, register):
    company = _company()
    agent = register(name="赵六")
    mandate = services.mandate_grant(
        actor=_as(li, company),
        company_id=company.pk,
        agent_id_number=agent.id_number,
        agent_name="赵六",
        valid_from=in_days(0),
        valid_until=in_days(30),
        item_codes=["1101a", " 1102B "],
    )
    assert mandate.item_codes == ["1101A", "1102B"] and not mandate.all_items
    acting = _as(agent, company)
    assert acting.acting_for_company_id == company.pk
    assert acting.mandate_item_codes == ("1101A", "1102B")
    target = Target(kind="case", owner_company_id=company.pk, item_code="1101A")
    assert permits(acting, "case.apply", target)
    other_item = Target(kind="case", owner_company_id=company.pk, item_code="9999X")
    assert not permits(acting, "case.apply", other_item)
    # Without an item named, an item-limited agent is refused (deny by default) ...
    assert not permits(acting, "case.apply", Target(kind="case", owner_company_id=company.pk))
    # ... except where the item does not matter (seeing the company itself).
    assert permits(acting, "company.view", other_item)
    # An agent cannot manage the company's agents.
    with pytest.raises(Forbidden):
        services.mandate_grant(
            actor=acting,
            company_id=company.pk,
            agent_id_number=zhang.id_number,
            agent_name=zhang.name,
            valid_from=in_days(0),
            valid_until=in_days(3),
        )
    grant = AuditRecord.objects.filter(action="identity.mandate.grant").latest("id")
    assert grant.data["acting_for_company"] == company.pk


def test_revocation_takes_effect_on_the_next_request(li, wang):
    company = _company()
    before = _as(wang, company)
    assert before.acting_for_company_id == company.pk  # the demo mandate, all items
    mandate = company.mandates.get(agent=wang)
    services.mandate_revoke(actor=_as(li, company), mandate_id=mandate.pk, reason="left the firm")
    after = _as(wang, company)
    assert after.acting_for_company_id is None
    assert company.pk not in [link.company.pk for link in companies_for_person(person_id=wang.pk)]
    with pytest.raises(Forbidden):
        services.acting_for_set(actor=_as(wang), company_id=company.pk)


def test_mandate_input_is_checked(li, zhang):
    company = _company()
    actor = _as(li, company)
    with pytest.raises(InvalidInput) as info:
        services.mandate_grant(
            actor=actor,
            company_id=company.pk,
            agent_id_number="11010519491231002Y",
            agent_name="<b>x</b>",
            valid_from=in_days(-1),
            valid_until=in_days(-2),
            item_codes=["ok01", "<script>"],
        )
    fields = {p.field for p in info.value.problems}
    assert {"agent_id_number", "agent_name", "valid_from", "valid_until", "item_codes"} <= fields
    # Unknown person and wrong name get the same answer.
    for number, name in [(people.PEOPLE[3][1], people.PEOPLE[3][0]), (zhang.id_number, "李四")]:
        with pytest.raises(InvalidInput) as info:
            services.mandate_grant(
                actor=actor,
                company_id=company.pk,
                agent_id_number=number,
                agent_name=name,
                valid_from=in_days(0),
                valid_until=in_days(10),
            )
        assert info.value.problems[0].field == "agent_id_number"
    with pytest.raises(InvalidInput):
        services.mandate_grant(
            actor=actor,
            company_id=company.pk,
            agent_id_number=zhang.id_number,
            agent_name=zhang.name,
            valid_from=in_days(0),
            valid_until=in_days(6 * 366),
        )


def test_a_representative_at_l1_is_told_to_verify(li):
    from tongban.identity.models import Person

    Person.objects.filter(pk=li.pk).update(assurance_level=1)
    li.refresh_from_db()
    company = _company()
    with pytest.raises(Forbidden) as info:
        services.mandate_grant(
            actor=_as(li, company),
            company_id=company.pk,
            agent_id_number="x",
            agent_name="x",
            valid_from=in_days(0),
            valid_until=in_days(1),
        )
    assert "L2" in str(info.value.message)


def test_acting_for_is_refused_for_strangers(zhang):
    with pytest.raises(Forbidden):
        services.acting_for_set(actor=_as(zhang), company_id=_company().pk)
    assert _as(zhang, _company()).acting_for_company_id is None  # a forged session key


# ---------------------------------------------------------------------------------------------
# The matrix: each actor against objects of the others. True where access is expected.


def _actors(li, zhang, wang):
    company = _company()
    return {
        "person_zhang": _as(zhang),
        "person_li": _as(li),
        "representative_li": _as(li, company),
        "agent_wang": _as(wang, company),
        "agent_wang_self": _as(wang),
        "clerk": _staff("clerk.city"),
        "catalog_city": _staff("catalog.city"),
        "catalog_amr": _staff("catalog.amr"),
        "auditor": _staff("auditor"),
        "data_manager": _staff("data.city"),
        "admin_superuser": _staff("admin"),
    }


def test_every_role_is_refused_every_object_outside_its_scope(li, zhang, wang):
    from tongban.organizations.models import Department

    company = _company()
    actors = _actors(li, zhang, wang)
    amr = Department.objects.filter(name__contains="市场监督管理局", region_id="990100").first()
    other = Department.objects.exclude(pk=amr.pk).filter(region_id="990100").first()
    zhang_record = Target(kind="person", id=zhang.pk, owner_person_id=zhang.pk)
    company_record = Target(kind="company", id=company.pk, owner_company_id=company.pk)
    amr_item = Target(kind="item", department_id=amr.pk, region_code="990100")
    other_item = Target(kind="item", department_id=other.pk, region_code="990100")
    expected = {
        ("person.update", "zhang"): {"person_zhang", "admin_superuser"},
        ("person.reveal_id_number", "zhang"): {
            "person_zhang",
            "clerk",
            "auditor",
            "admin_superuser",
        },
        ("person.confirm_in_person", "zhang"): {"clerk", "admin_superuser"},
        # The representative manages and sees the company whoever they act for at the moment.
        ("company.mandate.manage", "company"): {
            "representative_li",
            "person_li",
            "admin_superuser",
        },
        ("company.view", "company"): {
            "representative_li",
            "person_li",
            "agent_wang",
            "admin_superuser",
        },
        ("catalog.item.publish", "amr_item"): {"catalog_city", "catalog_amr", "admin_superuser"},
        ("catalog.item.publish", "other_item"): {"catalog_city", "admin_superuser"},
        ("staff.manage", "none"): {"admin_superuser"},
        ("audit.view", "none"): {"auditor", "admin_superuser"},
    }
    targets = {
        "zhang": zhang_record,
        "company": company_record,
        "amr_item": amr_item,
        "other_item": other_item,
        "none": Target(kind="none"),
    }
    failures = []
    for (action, target_name), allowed in expected.items():
        assert action in RULES
        for name, actor in actors.items():
            got = permits(actor, action, targets[target_name])
            if got != (name in allowed):
                failures.append((action, target_name, name, got))
    assert failures == []


def test_services_refuse_cross_person_and_cross_company_access(li, zhang, wang, register):
    company = _company()
    other_rep = register(name="孙七")
    other_company = Company.objects.create(
        credit_code=people.COMPANIES[1][1], name="别家公司", representative=other_rep
    )
    mandate = company.mandates.get(agent=wang)
    # Another company's representative cannot revoke this company's mandate.
    from tongban.identity.models import Person

    Person.objects.filter(pk=other_rep.pk).update(assurance_level=2)
    other_rep.refresh_from_db()
    with pytest.raises(Forbidden):
        services.mandate_revoke(actor=_as(other_rep, other_company), mandate_id=mandate.pk)
    # The agent of this company cannot act for the other one.
    assert _as(wang, other_company).acting_for_company_id is None
    # A person cannot end another user's sessions.
    with pytest.raises(Forbidden):
        services.sessions_end(actor=_as(zhang), user_id=li.user_id)
