"""Certificates API (电子证照): verify a certificate, read the published keys, and the holder's
own wallet.

Verification is open to anyone (a department system, a shop, a kiosk): by identifier (what the
printed QR code carries) or by posting the credential or a holder's presentation. It answers
``valid`` with the reason and only the claims the presentation discloses. The holder's wallet
needs the identity API's authentication.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field, StringConstraints

from tongban.api.identity import BearerToken, Caller, ErrorOut, PortalSession
from tongban.certificates import holding
from tongban.certificates.selectors import certificate_uses
from tongban.certificates.services import certificates_lookup, platform_jwks
from tongban.certificates.verification import MAX_TOKEN_BYTES, VerificationResult
from tongban.core.errors import InvalidInput, Problem

router = Router(tags=["certificates"])
AUTH = [BearerToken(), PortalSession()]


class VerificationOut(Schema):
    valid: bool
    reason: str = Field(description="valid, or why not: expired, revoked, bad_signature, …")
    message: str
    identifier: str
    status: str = Field(description="valid, suspended, revoked, expired, not_yet_valid, unchecked")
    claims: dict[str, Any] = Field(description="the signed claims the presentation discloses")
    disclosed: list[str]


class CredentialIn(Schema):
    model_config = ConfigDict(extra="forbid")
    credential: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TOKEN_BYTES)] = Field(
        description="a compact vc+sd-jwt: the credential or a presentation of it"
    )


class VerifyQuery(Schema):
    identifier: Annotated[str, StringConstraints(max_length=100)] = ""
    credential: Annotated[str, StringConstraints(max_length=8000)] = ""


def _out(result: VerificationResult) -> VerificationOut:
    return VerificationOut(**result.as_dict())


@router.get(
    "/verify",
    response={200: VerificationOut, 422: ErrorOut},
    summary="Verify a certificate by its identifier (the printed QR code) or a short credential",
)
def verify_get(request: HttpRequest, query: Query[VerifyQuery]) -> VerificationOut:
    if bool(query.identifier) == bool(query.credential):
        raise InvalidInput(
            problems=[
                Problem(
                    field="identifier",
                    reason=str(_("Give either the identifier or the credential.")),
                )
            ]
        )
    if query.identifier:
        return _out(holding.verify_identifier_only(query.identifier))
    return _out(holding.verify_presented(query.credential))


@router.post(
    "/verify",
    response={200: VerificationOut, 422: ErrorOut},
    summary="Verify a credential or a holder's presentation (vc+sd-jwt)",
)
def verify_post(request: HttpRequest, body: CredentialIn) -> VerificationOut:
    return _out(holding.verify_presented(body.credential))


@router.get("/jwks", summary="The issuing departments' public keys (JWKS), retired ones included")
def jwks(request: HttpRequest) -> dict[str, Any]:
    return platform_jwks()


class CertificateSummaryOut(Schema):
    identifier: str
    type_code: str
    type_name: str
    status: str
    holder_name: str
    issuer: str
    issued_on: str
    valid_from: str
    valid_until: str | None
    fields: dict[str, str]


def _summary_out(c: Any) -> CertificateSummaryOut:
    return CertificateSummaryOut(
        identifier=c.identifier,
        type_code=c.type.code,
        type_name=c.type.name,
        status=c.status,
        holder_name=c.holder_name,
        issuer=c.issuer.display_name,
        issued_on=c.issued_on.isoformat(),
        valid_from=c.valid_from.isoformat(),
        valid_until=c.valid_until.isoformat() if c.valid_until else None,
        fields=c.fields,
    )


class CertificateOut(CertificateSummaryOut):
    credential: str = Field(description="the holder's copy: the compact SD-JWT, every disclosure")


def _certificate_out(c: Any) -> CertificateOut:
    return CertificateOut(**_summary_out(c).model_dump(), credential=c.credential)


class UseOut(Schema):
    at: dt.datetime
    channel: str = Field(description="application (attached with consent) or lookup")
    department: str
    purpose: str = Field(description="用证事由, as the department stated it")
    case_number: str
    outcome: str = Field(description="valid, or why the verification failed then")


class LookupIn(Schema):
    model_config = ConfigDict(extra="forbid")
    holder_kind: Literal["person", "company"]
    holder_code: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        description="the citizen ID number or the unified social credit code"
    )
    purpose: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="用证事由: why the department needs it (the holder reads it)"
    )
    types: list[Annotated[str, StringConstraints(max_length=40)]] = Field([], max_length=20)
    case_number: Annotated[str, StringConstraints(max_length=40)] = ""


class LookedUpOut(Schema):
    certificate: CertificateSummaryOut
    verification: VerificationOut


@router.post(
    "/lookups",
    auth=AUTH,
    response={200: list[LookedUpOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Look up a holder's valid certificates for a stated purpose (用证)",
    description=(
        "For the staff of a department handling a matter: every certificate found is verified "
        "(signature, issuer key, dates, status list), its use is logged where the holder "
        "reads it, and the look-up is audited, found or not."
    ),
)
def lookup(request: HttpRequest, body: LookupIn) -> list[LookedUpOut]:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    found = certificates_lookup(
        actor=caller.actor,
        holder_kind=body.holder_kind,
        holder_code=body.holder_code,
        purpose=body.purpose,
        type_codes=body.types,
        case_number=body.case_number,
    )
    return [
        LookedUpOut(certificate=_summary_out(f.certificate), verification=_out(f.verification))
        for f in found
    ]


@router.get(
    "/mine/{identifier}/uses",
    auth=AUTH,
    response={200: list[UseOut], 401: ErrorOut, 404: ErrorOut},
    summary="Who used my certificate and why (用证记录), newest first",
)
def my_certificate_uses(request: HttpRequest, identifier: str) -> list[UseOut]:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    certificate = holding.certificate_held(actor=caller.actor, identifier=identifier[:100])
    return [
        UseOut(
            at=u.at,
            channel=u.channel,
            department=u.department.display_name if u.department else "",
            purpose=u.purpose,
            case_number=u.case_number,
            outcome=u.outcome,
        )
        for u in certificate_uses(certificate=certificate)[:500]
    ]


@router.get(
    "/mine",
    auth=AUTH,
    response={200: list[CertificateOut], 401: ErrorOut},
    summary="My certificates (我的证照): the person's own, or the company's when acting for it",
)
def mine(request: HttpRequest) -> list[CertificateOut]:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return [_certificate_out(c) for c in holding.certificates_held(actor=caller.actor)]
