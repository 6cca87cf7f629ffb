"""Signed-in sessions: recorded at log-in, listed to their owner, ended one by one or all."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.core.audit import audit_log
from tongban.core.errors import Forbidden
from tongban.core.types import Actor
from tongban.identity.models import UserSession


def _store(session_key: str):  # type: ignore[no-untyped-def]
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def session_record(
    *, user_id: int, session_key: str, ip_address: str | None, user_agent: str, method: str
) -> None:
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user_id": user_id,
            "ip_address": ip_address or None,
            "user_agent": (user_agent or "")[:300],
            "method": method,
            "created_at": timezone.now(),
            "ended_at": None,
        },
    )


def session_ended(*, session_key: str) -> None:
    UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )


def sessions_end(
    *, actor: Actor, user_id: int, session_id: int | None = None, keep_key: str | None = None
) -> int:
    """End one session of the user (``session_id``) or all but ``keep_key`` ("log out
    everywhere"); also revokes the single sign-on tokens when all are ended."""
    if actor.user_id != user_id and not actor.has_role("administrator"):
        raise Forbidden()
    with transaction.atomic():
        sessions = UserSession.objects.filter(user_id=user_id, ended_at__isnull=True)
        if session_id is not None:
            sessions = sessions.filter(pk=session_id)
        if keep_key:
            sessions = sessions.exclude(session_key=keep_key)
        ended = 0
        for session in sessions:
            _store(session.session_key).delete()
            ended += 1
        sessions.update(ended_at=timezone.now())
        if session_id is None:
            from oauth2_provider.models import get_access_token_model, get_refresh_token_model

            get_refresh_token_model().objects.filter(user_id=user_id, revoked__isnull=True).update(
                revoked=timezone.now()
            )
            get_access_token_model().objects.filter(user_id=user_id).delete()
        audit_log(
            actor=actor,
            action="identity.sessions.end",
            object_type="user",
            object_id=user_id,
            data={"ended": ended, "all": session_id is None},
        )
    return ended
