"""The applicant hears of each step they care about: a message in their inbox, and by e-mail
and SMS through the adapters — written in the case's transaction, sent after it commits."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case

# kind → (title, body), rendered in the recipient's language with the item and case number.
MESSAGES = {
    "case.accepted": (_("Your application is accepted"), _("%(item)s (%(number)s) is accepted.")),
    "case.refused": (
        _("Your application is not accepted"),
        _("%(item)s (%(number)s) is not accepted: %(reason)s"),
    ),
    "case.notice": (
        _("Materials are missing"),
        _(
            "%(item)s (%(number)s): the department lists what is missing. "
            "Complete it and submit again."
        ),
    ),
    "case.correction_requested": (
        _("Please correct your application"),
        _(
            "%(item)s (%(number)s): the department asks for a correction. "
            "The time limit stops until you answer."
        ),
    ),
    "case.approved": (_("Your application is approved"), _("%(item)s (%(number)s) is approved.")),
    "case.certificate_issued": (
        _("Your electronic certificate is issued"),
        _(
            "%(item)s (%(number)s): the electronic certificate is in My certificates; "
            "show it from your phone, no paper needed."
        ),
    ),
    "case.rejected": (
        _("Your application is rejected"),
        _("%(item)s (%(number)s) is rejected: %(reason)s"),
    ),
    "case.ready_for_pickup": (
        _("Your result is ready"),
        _("%(item)s (%(number)s): the result is ready; collect it at any service window."),
    ),
}


def _recipients(case: Case) -> set[int]:
    users = set()
    if case.applicant_person_id:
        users.add(case.applicant_person.user_id)
    if case.submitted_by_id and case.channel == Case.Channel.ONLINE:
        users.add(case.submitted_by_id)
    return users


def notify_applicant(case: Case, kind: str, *, link: str = "") -> None:
    """Call inside the transaction of the transition (the message commits with it)."""
    from tongban.notifications.services import notify

    title, body = MESSAGES[kind]
    params = {"item": case.version.name, "number": case.number, "reason": case.outcome_reason}
    person = case.applicant_person if case.applicant_person_id else None
    for user_id in sorted(_recipients(case)):
        notify(
            user_id=user_id,
            person=person if person is not None and person.user_id == user_id else None,
            kind=kind,
            title=title,
            body=body,
            params=params,
            link=link or reverse("portal:case", args=[case.number]),
            object_type="case",
            object_id=case.number or "",
        )
