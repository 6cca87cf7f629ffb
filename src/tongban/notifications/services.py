"""Notification services: every write about notifications and their deliveries.

``notify`` is what other apps call, inside the transaction of the change it reports (a case
accepted, a correction requested…): the message, its deliveries and the delivery tasks are
written in that transaction, so a rolled-back change notifies no one and a committed change
is never left without its notification, even if the process dies right after the commit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

import structlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import InvalidInput, NotFound, Problem
from tongban.core.types import Actor
from tongban.identity.selectors import person_for_user
from tongban.notifications.models import Delivery, DeliveryStatus, Notification
from tongban.notifications.tasks import enqueue_delivery, still_queued, unreachable_reason
from tongban.notifications.types import CHANNELS

log = structlog.get_logger(__name__)

_KIND = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
# A pending delivery this far past due is considered lost (worker down or killed, task row
# gone) by the sweep, unless its task is still waiting in the queue.
SWEEP_GRACE = dt.timedelta(minutes=2)


def recipient_language(user_id: int) -> str:
    """The language to write a user's messages in.

    Persons do not choose a language for messages yet, so this is the platform's default
    (Simplified Chinese); a stored preference would be read here.
    """
    return settings.LANGUAGE_CODE


def _render(text: str | Promise, params: Mapping[str, Any] | None) -> str:
    rendered = str(text)
    return rendered % dict(params) if params else rendered


def _check(
    *, kind: str, link: str, channels: Iterable[str], title: str, body: str
) -> list[Problem]:
    problems = []
    if not _KIND.match(kind or "") or len(kind) > 64:
        problems.append(Problem(field="kind", reason=str(_("Not a notification kind."))))
    if link and (not link.startswith("/") or link.startswith("//")):
        problems.append(Problem(field="link", reason=str(_("A link must be a path on this site."))))
    for channel in channels:
        if channel not in CHANNELS:
            problems.append(Problem(field="channels", reason=str(_("Unknown channel."))))
    if not title.strip():
        problems.append(Problem(field="title", reason=str(_("A notification needs a title."))))
    if not body.strip():
        problems.append(Problem(field="body", reason=str(_("A notification needs a text."))))
    return problems


def notify(
    *,
    user_id: int,
    kind: str,
    title: str | Promise,
    body: str | Promise,
    link: str = "",
    object_type: str = "",
    object_id: str = "",
    channels: tuple[str, ...] = ("email", "sms"),
    params: Mapping[str, Any] | None = None,
    person: Any = None,
) -> Notification:
    """Write an in-site message to a user and queue its e-mail and SMS deliveries.

    Call it inside the transaction of the change it reports. ``title`` and ``body`` are best
    given as lazy translations (``gettext_lazy``) with ``%(name)s`` placeholders filled from
    ``params``: they are rendered here in the recipient's language, not in the language of
    whoever caused the change. ``link`` is a path on this site. A channel the person cannot
    receive on (no verified phone or e-mail; staff accounts) is recorded as ``skipped``.
    ``person``: the recipient's person record when the caller has it loaded (else read).

    Guarantees: the notification, its deliveries and the delivery tasks commit or roll back
    with the caller's transaction; each delivery is sent by a background task, retried with
    backoff, and never lost while pending (``notifications_sweep``).
    """
    language = recipient_language(user_id)
    with translation.override(language):
        title_text = Truncator(_render(title, params).strip()).chars(200)
        body_text = _render(body, params).strip()
    problems = _check(kind=kind, link=link, channels=channels, title=title_text, body=body_text)
    if problems:
        raise InvalidInput(problems=problems)
    if person is None or person.user_id != user_id:
        person = person_for_user(user_id=user_id)
    if person is None and not get_user_model().objects.filter(pk=user_id).exists():
        raise NotFound()
    now = timezone.now()
    with transaction.atomic():
        notification = Notification.objects.create(
            recipient_id=user_id,
            kind=kind,
            title=title_text,
            body=body_text,
            link=link,
            object_type=object_type[:40],
            object_id=str(object_id)[:80],
            language=language,
            created_at=now,
        )
        for channel in dict.fromkeys(channels):
            reason = unreachable_reason(person, channel)
            delivery = Delivery.objects.create(
                notification=notification,
                channel=channel,
                status=DeliveryStatus.SKIPPED if reason else DeliveryStatus.PENDING,
                last_error=reason,
                next_attempt_at=None if reason else now,
                created_at=now,
            )
            if not reason:
                task_id = enqueue_delivery(delivery.pk)
                if task_id:
                    Delivery.objects.filter(pk=delivery.pk).update(task_id=task_id)
    log.info("notification.created", notification_id=notification.pk, kind=kind)
    return notification


def notification_mark_read(*, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's own messages read (idempotent; the first reading counts).

    Anyone else's message, or none, raises ``NotFound``: the answer does not reveal which ids
    exist.
    """
    notification = (
        Notification.objects.filter(pk=notification_id, recipient_id=actor.user_id).first()
        if actor.user_id is not None
        else None
    )
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        now = timezone.now()
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        if updated:
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor: Actor) -> int:
    """Mark every unread message of the actor read; returns how many were unread."""
    if actor.user_id is None:
        return 0
    return Notification.objects.filter(recipient_id=actor.user_id, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def deliveries_sweep(*, limit: int = 1000) -> int:
    """Re-enqueue pending deliveries that are overdue and whose task is not in the queue.

    That covers a worker killed mid-send (its lease ran out), a task row lost or pruned, and
    retries under a task backend that cannot defer. Sending is idempotent, so an extra task
    does no harm. Returns how many deliveries were re-enqueued.
    """
    cutoff = timezone.now() - SWEEP_GRACE
    overdue = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .values_list("pk", "task_id")[:limit]
    )
    count = 0
    for delivery_id, task_id in overdue:
        if still_queued(task_id):
            continue  # the worker is down or behind; the queued task will run
        with transaction.atomic():
            new_task_id = enqueue_delivery(delivery_id)
            Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
                task_id=new_task_id
            )
        count += 1
    if count:
        log.info("notification.swept", count=count)
    return count
