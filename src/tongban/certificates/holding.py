"""What a holder sees and shows (我的证照, 亮证), and what a verifier is answered online.

A holder's wallet lists the certificates issued to them, or to the company they act for. To
show one (亮证) the holder picks the claims to disclose and gets a one-time QR code that
expires in minutes: scanning it verifies the presentation once, and a second scan (a replay)
or a late one is refused. The certificate's own QR code (printed on its face) opens a public
verification that shows only the claims every presentation shows.

Online verification uses the same offline function as everyone else
(``verification.verify_credential``), fed with the platform's published keys and the
issuer's signed status list from the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.certificates import selectors
from tongban.certificates.credentials import credential_present
from tongban.certificates.models import (
    CREDENTIAL_CONTEXT,
    SHOW_CONTEXT,
    Certificate,
    CertificateShow,
)
from tongban.certificates.services.verify import certificate_verify
from tongban.certificates.verification import VerificationResult
from tongban.core.audit import audit_log
from tongban.core.compiled import CompiledQuery
from tongban.core.crypto import seal, unseal
from tongban.core.errors import Conflict, InvalidInput, NotFound, Problem
from tongban.core.types import Actor
from tongban.identity.models import Company, Person

SHOW_MINUTES = 5
MAX_SHOW_TOKEN_LENGTH = 64

SHOW_REFUSALS: dict[str, Any] = {
    "show_unknown": _("This QR code is not a certificate shown on the platform."),
    "show_used": _(
        "This QR code was already scanned: ask the holder to show the certificate again."
    ),
    "show_expired": _("This QR code has expired: ask the holder to show the certificate again."),
    "unknown_certificate": _("The platform holds no certificate with this identifier."),
}


def _refused(reason: str) -> VerificationResult:
    return VerificationResult(valid=False, reason=reason, message=SHOW_REFUSALS[reason])


# ---------------------------------------------------------------------------------------------
# The wallet


def certificates_held(*, actor: Actor) -> QuerySet[Certificate]:
    """The certificates of the actor's wallet: the company's when acting for one, else the
    person's own; the current version of each (superseded versions are history)."""
    if actor.acting_for_company_id is not None:
        company = Company.objects.filter(pk=actor.acting_for_company_id).first()
        if company is not None:
            rows = selectors.certificates_for_company(company=company)
            return rows.exclude(status=Certificate.Status.SUPERSEDED)
    elif actor.person_id is not None:
        person = Person.objects.filter(pk=actor.person_id).first()
        if person is not None:
            rows = selectors.certificates_for_person(person=person)
            return rows.exclude(status=Certificate.Status.SUPERSEDED)
    return Certificate.objects.none()


def certificate_held(*, actor: Actor, identifier: str) -> Certificate:
    """One certificate of the actor's wallet; NotFound for anyone else's."""
    certificate = certificates_held(actor=actor).filter(identifier=identifier[:100]).first()
    if certificate is None:
        raise NotFound()
    return certificate


# ---------------------------------------------------------------------------------------------
# Verification against the database's published keys and status lists


def verify_presented(token: str) -> VerificationResult:
    """Verify a credential or presentation given by anyone (never raises on bad input)."""
    return certificate_verify(token=token)


def verify_identifier(identifier: str) -> tuple[VerificationResult, Certificate | None]:
    """The public check behind a certificate's printed QR code: its stored credential,
    presented with no optional claim."""
    certificate = (
        Certificate.objects.select_related("type", "issuer")
        .filter(identifier=str(identifier)[:100])
        .first()
    )
    if certificate is None:
        return _refused("unknown_certificate"), None
    presentation = credential_present(certificate.credential, reveal=[])
    return verify_presented(presentation), certificate


# the API's verification by identifier reads this at every call: compiled once
_SEALED_CREDENTIAL = CompiledQuery(
    lambda identifier: (
        Certificate.objects.filter(identifier=identifier)
        .values_list("credential_sealed")
        .order_by()[:1]
    )
)


def verify_identifier_only(identifier: str) -> VerificationResult:
    """``verify_identifier`` for a caller that needs the answer only (the API): reads the
    stored credential and nothing else."""
    found = _SEALED_CREDENTIAL.first(identifier=str(identifier)[:100])
    if found is None:
        return _refused("unknown_certificate")
    credential = unseal(found[0], context=CREDENTIAL_CONTEXT)
    return verify_presented(credential_present(credential, reveal=[]))


# ---------------------------------------------------------------------------------------------
# Showing a certificate (亮证)


@dataclass(frozen=True)
class Shown:
    show: CertificateShow
    token: str  # what the QR code carries; only its hash is stored


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def certificate_show(*, actor: Actor, identifier: str, reveal: list[str]) -> Shown:
    """A one-time QR code for a certificate of the wallet, disclosing ``reveal`` (a subset of
    the type's disclosable claims) and nothing else of the optional claims."""
    certificate = certificate_held(actor=actor, identifier=identifier)
    if certificate.status != Certificate.Status.VALID:
        raise Conflict(_("Only a valid certificate can be shown."))
    allowed = set(certificate.type.disclosable_claims)
    chosen = sorted({str(name)[:40] for name in reveal[:40]})
    unknown = [name for name in chosen if name not in allowed]
    if unknown:
        raise InvalidInput(
            problems=[
                Problem(
                    field="reveal", reason=str(_("This claim cannot be chosen: %(n)s")) % {"n": n}
                )
                for n in unknown
            ]
        )
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    show = CertificateShow.objects.create(
        certificate=certificate,
        token_hash=_token_hash(token),
        presentation_sealed=seal(
            credential_present(certificate.credential, reveal=chosen), context=SHOW_CONTEXT
        ),
        disclosed=chosen,
        created_by_id=actor.user_id,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=SHOW_MINUTES),
    )
    audit_log(
        actor=actor,
        action="certificates.show",
        object_type="certificate",
        object_id=certificate.identifier,
        data={"disclosed": chosen, "show": show.pk},
    )
    return Shown(show=show, token=token)


def certificate_show_verify(token: str) -> tuple[VerificationResult, CertificateShow | None]:
    """Scan a shown certificate's QR code: verified once, within its minutes; a replay, a late
    scan or an unknown code is refused with the reason."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_SHOW_TOKEN_LENGTH:
        return _refused("show_unknown"), None
    with transaction.atomic():
        show = (
            CertificateShow.objects.select_for_update(of=("self",))
            .select_related("certificate__type", "certificate__issuer")
            .filter(token_hash=_token_hash(token))
            .first()
        )
        if show is None:
            return _refused("show_unknown"), None
        now = timezone.now()
        if show.used_at is not None:
            return _refused("show_used"), show
        if now >= show.expires_at:
            return _refused("show_expired"), show
        show.used_at = now
        show.save(update_fields=["used_at"])
    presentation = unseal(show.presentation_sealed, context=SHOW_CONTEXT)
    return verify_presented(presentation), show
