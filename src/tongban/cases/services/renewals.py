"""Reminders before a certificate expires (到期提醒), with a link to the item that renews it
(the case engine's, as it joins the certificate library, the catalog and notifications).

Each valid version with an end date within the notice period is reminded once: an in-site
message with e-mail and SMS to the holder (a person's account, or the company's legal
representative), sent after commit by the notifications' background tasks. Run daily by
``certificates_sweep`` (which ``make demo`` starts); idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import ImplementationItem
from tongban.certificates.models import Certificate, HolderKind
from tongban.core.audit import audit_log
from tongban.core.types import Actor
from tongban.notifications.services import notify

NOTICE_DAYS = 30
KIND = "certificate.expiring"
TITLE = _("Your %(name)s expires soon")
BODY = _("Your %(name)s (%(identifier)s) is valid until %(until)s. Renew it in time: %(renewal)s.")
BODY_NO_RENEWAL = _("Your %(name)s (%(identifier)s) is valid until %(until)s.")


def _recipient_user_id(certificate: Certificate) -> int | None:
    if certificate.holder_kind == HolderKind.PERSON:
        person = certificate.holder_person
        return person.user_id if person is not None else None
    company = certificate.holder_company
    if company is None or company.representative is None:
        return None
    return company.representative.user_id


def _renewal_item(certificate: Certificate) -> ImplementationItem | None:
    code = certificate.type.renewal_item_code
    if not code:
        return None
    items = ImplementationItem.objects.filter(
        base_item__base_code=code, current_version__isnull=False
    ).select_related("current_version")
    return (
        items.filter(department_id=certificate.issuer_id).first()
        or items.order_by("implementation_code").first()
    )


def certificates_remind_expiring(
    *, actor: Actor, today: dt.date | None = None, days: int = NOTICE_DAYS
) -> int:
    """Remind the holders of valid certificates ending within ``days``; returns how many."""
    today = today or timezone.localdate()
    due = (
        Certificate.objects.select_related(
            "type", "holder_person", "holder_company__representative"
        )
        .filter(
            status=Certificate.Status.VALID,
            valid_until__isnull=False,
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=days),
            expiry_reminded_on__isnull=True,
        )
        .order_by("valid_until", "pk")
    )
    sent = 0
    for certificate in due[:5000]:
        with transaction.atomic():
            locked = (
                Certificate.objects.select_for_update()
                .filter(pk=certificate.pk, expiry_reminded_on__isnull=True)
                .exists()
            )
            if not locked:
                continue  # reminded by a concurrent sweep
            Certificate.objects.filter(pk=certificate.pk).update(expiry_reminded_on=today)
            user_id = _recipient_user_id(certificate)
            item = _renewal_item(certificate)
            if user_id is not None:
                params = {
                    "name": certificate.type.name,
                    "identifier": certificate.identifier,
                    "until": certificate.valid_until.isoformat(),  # type: ignore[union-attr]
                    "renewal": item.current_version.name if item else "",
                }
                notify(
                    user_id=user_id,
                    kind=KIND,
                    title=TITLE,
                    body=BODY if item else BODY_NO_RENEWAL,
                    params=params,
                    link=reverse("portal:guide", args=[item.implementation_code])
                    if item
                    else reverse("portal:certificate", args=[certificate.identifier]),
                    object_type="certificate",
                    object_id=certificate.identifier,
                )
                sent += 1
            audit_log(
                actor=actor,
                action="certificate.expiry_reminded",
                object_type="certificate",
                object_id=certificate.pk,
                data={"notified": user_id is not None, "valid_until": str(certificate.valid_until)},
            )
    return sent
