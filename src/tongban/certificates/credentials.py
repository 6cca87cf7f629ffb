"""The credential of a certificate: W3C VC Data Model 2.0 claims carrying the GB/T 36903
metadata, secured as an SD-JWT (``vc+sd-jwt``, ES256 by default). No database.

Always visible: what the certificate is (type code and name, identifier, serial, version),
who issued it (name and credit code), when it is valid, and where its status is published.
The holder's claims named by the type's ``disclosable_claims`` (the ID number, the birth date,
``age_over_18``…) are concealed as disclosures, so the holder shows only what a verifier needs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tongban.certificates import sdjwt
from tongban.certificates.signing import Signer

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPES = ["VerifiableCredential", "ElectronicCertificate"]
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))
# Subject claims every credential has; face field keys must differ from them.
SUBJECT_CLAIMS = ("holderKind", "holderName", "holderCode", "holderCodeType")


def issuer_uri(credit_code: str) -> str:
    return f"urn:cn:uscc:{credit_code}"


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day``, China time (certificates run by calendar day)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA_TZ)


@dataclass(frozen=True)
class CredentialContent:
    identifier: str
    type_code: str
    type_name: str
    serial: str
    version: int
    issuer_code: str
    issuer_name: str
    jurisdiction: str  # region code (管辖属地)
    holder_kind: str
    holder_name: str
    holder_code: str
    holder_code_type: str  # 111 citizen ID number, 001 credit code
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    status_uri: str
    status_idx: int
    fields: Mapping[str, Any] = field(default_factory=dict)
    derived: Mapping[str, Any] = field(default_factory=dict)
    related_items: tuple[str, ...] = ()
    disclosable: tuple[str, ...] = ()


def credential_claims(content: CredentialContent, *, issued_at: int) -> dict[str, Any]:
    """The claims before concealment (what a holder discloses in full)."""
    valid_from = day_start(content.valid_from)
    until = (
        day_start(content.valid_until + dt.timedelta(days=1))
        if content.valid_until is not None
        else None
    )
    subject: dict[str, Any] = {
        "holderKind": content.holder_kind,
        "holderName": content.holder_name,
        "holderCode": content.holder_code,
        "holderCodeType": content.holder_code_type,
        **content.fields,
        **content.derived,
    }
    claims: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "type": CREDENTIAL_TYPES,
        "id": f"urn:oid:{content.identifier}",
        "issuer": {
            "id": issuer_uri(content.issuer_code),
            "name": content.issuer_name,
            "creditCode": content.issuer_code,
        },
        "validFrom": valid_from.isoformat(),
        "certificate": {
            "identifier": content.identifier,
            "typeCode": content.type_code,
            "typeName": content.type_name,
            "serial": content.serial,
            "version": f"{content.version:03d}",
            "issueDate": content.issued_on.isoformat(),
            "jurisdiction": content.jurisdiction,
            "relatedItems": list(content.related_items),
        },
        "credentialSubject": subject,
        "iat": issued_at,
        "nbf": int(valid_from.timestamp()),
        "status": {"status_list": {"idx": content.status_idx, "uri": content.status_uri}},
    }
    if until is not None:
        claims["validUntil"] = until.isoformat()
        claims["exp"] = int(until.timestamp())
    return claims


def credential_issue(content: CredentialContent, *, signer: Signer, issued_at: int) -> str:
    """The compact SD-JWT of the certificate, with every disclosure (the holder's copy)."""
    claims = credential_claims(content, issued_at=issued_at)
    subject, disclosures = sdjwt.conceal(claims["credentialSubject"], content.disclosable)
    claims["credentialSubject"] = subject
    claims["_sd_alg"] = sdjwt.SD_ALG
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode()
    jws = signer.sign_compact({"typ": "vc+sd-jwt"}, payload)
    return sdjwt.combine(jws, disclosures)


def credential_present(token: str, *, reveal: list[str] | tuple[str, ...]) -> str:
    """A presentation with only the disclosable claims named in ``reveal``."""
    return sdjwt.present(token, reveal)
