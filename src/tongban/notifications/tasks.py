"""Sending deliveries in the background (Django's task interface, ``django-tasks``).

One task, ``deliver``, sends one delivery. It is safe to run twice and safe to kill:

1. *Claim* in a short transaction: lock the row (``select_for_update``), check it is still
   pending and due, count the attempt and push ``next_attempt_at`` forward by a lease. A second
   worker holding a duplicate task finds the row not due and does nothing. No transaction is
   held open while talking to the gateway (on SQLite that would block every writer).
2. *Send* through the channel's adapter: ``send_mail`` or ``tongban.core.messaging.send_sms``.
3. *Record* in a second short transaction: ``sent``; or the error class and a retry with
   exponential backoff (1, 5, 25, 125, 625 minutes), re-enqueued with ``run_after`` in the
   same transaction; ``failed`` after ``MAX_ATTEMPTS``.

A worker killed between 1 and 3 leaves the row pending with an expired lease; the
``notifications_sweep`` command re-enqueues it. Delivery is therefore at least once: a crash
after the gateway accepted a message but before step 3 committed sends it again.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import structlog
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks_db import DatabaseBackend

from tongban.core.messaging import send_sms
from tongban.identity.selectors import person_for_user
from tongban.notifications.models import Channel, Delivery, DeliveryStatus, Notification
from tongban.notifications.types import INBOX_PATH

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = dt.timedelta(minutes=1)
BACKOFF_FACTOR = 5
# How long an attempt may take before the sweep treats its worker as dead.
CLAIM_LEASE = dt.timedelta(minutes=10)


class Unreachable(Exception):
    """The person no longer has a verified address on this channel."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 5, 25… minutes."""
    return FIRST_RETRY * BACKOFF_FACTOR ** max(attempts - 1, 0)


def unreachable_reason(person: Any, channel: str) -> str:
    """Why ``person`` (an identity ``Person`` or None) cannot receive on ``channel``: a reason
    code for the delivery row, or "" when they can."""
    if person is None:
        return "no_person"  # staff accounts read their messages on the site only
    if channel == Channel.SMS:
        if not person.phone_sealed or person.phone_verified_at is None:
            return "no_verified_phone"
        return ""
    if channel == Channel.EMAIL:
        if not person.email or person.email_verified_at is None:
            return "no_verified_email"
        return ""
    return "unknown_channel"


# ---------------------------------------------------------------------------------------------
# Enqueueing


def _enqueues_in_transaction() -> bool:
    """Whether the task backend writes the task into the caller's database transaction."""
    return isinstance(deliver.get_backend(), DatabaseBackend)


def enqueue_delivery(delivery_id: int, *, run_after: dt.datetime | None = None) -> str:
    """Enqueue ``deliver`` for one delivery as part of the caller's transaction.

    With the database backend the task row commits or rolls back with the caller's change.
    Other backends get the task only after commit; one that cannot defer (the immediate
    backend) gets no delayed retry: the row stays pending and the sweep picks it up when due.
    Returns the task id when the backend gives one now, else "".
    """
    if _enqueues_in_transaction():
        chosen = deliver.using(run_after=run_after) if run_after is not None else deliver
        return str(chosen.enqueue(delivery_id).id)
    if run_after is None or deliver.get_backend().supports_defer:
        chosen = deliver.using(run_after=run_after) if run_after is not None else deliver
        transaction.on_commit(partial(chosen.enqueue, delivery_id))
    return ""


def still_queued(task_id: str) -> bool:
    """Whether the task with this id is waiting in the queue (not running, not finished)."""
    backend = deliver.get_backend()
    if not task_id or not backend.supports_get_result:
        return False
    try:
        return backend.get_result(task_id).status == TaskResultStatus.READY
    except (TaskResultDoesNotExist, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
# The task


@task()
def deliver(delivery_id: int) -> str:
    """Send one delivery (idempotent); returns the delivery's status afterwards.

    A failing channel never raises out of the task: the failure is recorded and retried.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        status = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        return status or ""
    try:
        _send(delivery)
    except Unreachable as exc:
        return _record(delivery_id, status=DeliveryStatus.SKIPPED, error=exc.reason)
    except Exception as exc:
        return _record_failure(delivery, exc)
    return _record(delivery_id, status=DeliveryStatus.SENT)


def _claim(delivery_id: int) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        now = timezone.now()
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None  # not due yet, or another worker holds the lease
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + CLAIM_LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def _record(delivery_id: int, *, status: str, error: str = "") -> str:
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
            status=status,
            sent_at=now if status == DeliveryStatus.SENT else None,
            next_attempt_at=None,
            last_error=error,
        )
    log.info("notification.delivered", delivery_id=delivery_id, status=status, reason=error)
    return status


def _record_failure(delivery: Delivery, exc: Exception) -> str:
    error = f"{type(exc).__module__}.{type(exc).__qualname__}"[:200]
    now = timezone.now()
    with transaction.atomic():
        current = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if current is None or current.status != DeliveryStatus.PENDING:
            return current.status if current else ""
        current.last_error = error
        if current.attempts >= MAX_ATTEMPTS:
            current.status = DeliveryStatus.FAILED
            current.next_attempt_at = None
        else:
            current.next_attempt_at = now + retry_delay(current.attempts)
            current.task_id = enqueue_delivery(current.pk, run_after=current.next_attempt_at)
        current.save(update_fields=["last_error", "status", "next_attempt_at", "task_id"])
    log.warning(
        "notification.delivery_failed",
        delivery_id=current.pk,
        channel=current.channel,
        attempt=current.attempts,
        error=error,
        status=current.status,
    )
    return current.status


# ---------------------------------------------------------------------------------------------
# Channels


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    person = person_for_user(user_id=notification.recipient_id)
    reason = unreachable_reason(person, delivery.channel)
    if reason:
        raise Unreachable(reason)
    with translation.override(notification.language):
        if delivery.channel == Channel.SMS:
            send_sms(phone=person.phone, text=sms_text(notification))
        else:
            send_mail(
                subject=notification.title,
                message=email_text(notification),
                from_email=None,
                recipient_list=[person.email],
                fail_silently=False,
            )


def _site_url(path: str) -> str:
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return f"{base}{path}" if base else ""


def sms_text(notification: Notification) -> str:
    """The text message: the platform's signature, the title and the text."""
    return _("[Tongban] %(title)s: %(body)s") % {
        "title": notification.title,
        "body": notification.body,
    }


def email_text(notification: Notification) -> str:
    """The e-mail body: the text, where to read more, and a no-reply footer."""
    parts = [notification.body]
    url = _site_url(notification.link or INBOX_PATH)
    if url:
        parts.append(_("Details: %(url)s") % {"url": url})
    else:
        parts.append(_("Log in to Tongban and open My messages for the details."))
    parts.append(_("This message was sent automatically by Tongban. Please do not reply."))
    return "\n\n".join(parts)
