"""The certificate library for its staff (电子证照库): issue a certificate by hand, read one,
suspend, resume or revoke it, issue its next version (加注 or a renewal), and import a CSV file
of certificates issued elsewhere, all or nothing.

Authentication is the identity API's (an access token with the ``api`` scope, or the portal's
session). Authorisation is the certificates services' and selectors': a certificate the caller
may not read (not of a department they work for) answers 404 whatever the action; an action the
caller may not take on a certificate they read answers 403 (only the issuing department's
approvers change or issue); a change its status does not allow answers 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Path, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field, StringConstraints

from tongban.api.cases.common import (
    BODY,
    MULTIPART_OVERHEAD_BYTES,
    SMALL_BODY_BYTES,
    _body_limit,
)
from tongban.api.cases.output import request_actor
from tongban.api.cases.schemas import StrictIn, responses
from tongban.api.identity import BearerToken, ErrorOut, PortalSession
from tongban.certificates import selectors
from tongban.certificates import services as certificate_services
from tongban.certificates.identifiers import MAX_LENGTH as IDENTIFIER_MAX_LENGTH
from tongban.certificates.models import Certificate
from tongban.certificates.services.imports import MAX_BYTES as IMPORT_MAX_BYTES
from tongban.certificates.services.issuance import FIELD_VALUE_MAX_LENGTH, MAX_FACE_FIELDS
from tongban.certificates.services.status import REASON_MAX_LENGTH
from tongban.core.errors import Forbidden, InvalidInput, Problem
from tongban.core.ids import normalise_code
from tongban.organizations.models import Department

router = Router(tags=["certificates"], auth=[BearerToken(), PortalSession()])

IDENTIFIER_PATTERN = r"^1\.2\.156\.[0-9A-Za-z.]{1,92}$"
FaceKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
FaceValue = Annotated[str, StringConstraints(max_length=FIELD_VALUE_MAX_LENGTH)]
Reason = Annotated[
    str, StringConstraints(min_length=1, max_length=REASON_MAX_LENGTH, pattern=r"\S")
]


def _post(path: str, *, limit: Any = lambda: SMALL_BODY_BYTES, **kwargs: Any) -> Any:
    """A POST operation whose body is refused above ``limit()`` bytes (413) unread."""

    def register(func: Any) -> Any:
        decorate_view(_body_limit(limit))(func)
        kwargs["response"] = kwargs["response"] | {413: ErrorOut}
        return router.post(path, **kwargs)(func)

    return register


def import_body_limit() -> int:
    return IMPORT_MAX_BYTES + MULTIPART_OVERHEAD_BYTES


# --------------------------------------------------------------------------------------------
# Schemas


class IdentifierPath(Schema):
    identifier: str = Field(
        max_length=IDENTIFIER_MAX_LENGTH,
        pattern=IDENTIFIER_PATTERN,
        description="the certificate identifier (电子证照标识), 1.2.156.3005.2.…",
    )


class CertificateIssueIn(StrictIn):
    type: str = Field(
        min_length=1, max_length=21, description="the certificate type code (证照类型代码)"
    )
    issuer: str = Field(
        min_length=1,
        max_length=18,
        description="the issuing department's unified social credit code; the caller is an "
        "approver of it, and it issues certificates of this type",
    )
    holder_code: str = Field(
        min_length=1,
        max_length=40,
        description="the holder's citizen ID number (a person's certificate) or unified "
        "social credit code (a company's)",
    )
    holder_name: str = Field(min_length=1, max_length=200)
    fields: dict[FaceKey, FaceValue] = Field(
        {},
        max_length=MAX_FACE_FIELDS,
        description="the face fields of the type (照面), by key; the required ones must be given",
    )


class CertificateReasonIn(StrictIn):
    reason: Reason


class CertificateResumeIn(StrictIn):
    reason: str = Field("", max_length=REASON_MAX_LENGTH)


class CertificateVersionIn(StrictIn):
    reason: Reason
    fields: dict[FaceKey, FaceValue] = Field(
        {},
        max_length=MAX_FACE_FIELDS,
        description="the changed face fields (加注); the others stay as they are, and an empty "
        "value removes an optional one",
    )
    renew: bool = Field(
        False,
        description="a renewal: a new term of validity from the end of the current one (or from "
        "today if it has ended)",
    )


class CertificateEventOut(Schema):
    kind: str = Field(description="issued, suspended, resumed, revoked, expired, superseded")
    reason: str
    actor: str = Field(description="who made the change (staff user name, or a process)")
    occurred_at: dt.datetime


class CertificateStaffOut(Schema):
    identifier: str
    type_code: str
    type_name: str
    version: int
    status: str = Field(description="valid, suspended, revoked, expired, superseded")
    holder_kind: str = Field(description="person or company")
    holder_name: str
    holder_code_masked: str
    issuer_code: str
    issuer_name: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None = Field(description="null: valid until revoked (长期)")
    source: str = Field(description="case, manual or import")
    case_number: str | None
    previous: str | None = Field(description="the identifier of the version this one replaced")
    fields: dict[str, str]
    events: list[CertificateEventOut]


class CertificateImportOut(Schema):
    certificates: int
    identifiers: list[str]


def _out(certificate: Certificate) -> CertificateStaffOut:
    return CertificateStaffOut(
        identifier=certificate.identifier,
        type_code=certificate.type.code,
        type_name=certificate.type.name,
        version=certificate.version,
        status=certificate.status,
        holder_kind=certificate.holder_kind,
        holder_name=certificate.holder_name,
        holder_code_masked=certificate.holder_code_masked,
        issuer_code=certificate.issuer.credit_code,
        issuer_name=certificate.issuer.display_name,
        issued_on=certificate.issued_on,
        valid_from=certificate.valid_from,
        valid_until=certificate.valid_until,
        source=certificate.source,
        case_number=certificate.case_number,
        previous=certificate.previous.identifier if certificate.previous else None,
        fields=certificate.fields,
        events=[
            CertificateEventOut(
                kind=e.kind, reason=e.reason, actor=e.actor_label, occurred_at=e.occurred_at
            )
            for e in selectors.certificate_events(certificate_id=certificate.pk)
        ],
    )


def _in_body(exc: InvalidInput) -> InvalidInput:
    """The service's problems located in the body, as the schema's own are
    (``fields.address`` → location ``body.body.fields``, field ``address``)."""
    problems = []
    for p in exc.problems:
        head, _dot, field = p.field.rpartition(".")
        problems.append(
            Problem(field=field, reason=p.reason, location=f"{BODY}.{head}" if head else BODY)
        )
    return InvalidInput(exc.message, problems=problems)


def _visible(request: HttpRequest, identifier: str) -> Certificate:
    """The certificate, if the caller works for its issuing department (404 otherwise)."""
    return selectors.certificate_for_staff(
        actor=request_actor(request), identifier=identifier, audit=False
    )


# --------------------------------------------------------------------------------------------
# Operations


@_post(
    "/issued",
    response=responses(201, CertificateStaffOut, 422),
    summary="Issue a certificate by hand (version 001), signed and stored in the library",
    description=(
        "For an approver of the issuing department. The validity follows the type's rule. "
        "The holder's account, if any, sees it in the wallet (我的证照)."
    ),
)
def certificate_issue(request: HttpRequest, body: CertificateIssueIn) -> Status:
    actor = request_actor(request)
    problems = []
    if selectors.certificate_type_get(code=body.type) is None:
        problems.append(
            Problem(location=BODY, field="type", reason=_("There is no such certificate type."))
        )
    department = Department.objects.filter(credit_code=normalise_code(body.issuer)).first()
    if department is None:
        problems.append(Problem(location=BODY, field="issuer", reason=_("Unknown department.")))
    if problems:
        raise InvalidInput(problems=problems)
    assert department is not None
    try:
        certificate = certificate_services.certificate_issue(
            actor=actor,
            type_code=body.type,
            issuer_department_id=department.pk,
            holder_code=body.holder_code,
            holder_name=body.holder_name,
            fields=body.fields,
        )
    except InvalidInput as exc:
        raise _in_body(exc) from None
    return Status(201, _out(_visible(request, certificate.identifier)))


@router.get(
    "/issued/{identifier}",
    response=responses(200, CertificateStaffOut, 404, 422),
    summary="A certificate as its issuing department's staff see it: face, status, history",
    description="Reading it is recorded in the audit log. 404 for a certificate of a "
    "department the caller does not work for.",
)
def certificate_get(request: HttpRequest, path: Path[IdentifierPath]) -> CertificateStaffOut:
    return _out(
        selectors.certificate_for_staff(actor=request_actor(request), identifier=path.identifier)
    )


def _transition(request: HttpRequest, identifier: str, change: Any, reason: str) -> Any:
    certificate = _visible(request, identifier)
    try:
        change(actor=request_actor(request), certificate_id=certificate.pk, reason=reason)
    except InvalidInput as exc:
        raise _in_body(exc) from None
    return _out(_visible(request, identifier))


@_post(
    "/issued/{identifier}/suspend",
    response=responses(200, CertificateStaffOut, 404, 409, 422),
    summary="Suspend a valid certificate (暂停), with the reason",
    description="Verifiers see it suspended until it is resumed.",
)
def certificate_suspend(
    request: HttpRequest, path: Path[IdentifierPath], body: CertificateReasonIn
) -> CertificateStaffOut:
    return _transition(
        request, path.identifier, certificate_services.certificate_suspend, body.reason
    )


@_post(
    "/issued/{identifier}/resume",
    response=responses(200, CertificateStaffOut, 404, 409, 422),
    summary="Make a suspended certificate valid again (恢复)",
    description="A revoked, expired or superseded certificate cannot be resumed (409).",
)
def certificate_resume(
    request: HttpRequest, path: Path[IdentifierPath], body: CertificateResumeIn
) -> CertificateStaffOut:
    return _transition(
        request, path.identifier, certificate_services.certificate_resume, body.reason
    )


@_post(
    "/issued/{identifier}/revoke",
    response=responses(200, CertificateStaffOut, 404, 409, 422),
    summary="Revoke a certificate (吊销/注销) for good, with the reason",
)
def certificate_revoke(
    request: HttpRequest, path: Path[IdentifierPath], body: CertificateReasonIn
) -> CertificateStaffOut:
    return _transition(
        request, path.identifier, certificate_services.certificate_revoke, body.reason
    )


@_post(
    "/issued/{identifier}/versions",
    response=responses(201, CertificateStaffOut, 404, 409, 422),
    summary="Issue the next version (加注: changed face fields; or a renewal), with the reason",
    description="The new version keeps the serial; the one given is superseded at once.",
)
def certificate_new_version(
    request: HttpRequest, path: Path[IdentifierPath], body: CertificateVersionIn
) -> Status:
    certificate = _visible(request, path.identifier)
    try:
        new = certificate_services.certificate_new_version(
            actor=request_actor(request),
            certificate_id=certificate.pk,
            reason=body.reason,
            fields=body.fields,
            renew=body.renew,
        )
    except InvalidInput as exc:
        raise _in_body(exc) from None
    return Status(201, _out(_visible(request, new.identifier)))


@_post(
    "/imports",
    limit=import_body_limit,
    response=responses(201, CertificateImportOut, 422),
    summary="Import a CSV file of certificates issued elsewhere, all or nothing (multipart)",
    description=(
        "UTF-8, at most 5 MB and 10,000 rows. Columns: `type_code`, `issuer_code`, "
        "`holder_code`, `holder_name`, optional `serial`, `issued_on`, `valid_from`, "
        "`valid_until` (YYYY-MM-DD), and one column per face field key of the type. Every row "
        "is checked first; with any problem nothing is imported and the answer (422) lists "
        "every problem with its line. The caller must be an approver of each row's issuer."
    ),
)
def certificate_import(request: HttpRequest, file: File[UploadedFile]) -> Status:
    actor = request_actor(request)
    if not actor.has_role("approver"):
        raise Forbidden()
    summary = certificate_services.certificate_import(
        actor=actor,
        # Never more than the service's limit is read: it says the file is too large.
        content=file.read(IMPORT_MAX_BYTES + 1),
        filename=file.name or "certificates.csv",
    )
    return Status(201, CertificateImportOut(**summary))
