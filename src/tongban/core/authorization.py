"""One answer to "may this actor do this to this object", used by every service.

An action names who may perform it (``RULES``): the owner of the object (a person's own
records), an agent acting for the owning company within their mandate, and staff holding one
of the listed roles with a grant covering the object's department and region. Services describe
the object as a ``Target`` and call ``authorize``; views may call ``permits`` to decide what to
show, but the service check is the one that counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import Forbidden
from tongban.core.types import Actor


@dataclass(frozen=True)
class Target:
    """What an action touches, described by who owns it and where it belongs."""

    kind: str
    id: object = None
    owner_person_id: int | None = None
    owner_company_id: int | None = None
    department_id: int | None = None
    region_code: str | None = None
    item_code: str | None = None  # the base item code an agent's mandate must cover


@dataclass(frozen=True)
class Rule:
    staff_roles: tuple[str, ...] = ()
    owner: bool = False  # the person who owns the object
    company_agent: bool = False  # acting for the owning company, within the mandate
    company_representative: bool = False  # acting for the owning company as its representative
    min_assurance: int = 0  # for owners and agents
    # The staff role counts wherever it is held: any clerk at any window serves any person
    # (无差别受理), whatever department or region the clerk's grant names.
    staff_anywhere: bool = False
    # Only a grant without a department or region counts (managing staff and clients: a
    # department's administrator must not make themselves the city's).
    global_only: bool = False
    # An agent may act whatever the item (the company itself, not an application for an item).
    agent_any_item: bool = False


RULES: dict[str, Rule] = {
    # identity
    "person.view": Rule(
        owner=True, staff_roles=("window_clerk", "supervisor", "auditor"), staff_anywhere=True
    ),
    "person.update": Rule(owner=True),
    "person.reveal_id_number": Rule(
        owner=True, staff_roles=("window_clerk", "auditor"), staff_anywhere=True
    ),
    "person.confirm_in_person": Rule(staff_roles=("window_clerk",), staff_anywhere=True),
    "person.serve_at_counter": Rule(staff_roles=("window_clerk",), staff_anywhere=True),
    "company.view": Rule(company_agent=True, company_representative=True, agent_any_item=True),
    "company.mandate.manage": Rule(company_representative=True, min_assurance=2),
    "company.mandate.view": Rule(company_representative=True, staff_roles=("auditor",)),
    "staff.manage": Rule(staff_roles=("administrator",), global_only=True),
    "oidc.client.manage": Rule(staff_roles=("administrator",), global_only=True),
    # catalog
    "catalog.item.edit": Rule(staff_roles=("catalog_manager",)),
    "catalog.item.publish": Rule(staff_roles=("catalog_manager",)),
    # Base items (the national standard) and themes: administrators only.
    "catalog.base.edit": Rule(staff_roles=("administrator",)),
    # organisations
    "organizations.manage": Rule(staff_roles=("administrator",)),
    "calendar.manage": Rule(staff_roles=("administrator",), global_only=True),
    "audit.view": Rule(staff_roles=("auditor",)),
    # cases: applicants (themselves or their company's agents within the mandate's items);
    # any window clerk of the city takes any item (无差别受理); the competent department's
    # reviewers pre-review online applications; tasks go by the step's role (permits_role).
    "case.apply": Rule(owner=True, company_agent=True),
    "case.view": Rule(
        owner=True,
        company_agent=True,
        company_representative=True,
        staff_roles=("reviewer", "approver", "supervisor", "auditor"),
    ),
    "case.accept": Rule(staff_roles=("window_clerk",), staff_anywhere=True),
    "case.prereview": Rule(staff_roles=("reviewer",)),
    "case.handover": Rule(staff_roles=("window_clerk",), staff_anywhere=True),
    # certificates: the issuing department's approvers issue and change status; holders (and
    # their company's agents) and the department's staff read them.
    "certificate.issue": Rule(staff_roles=("approver",)),
    "certificate.status.change": Rule(staff_roles=("approver",)),
    "certificate.view": Rule(
        owner=True,
        company_agent=True,
        company_representative=True,
        agent_any_item=True,
        staff_roles=("reviewer", "approver", "supervisor", "auditor"),
    ),
    "certificate.keys.manage": Rule(staff_roles=("administrator",)),
    # 用证: the staff who handle applications anywhere look certificates up, stating why.
    "certificate.lookup": Rule(
        staff_roles=("window_clerk", "reviewer", "approver"), staff_anywhere=True
    ),
    # exchange: a department's data managers register its systems and request access for them;
    # the provider's data managers answer requests and publish resources; supervisors and
    # auditors watch the traffic.
    "exchange.system.manage": Rule(staff_roles=("data_manager",)),
    "exchange.grant.request": Rule(staff_roles=("data_manager",)),
    "exchange.grant.decide": Rule(staff_roles=("data_manager",)),
    "exchange.monitor.view": Rule(staff_roles=("data_manager", "supervisor", "auditor")),
    # The data tracker: a person's own, a company's for its representative and agents.
    "exchange.tracker.view": Rule(
        owner=True, company_agent=True, company_representative=True, agent_any_item=True
    ),
}


def _acting_for(actor: Actor, target: Target) -> bool:
    return (
        target.owner_company_id is not None
        and actor.acting_for_company_id == target.owner_company_id
    )


def permits(actor: Actor, action: str, target: Target) -> bool:
    rule = RULES[action]
    if actor.is_superuser:
        return True
    if rule.global_only:
        return any(
            g.role in (*rule.staff_roles, "administrator")
            and g.department_id is None
            and g.region_code is None
            for g in actor.grants
        )
    for role in rule.staff_roles:
        if rule.staff_anywhere and actor.has_role(role):
            return True
        if actor.may(role, department_id=target.department_id, region_code=target.region_code):
            return True
    if actor.person_id is None or actor.assurance_level < rule.min_assurance:
        return False
    if rule.owner and actor.person_id == target.owner_person_id:
        return True
    # Only the legal representative manages the company's agents, whoever they act for now.
    if rule.company_representative and target.owner_company_id in actor.represented_company_ids:
        return True
    if rule.company_agent and _acting_for(actor, target):
        codes = actor.mandate_item_codes
        # An agent limited to some items is refused when the object names no item: deny by
        # default, unless the rule says the item does not matter.
        if codes is None or rule.agent_any_item or target.item_code in codes:
            return True
    return False


def permits_role(actor: Actor, role: str, target: Target) -> bool:
    """Whether the actor holds ``role`` over the target's department and region (for work
    whose role is data, such as an approval step)."""
    return actor.may(role, department_id=target.department_id, region_code=target.region_code)


def authorize(actor: Actor, action: str, target: Target) -> None:
    """Raise ``Forbidden`` unless ``actor`` may perform ``action`` on ``target``."""
    if not permits(actor, action, target):
        rule = RULES[action]
        if actor.person_id is not None and actor.assurance_level < rule.min_assurance:
            raise Forbidden(
                _(
                    "This needs a higher identity assurance level (L%(level)s). "
                    "Your profile page explains how to reach it."
                )
                % {"level": rule.min_assurance}
            )
        raise Forbidden()
