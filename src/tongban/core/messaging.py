"""Text messages (SMS) through an adapter: a real gateway in production, the console or a
directory of files in development and tests (one file per message, for a developer to watch).

``SMS_BACKEND`` names the backend class; e-mail goes through Django's own ``EMAIL_BACKEND``.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from functools import cache
from pathlib import Path

import structlog
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = structlog.get_logger(__name__)


class SmsBackend(ABC):
    """An SMS gateway adapter: ``send`` one text to one mainland mobile number."""

    @abstractmethod
    def send(self, *, phone: str, text: str) -> None: ...


class ConsoleSmsBackend(SmsBackend):
    """Prints each message to the console (development)."""

    def send(self, *, phone: str, text: str) -> None:
        print(f"[SMS to {phone}] {text}", flush=True)


class FileSmsBackend(SmsBackend):
    """Writes each message as a JSON file into ``SMS_FILE_PATH`` (tests, staging)."""

    _lock = threading.Lock()

    def send(self, *, phone: str, text: str) -> None:
        directory = Path(settings.SMS_FILE_PATH)
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
            path = directory / f"{stamp}-{len(list(directory.iterdir()))}.json"
            path.write_text(json.dumps({"to": phone, "text": text}, ensure_ascii=False), "utf-8")


@cache
def _backend(path: str) -> SmsBackend:
    return import_string(path)()


def send_sms(*, phone: str, text: str) -> None:
    _backend(settings.SMS_BACKEND).send(phone=phone, text=text)
    log.info("sms.sent", backend=settings.SMS_BACKEND.rsplit(".", 1)[-1])


def sms_outbox(phone: str | None = None) -> list[dict[str, str]]:
    """Messages written by the file backend, oldest first (for tests and the demo)."""
    directory = Path(settings.SMS_FILE_PATH)
    if not directory.exists():
        return []
    messages = [json.loads(p.read_text("utf-8")) for p in sorted(directory.iterdir())]
    return [m for m in messages if phone is None or m["to"] == phone]
