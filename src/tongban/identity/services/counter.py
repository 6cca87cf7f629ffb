"""At the window (窗口): a clerk serves a person who came in, and says so.

While a clerk serves a person, everything the clerk does is recorded with that person
(``Actor.serving_person_id`` goes into every audit record)."""

from __future__ import annotations

from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.errors import NotFound
from tongban.core.types import Actor
from tongban.identity.models import Person


def counter_serve_start(*, actor: Actor, person_id: int) -> Person:
    """Start serving ``person_id`` at the counter; the caller keeps it in the clerk's session."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound()
    authorize(actor, "person.serve_at_counter", Target(kind="person", id=person.pk))
    audit_log(
        actor=actor,
        action="identity.counter.serve",
        object_type="person",
        object_id=person.pk,
        data={"serving_person": person.pk},
    )
    return person


def counter_serve_end(*, actor: Actor) -> None:
    if actor.serving_person_id is None:
        return
    audit_log(
        actor=actor,
        action="identity.counter.serve_end",
        object_type="person",
        object_id=actor.serving_person_id,
    )
