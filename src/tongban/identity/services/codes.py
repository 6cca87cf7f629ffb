"""One-time codes by SMS or e-mail: issued rate-limited, stored as keyed digests, tried at most
five times, valid for ten minutes, used once."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from tongban.core.crypto import blind_index
from tongban.core.errors import InvalidInput, Problem, TongbanError
from tongban.core.messaging import send_sms
from tongban.identity.models import OneTimeCode

CODE_LIFETIME = timedelta(minutes=10)
RESEND_INTERVAL = timedelta(seconds=60)
MAX_PER_HOUR = 5
MAX_ATTEMPTS = 5


class TooManyRequests(TongbanError):
    http_status = 429
    code = "too_many_requests"
    default_message = _("Too many attempts. Please wait a moment and try again.")


def _destination_index(channel: str, destination: str) -> str:
    return blind_index(f"{channel}:{destination}", context="otp-destination")


def _digest(code: str, destination_index: str) -> str:
    return blind_index(f"{destination_index}:{code}", context="otp-code")


def code_send(*, purpose: str, channel: str, destination: str) -> None:
    """Send a fresh six-digit code to a normalised phone number or e-mail address."""
    index = _destination_index(channel, destination)
    now = timezone.now()
    with transaction.atomic():
        recent = OneTimeCode.objects.filter(
            destination_index=index, created_at__gte=now - timedelta(hours=1)
        )
        if (
            recent.count() >= MAX_PER_HOUR
            or recent.filter(created_at__gte=now - RESEND_INTERVAL).exists()
        ):
            raise TooManyRequests(
                _("A code was sent a moment ago. Please wait a minute before asking again.")
            )
        code = f"{secrets.randbelow(10**6):06d}"
        OneTimeCode.objects.create(
            purpose=purpose,
            channel=channel,
            destination_index=index,
            code_digest=_digest(code, index),
            expires_at=now + CODE_LIFETIME,
        )
    text = _t("Your Tongban verification code is %(code)s. It is valid for 10 minutes.") % {
        "code": code
    }
    if channel == "sms":
        send_sms(phone=destination, text=text)
    else:
        send_mail(_t("Tongban verification code"), text, None, [destination])


def code_check(*, purpose: str, channel: str, destination: str, code: str, field: str) -> None:
    """Use the latest code for this destination; ``InvalidInput`` on ``field`` when wrong."""
    index = _destination_index(channel, destination)
    wrong = InvalidInput(
        problems=[Problem(field=field, reason=str(_("The code is wrong or has expired.")))]
    )
    code = (code or "").strip()
    # Checked in its own transaction, before the caller's: a wrong attempt must count even
    # when the caller's work is then refused.
    outcome = "wrong"
    with transaction.atomic():
        latest = (
            OneTimeCode.objects.select_for_update()
            .filter(destination_index=index, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if latest is None or latest.expires_at < timezone.now():
            outcome = "wrong"
        elif latest.attempts >= MAX_ATTEMPTS:
            outcome = "exhausted"
        elif hmac.compare_digest(latest.code_digest, _digest(code, index)):
            latest.used_at = timezone.now()
            latest.save(update_fields=["used_at"])
            outcome = "ok"
        else:
            latest.attempts += 1
            latest.save(update_fields=["attempts"])
    if outcome == "exhausted":
        raise TooManyRequests(_("Too many wrong codes. Please ask for a new code."))
    if outcome != "ok":
        raise wrong
