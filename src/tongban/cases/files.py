"""Checking an uploaded material before it is stored: size, declared type and real content.

Only PDF, JPEG and PNG are accepted. The content decides (magic bytes, read with puremagic),
and it must agree with the file's extension: an executable renamed ``.pdf`` or an archive (a
zip bomb) renamed ``.png`` is refused before anything is written to storage.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

import puremagic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import InvalidInput, Problem

ALLOWED = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
HEADER_BYTES = 4096


@dataclass(frozen=True)
class FileInfo:
    name: str
    content_type: str
    extension: str
    size: int
    sha256: str


def _refuse(reason: str) -> InvalidInput:
    return InvalidInput(problems=[Problem(field="file", reason=reason)])


def _detected_type(header: bytes) -> str | None:
    if header.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        mime = puremagic.from_string(header, mime=True)
    except puremagic.PureError:
        return None
    return mime if mime in ALLOWED else None


def max_upload_bytes() -> int:
    """The largest material file accepted (``CASE_UPLOAD_MAX_BYTES``, 10 MB by default)."""
    return int(getattr(settings, "CASE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def check_upload(upload: UploadedFile, *, field: str = "file") -> FileInfo:
    limit = max_upload_bytes()
    if upload.size is None or upload.size == 0:
        raise _refuse(str(_("The file is empty.")))
    if upload.size > limit:
        raise _refuse(str(_("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}))
    name = unicodedata.normalize("NFKC", PurePath(upload.name or "file").name)[-120:]
    extension = PurePath(name).suffix.lower()
    upload.seek(0)
    header = upload.read(HEADER_BYTES)
    detected = _detected_type(header)
    if detected is None:
        raise _refuse(str(_("Only PDF, JPEG and PNG files are accepted.")))
    if extension not in ALLOWED[detected]:
        raise _refuse(
            str(
                _("The file's content does not match its name (%(ext)s).") % {"ext": extension[:10]}
            )
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return FileInfo(
        name=name,
        content_type=detected,
        extension=ALLOWED[detected][0],
        size=upload.size,
        sha256=digest.hexdigest(),
    )
