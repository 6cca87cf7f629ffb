"""Notification selectors: a user's inbox and unread count, an object's notifications."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from tongban.notifications.models import Delivery, Notification


def inbox_for_user(user_id: int, unread_only: bool = False) -> QuerySet[Notification]:
    """A user's messages, newest first (one query; deliveries are not loaded)."""
    messages = Notification.objects.filter(recipient_id=user_id).order_by("-created_at", "-id")
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    return messages


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notifications_for_object(*, object_type: str, object_id: str) -> QuerySet[Notification]:
    """What was sent about one object (a case, say), oldest first, with each delivery's
    status (two queries) — for staff asking "was the applicant told?"."""
    return (
        Notification.objects.filter(object_type=object_type, object_id=str(object_id))
        .order_by("created_at", "id")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("channel")))
    )
