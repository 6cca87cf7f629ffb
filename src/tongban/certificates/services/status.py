"""Certificate status: the department status lists and the transitions that change them.

Every transition (suspend, resume, revoke, expire, supersede) locks the certificate, checks it
may move, writes the new status, appends a ``CertificateEvent``, writes the audit record, sets
the certificate's two bits in its status list and signs the list again, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.certificates import statuslist
from tongban.certificates.links import status_list_uri
from tongban.certificates.models import Certificate, CertificateEvent, SigningKey, StatusList
from tongban.certificates.services.keys import active_key, signer_for
from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.compiled import CompiledQuery
from tongban.core.errors import Conflict, InvalidInput, NotFound, Problem
from tongban.core.text import refuse_nul
from tongban.core.types import Actor
from tongban.organizations.models import Department

LIST_SIZE = 1 << 16  # entries a list (16 KiB of bits, a few hundred bytes compressed)
# Indices are handed out in a scrambled order (an odd multiplier is a bijection modulo a power
# of two), so that a certificate's index does not tell when it was issued.
_INDEX_MULTIPLIER = 40503
TOKEN_VALIDITY = dt.timedelta(hours=24)
TOKEN_REFRESH = dt.timedelta(hours=1)
TOKEN_TTL_SECONDS = 3600
REASON_MAX_LENGTH = 500

Status = Certificate.Status
Kind = CertificateEvent.Kind
BITS_FOR = {
    Status.VALID: statuslist.VALID,
    Status.SUSPENDED: statuslist.SUSPENDED,
    Status.REVOKED: statuslist.INVALID,
    Status.EXPIRED: statuslist.INVALID,
    Status.SUPERSEDED: statuslist.INVALID,
}
# (event kind, new status, statuses it may leave)
TRANSITIONS = {
    Kind.SUSPENDED: (Status.SUSPENDED, {Status.VALID}),
    Kind.RESUMED: (Status.VALID, {Status.SUSPENDED}),
    Kind.REVOKED: (Status.REVOKED, {Status.VALID, Status.SUSPENDED}),
    Kind.EXPIRED: (Status.EXPIRED, {Status.VALID, Status.SUSPENDED}),
    Kind.SUPERSEDED: (Status.SUPERSEDED, {Status.VALID, Status.SUSPENDED}),
}


# ---------------------------------------------------------------------------------------------
# Status lists


def _sign_list(status_list: StatusList, *, key: SigningKey, now: dt.datetime) -> None:
    payload = statuslist.status_list_payload(
        uri=status_list_uri(
            issuer_code=status_list.department.credit_code, number=status_list.number
        ),
        raw=bytes(status_list.bits),
        issued_at=int(now.timestamp()),
        expires_at=int((now + TOKEN_VALIDITY).timestamp()),
        ttl=TOKEN_TTL_SECONDS,
    )
    status_list.token = statuslist.status_list_token_sign(signer=signer_for(key), payload=payload)
    status_list.token_issued_at = now


def status_index_allocate(*, department: Department) -> tuple[StatusList, int]:
    """A free entry in the department's current list (a new list when it is full). Call inside
    a transaction with the department row locked."""
    current = (
        StatusList.objects.select_for_update()
        .filter(department=department)
        .order_by("-number")
        .first()
    )
    if current is None or current.allocated >= current.size:
        now = timezone.now()
        current = StatusList(
            department=department,
            number=(current.number + 1) if current else 1,
            size=LIST_SIZE,
            bits=statuslist.empty_list(LIST_SIZE),
            updated_at=now,
        )
        _sign_list(current, key=active_key(department), now=now)
        current.save()
    index = (current.allocated * _INDEX_MULTIPLIER) % current.size
    current.allocated += 1
    current.save(update_fields=["allocated"])
    return current, index


def status_lists_resign(*, department: Department, key: SigningKey) -> None:
    now = timezone.now()
    for status_list in StatusList.objects.select_for_update().filter(department=department):
        status_list.department = department
        _sign_list(status_list, key=key, now=now)
        status_list.save(update_fields=["token", "token_issued_at"])


# every verification of a credential reads its status list: compiled once
_PUBLISHED_TOKEN = CompiledQuery(
    lambda issuer_code, number: (
        StatusList.objects.filter(department__credit_code=issuer_code, number=number)
        .values_list("pk", "token", "token_issued_at")
        .order_by()[:1]
    ),
    ints=("number",),
)


def status_list_token(*, issuer_code: str, number: int) -> str:
    """The signed status list (``statuslist+jwt``) to publish, signed again when it is older
    than an hour, so that what verifiers download is never near its expiry."""
    found = _PUBLISHED_TOKEN.first(issuer_code=str(issuer_code), number=number)
    if found is None:
        raise NotFound()
    pk, token, issued_at = found
    now = timezone.now()
    if issued_at and now - issued_at < TOKEN_REFRESH:
        return token
    with transaction.atomic():
        status_list = StatusList.objects.select_for_update().get(pk=pk)
        status_list.department = Department.objects.get(pk=status_list.department_id)
        key = SigningKey.objects.filter(
            department_id=status_list.department_id, active=True
        ).first()
        if key is None:
            return status_list.token
        _sign_list(status_list, key=key, now=now)
        status_list.save(update_fields=["token", "token_issued_at"])
    return status_list.token


# ---------------------------------------------------------------------------------------------
# Transitions


def _clean_reason(reason: str, *, required: bool) -> str:
    refuse_nul(reason, field="reason")
    text = " ".join((reason or "").split())
    if required and not text:
        raise InvalidInput(problems=[Problem(field="reason", reason=_("Give a reason."))])
    if len(text) > REASON_MAX_LENGTH:
        raise InvalidInput(
            problems=[
                Problem(
                    field="reason",
                    reason=_("The reason is longer than %(n)d characters.")
                    % {"n": REASON_MAX_LENGTH},
                )
            ]
        )
    return text


def apply_status(
    *, actor: Actor, certificates: Iterable[Certificate], kind: str, reason: str
) -> None:
    """Move locked ``certificates`` (already checked) to the status of ``kind``: rows, events,
    audit records, status-list bits and a fresh signature of each list touched. Call inside a
    transaction."""
    new_status, _from = TRANSITIONS[kind]
    now = timezone.now()
    by_list: dict[int, list[Certificate]] = defaultdict(list)
    events = []
    for certificate in certificates:
        certificate.status = new_status
        certificate.save(update_fields=["status"])
        by_list[certificate.status_list_id].append(certificate)
        events.append(
            CertificateEvent(
                certificate=certificate,
                kind=kind,
                reason=reason,
                actor=actor.reference[:80],
                actor_label=actor.label[:200],
                occurred_at=now,
            )
        )
        audit_log(
            actor=actor,
            action=f"certificate.{kind}",
            object_type="certificate",
            object_id=certificate.identifier,
            data={"reason": reason[:200], "status": new_status},
        )
    CertificateEvent.objects.bulk_create(events)
    for list_id, members in sorted(by_list.items()):
        status_list = (
            StatusList.objects.select_for_update().select_related("department").get(pk=list_id)
        )
        bits = bytes(status_list.bits)
        for certificate in members:
            bits = statuslist.status_set(bits, certificate.status_index, BITS_FOR[new_status])
        status_list.bits = bits
        status_list.updated_at = now
        _sign_list(status_list, key=active_key(status_list.department), now=now)
        status_list.save(update_fields=["bits", "updated_at", "token", "token_issued_at"])


def _locked(certificate_id: int) -> Certificate:
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("issuer")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        raise NotFound()
    return certificate


def _transition(*, actor: Actor, certificate_id: int, kind: str, reason: str) -> Certificate:
    reason = _clean_reason(reason, required=kind != Kind.RESUMED)
    _new_status, allowed = TRANSITIONS[kind]
    with transaction.atomic():
        certificate = _locked(certificate_id)
        authorize(
            actor,
            "certificate.status.change",
            Target(
                kind="certificate",
                id=certificate.pk,
                department_id=certificate.issuer_id,
                region_code=certificate.issuer.region_id,
            ),
        )
        if certificate.status not in allowed:
            raise Conflict(
                _("The certificate is %(status)s; it cannot be %(change)s.")
                % {
                    "status": Status(certificate.status).label,
                    "change": Kind(kind).label.lower(),
                }
            )
        apply_status(actor=actor, certificates=[certificate], kind=kind, reason=reason)
    return certificate


def certificate_suspend(*, actor: Actor, certificate_id: int, reason: str) -> Certificate:
    """Suspend a valid certificate (暂停): verifiers see it suspended until it is resumed."""
    return _transition(
        actor=actor, certificate_id=certificate_id, kind=Kind.SUSPENDED, reason=reason
    )


def certificate_resume(*, actor: Actor, certificate_id: int, reason: str = "") -> Certificate:
    """Make a suspended certificate valid again."""
    return _transition(actor=actor, certificate_id=certificate_id, kind=Kind.RESUMED, reason=reason)


def certificate_revoke(*, actor: Actor, certificate_id: int, reason: str) -> Certificate:
    """Revoke a certificate (吊销/注销), for good."""
    return _transition(actor=actor, certificate_id=certificate_id, kind=Kind.REVOKED, reason=reason)


def certificate_expire(*, actor: Actor, certificate_id: int, reason: str) -> Certificate:
    """Mark one certificate expired (the daily sweep is ``certificates_expire_due``)."""
    return _transition(actor=actor, certificate_id=certificate_id, kind=Kind.EXPIRED, reason=reason)


def certificate_supersede(*, actor: Actor, certificate_id: int, reason: str) -> Certificate:
    """Mark a version replaced by a newer one (renewals and annotations do this themselves)."""
    return _transition(
        actor=actor, certificate_id=certificate_id, kind=Kind.SUPERSEDED, reason=reason
    )


def certificates_expire_due(*, actor: Actor, today: dt.date | None = None) -> int:
    """Mark every valid or suspended certificate whose last valid day has passed as expired.
    Idempotent: a second run the same day finds nothing. Returns how many expired."""
    today = today or timezone.localdate()
    reason = _("The period of validity ended.")
    count = 0
    while True:
        with transaction.atomic():
            batch = list(
                Certificate.objects.select_for_update(of=("self",))
                .filter(status__in=[Status.VALID, Status.SUSPENDED], valid_until__lt=today)
                .order_by("pk")[:500]
            )
            if not batch:
                return count
            apply_status(actor=actor, certificates=batch, kind=Kind.EXPIRED, reason=reason)
            count += len(batch)
