"""The gateway (in the manner of X-Road's REST protocol): one call of a provider's service by
a consuming system, authenticated, authorised against its grant down to the field, answered
with the minimum, signed, and logged in the same transaction.

``POST /exchange/r1/{provider credit code}/{service code}`` with

- ``Authorization: Bearer <client assertion>``: a JWT signed (ES256) with a key the system
  registered, named by the header's ``kid`` (checked by the certificate library's compact
  JWS verifier, which accepts no other algorithm); ``iss`` and ``sub`` the system code,
  ``aud`` ``EXCHANGE_AUDIENCE``, ``iat`` and ``exp`` at most five minutes apart, ``jti`` the
  message id. A message id is served once.
- ``Tongban-Client`` (the system code), ``Tongban-Id`` (the message id), ``Tongban-User-Id``
  (the end user on whose behalf it asks), ``Tongban-Purpose`` (percent-encoded UTF-8) and / or
  ``Tongban-Issue`` (the case number it serves).
- a JSON body ``{"query": {...}, "fields": [...]}`` (``fields`` for queries; by default all the
  grant names).

The answer carries ``Tongban-Request-Hash`` (SHA-256 of method, path and body) and
``Tongban-Signature``: a compact JWS by the platform's gateway key over the message id, the
request hash and the SHA-256 of the answer body, so an answer is bound to its question.
Every call — served, refused or failed — is one ``ExchangeMessage``; a served answer is
returned only after its log record (and the subject's data-use record) committed.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.db import DatabaseError, IntegrityError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.certificates.signing import KeyRing
from tongban.certificates.verification import JwsRefused, verify_compact_jws
from tongban.core.append import append_rows
from tongban.core.datause import data_use_row
from tongban.core.models import DataUseRecord
from tongban.core.sharing import SharedAnswer, SharingRefused
from tongban.exchange import routing
from tongban.exchange.client import new_message_id as client_new_message_id
from tongban.exchange.models import ExchangeMessage, ExchangeService, InformationSystem
from tongban.exchange.providers import (
    BUILT_IN,
    Answer,
    BadQuery,
    ProviderFailed,
    external_call,
    subject_of,
)
from tongban.exchange.services.keys import gateway_signer

MAX_BODY = 64 * 1024
MAX_ASSERTION = 4096
ASSERTION_LIFETIME = 300
CLOCK_SKEW = 30
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_CLIENT = re.compile(r"^[a-z0-9][a-z0-9-]{2,59}$")
_CASE_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,40}$")
# Decisions under a routing that changed before their log write are taken again; the last
# attempt is decided under the token it has just read and written without the check.
ROUTING_ATTEMPTS = 3

# reason code → (HTTP status, message for the caller)
REFUSALS: dict[str, tuple[int, Any]] = {
    "bad_request": (400, _("The request is malformed: a JSON object with a query is expected.")),
    "bad_message_id": (400, _("Give a message id (Tongban-Id) of 8 to 64 letters or digits.")),
    "no_user": (400, _("Name the end user on whose behalf the system asks (Tongban-User-Id).")),
    "no_purpose": (
        400,
        _("State the purpose (Tongban-Purpose) or the case number (Tongban-Issue) of the call."),
    ),
    "bad_query": (400, _("The query is missing or malformed: %(detail)s")),
    "unknown_system": (401, _("The calling system is not registered with the exchange.")),
    "bad_assertion": (401, _("The client assertion is missing, malformed, expired or forged.")),
    "system_disabled": (403, _("The calling system has been disabled.")),
    "unknown_service": (404, _("No such service on the exchange.")),
    "no_grant": (403, _("The system holds no grant for this service.")),
    "grant_expired": (403, _("The system's grant for this service has expired.")),
    "field_not_granted": (403, _("The grant does not cover these fields: %(detail)s")),
    "replayed": (409, _("This message id has been used already: a replayed request.")),
    "rate_limited": (429, _("Too many requests from this system; slow down.")),
    "provider_failed": (502, _("The provider did not answer properly; try again later.")),
    "log_failed": (503, _("The exchange could not log the call; nothing was answered.")),
}


@dataclass
class GatewayReply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Call:
    started: float
    message_id: str
    client: str
    user: str
    purpose: str
    case_number: str
    provider: str
    service_code: str
    request_hash: str
    system: InformationSystem | None = None
    query: dict[str, Any] | None = None
    fields: list[str] = field(default_factory=list)
    service_name: str = ""
    # the routing token the call is decided under; its log rows are written only while it
    # is current (None: written unconditionally)
    routing_token: str | None = None


def request_hash(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method.upper()} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


# A client assertion is a JWT (RFC 7523): typed "JWT", or untyped as many libraries write it.
ASSERTION_TYPES = ("JWT", None)
_rings: dict[tuple[int, str], KeyRing] = {}


def _ring(system: InformationSystem) -> KeyRing:
    """The system's registered keys, parsed once per version of its JWKS; the ring is also
    kept on the instance (the routing look-ups reuse one instance per system until the
    routing changes), for as long as its ``public_jwks`` is the same object."""
    kept = system.__dict__.get("_exchange_ring")
    if kept is not None and kept[0] is system.public_jwks:
        return kept[1]
    fingerprint = hashlib.sha256(
        json.dumps(system.public_jwks, sort_keys=True).encode()
    ).hexdigest()
    cached = _rings.get((system.pk, fingerprint))
    if cached is None:
        if len(_rings) > 1000:
            _rings.clear()
        cached = KeyRing.from_jwks(system.public_jwks)
        _rings[(system.pk, fingerprint)] = cached
    system.__dict__["_exchange_ring"] = (system.public_jwks, cached)
    return cached


def _assertion_ok(system: InformationSystem, authorization: str, message_id: str) -> bool:
    """Whether the bearer token is an ES256 JWT by one of the system's keys (chosen by
    ``kid``; no other algorithm is accepted) naming the system, the exchange and this message,
    and current."""
    scheme, _sep, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > MAX_ASSERTION:
        return False
    try:
        claims, _key = verify_compact_jws(token.strip(), _ring(system), types=ASSERTION_TYPES)
    except JwsRefused:
        return False
    now = int(time.time())
    iat, exp = claims.get("iat"), claims.get("exp")
    return (
        claims.get("iss") == system.code
        and claims.get("sub") == system.code
        and claims.get("aud") in (settings.EXCHANGE_AUDIENCE, [settings.EXCHANGE_AUDIENCE])
        and claims.get("jti") == message_id
        and type(iat) is int
        and type(exp) is int
        and 0 < exp - iat <= ASSERTION_LIFETIME
        and iat <= now + CLOCK_SKEW
        and exp > now - CLOCK_SKEW
    )


def _rate_limited(system: InformationSystem) -> bool:
    from django.core.cache import cache

    if not settings.RATELIMIT_ENABLE:
        return False
    window = int(time.time() // 60)
    key = f"exchange:rate:{system.code}:{window}"
    if cache.add(key, 1, timeout=120):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=120)
        return False
    return count > system.rate_per_minute


def _sign(call: _Call, body: bytes) -> dict[str, str]:
    payload = json.dumps(
        {
            "id": call.message_id,
            "client": call.client,
            "service": f"{call.provider}/{call.service_code}",
            "req": call.request_hash,
            "res": hashlib.sha256(body).hexdigest(),
            "iat": int(time.time()),
        },
        separators=(",", ":"),
    ).encode()
    return {
        "Tongban-Id": call.message_id,
        "Tongban-Request-Hash": call.request_hash,
        "Tongban-Signature": gateway_signer().sign(payload),
    }


def _record(
    call: _Call,
    *,
    outcome: str,
    reason: str,
    status: int,
    response_hash: str,
    answer: Answer | None,
) -> ExchangeMessage:
    subject_kind, subject_index = (
        (answer.subject_kind, answer.subject_index)
        if answer is not None
        else subject_of(call.query or {})
    )
    system = call.system
    department = system.department.name if system is not None else ""
    message = ExchangeMessage(
        occurred_at=timezone.now(),
        message_id=call.message_id,
        system=system,
        client=call.client,
        consumer_department=department,
        provider=call.provider,
        service=call.service_code,
        user=call.user,
        purpose=call.purpose,
        case_number=call.case_number,
        subject_kind=subject_kind,
        subject_index=subject_index,
        fields=call.fields,
        request_hash=call.request_hash,
        response_hash=response_hash,
        outcome=outcome,
        reason=reason,
        http_status=status,
        duration_ms=round((time.perf_counter() - call.started) * 1000, 3),
    )
    from tongban.exchange.log import MESSAGE_CHAIN

    message.record_hash = MESSAGE_CHAIN.content_hash(message)
    rows: list[Any] = [message]
    # The subject sees every call about them that reached a known system, answered or not.
    if subject_index and system is not None:
        rows.append(
            data_use_row(
                subject_kind=subject_kind,
                subject_index=subject_index,
                channel=DataUseRecord.Channel.EXCHANGE,
                department=department,
                system=system.name,
                service=call.service_name or call.service_code,
                purpose=call.purpose,
                case_number=call.case_number,
                reference=call.message_id,
                served=outcome == ExchangeMessage.Outcome.SERVED,
            )
        )
    guard = routing.guard(call.routing_token) if call.routing_token is not None else None
    # all or nothing, in one statement where the database allows
    if not append_rows(*rows, guard=guard):
        raise routing.Changed
    return message


def _refuse(call: _Call, reason: str, detail: str = "") -> GatewayReply:
    status, message = REFUSALS[reason]
    text = str(message) % {"detail": detail} if "%(detail)s" in str(message) else str(message)
    body = json.dumps(
        {"code": reason, "message": text, "problems": []}, ensure_ascii=False
    ).encode()
    outcome = ExchangeMessage.Outcome.FAILED if status >= 500 else ExchangeMessage.Outcome.REFUSED
    try:
        _record(
            call,
            outcome=outcome,
            reason=reason,
            status=status,
            response_hash=hashlib.sha256(body).hexdigest(),
            answer=None,
        )
    except DatabaseError:
        status, message = REFUSALS["log_failed"]
        body = json.dumps(
            {"code": "log_failed", "message": str(message), "problems": []}, ensure_ascii=False
        ).encode()
        return GatewayReply(status, body, {"Tongban-Id": call.message_id})
    return GatewayReply(status, body, _sign(call, body))


def _header(headers: Mapping[str, str], name: str, limit: int) -> str:
    value = headers.get(name) or ""
    return value.strip()[:limit] if isinstance(value, str) else ""


def _parse_body(body: bytes) -> tuple[dict[str, Any], list[str] | None] | None:
    if len(body) > MAX_BODY:
        return None
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or set(data) - {"query", "fields"}:
        return None
    query, fields = data.get("query"), data.get("fields")
    if not isinstance(query, dict) or any("\x00" in str(v) for v in query.values()):
        return None
    if fields is not None and (
        not isinstance(fields, list)
        or len(fields) > 50
        or not all(isinstance(f, str) and len(f) <= 60 for f in fields)
    ):
        return None
    return query, fields


def gateway_call(
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes,
    provider: str,
    service: str,
) -> GatewayReply:
    """Serve one gateway call (see the module's docstring); never raises for bad input."""
    started = time.perf_counter()
    try:
        purpose = unquote(_header(headers, "Tongban-Purpose", 800), errors="strict")
    except UnicodeDecodeError:
        purpose = ""
    purpose = " ".join(purpose.replace("\x00", "").split())[:200]
    case_number = _header(headers, "Tongban-Issue", 40)
    call = _Call(
        started=started,
        message_id=_header(headers, "Tongban-Id", 64),
        client=_header(headers, "Tongban-Client", 80),
        user=_header(headers, "Tongban-User-Id", 80),
        purpose=purpose,
        case_number=case_number if _CASE_NUMBER.match(case_number) else "",
        provider=provider[:40],
        service_code=service[:60],
        request_hash=request_hash(method, path, body[: MAX_BODY + 1]),
    )
    if not _MESSAGE_ID.match(call.message_id):
        call.message_id = re.sub(r"[^A-Za-z0-9._:-]", "?", call.message_id)[:64]
        return _refuse(call, "bad_message_id")
    if not _CLIENT.match(call.client):
        return _refuse(call, "unknown_system")
    authorization = _header(headers, "Authorization", MAX_ASSERTION + 10)
    parsed = _parse_body(body) if method.upper() == "POST" else None
    rate_checked: list[bool] = []  # once per call, whatever the attempts

    def decide(call: _Call, routes: routing.Snapshot) -> GatewayReply:
        system = routes.system(call.client)
        if system is None:
            return _refuse(call, "unknown_system")
        if not _assertion_ok(system, authorization, call.message_id):
            return _refuse(call, "bad_assertion")  # not yet the system's: it did not prove it
        call.system = system
        if not system.enabled:
            return _refuse(call, "system_disabled")
        if not rate_checked:
            rate_checked.append(_rate_limited(system))
        if rate_checked[0]:
            return _refuse(call, "rate_limited")
        if parsed is None:
            return _refuse(call, "bad_request")
        call.query, requested = parsed
        return _dispatch(call, requested, routes)

    return _routed(call, decide)


def _routed(call: _Call, decide: Callable[[_Call, routing.Snapshot], GatewayReply]) -> GatewayReply:
    """Decide a call under the process's routing look-ups; taken again under the current
    token when the routing changed before its log write (``routing``'s docstring)."""
    routes = routing.snapshot()
    for _attempt in range(ROUTING_ATTEMPTS - 1):
        try:
            return decide(replace(call, routing_token=routes.token), routes)
        except routing.Changed:
            routes = routing.refresh()
    return decide(replace(call, routing_token=None), routes)


def _dispatch(call: _Call, requested: list[str] | None, routes: routing.Snapshot) -> GatewayReply:
    """From an authenticated system's parsed call on: purpose, grant, fields, provider."""
    system = call.system
    assert system is not None
    if not call.user:
        return _refuse(call, "no_user")
    if not call.purpose and not call.case_number:
        return _refuse(call, "no_purpose")
    grant = routes.grant(system, call.provider, call.service_code)
    if grant is None:
        known = routes.service_name(call.provider, call.service_code)
        call.service_name = known
        return _refuse(call, "no_grant" if known else "unknown_service")
    call.service_name = grant.service.name
    if not grant.live():
        return _refuse(call, "grant_expired")
    fields = list(grant.fields) if requested is None else requested
    outside = [f for f in fields if f not in grant.fields]
    call.fields = sorted(set(fields))
    if outside:
        return _refuse(call, "field_not_granted", ", ".join(outside[:10]))
    return _serve(call, grant.service)


def _serve(call: _Call, service: ExchangeService) -> GatewayReply:
    query = call.query or {}
    try:
        if service.endpoint_url:
            answer = external_call(
                service.endpoint_url, query, call.fields, timeout=service.timeout_seconds
            )
        else:
            answer = BUILT_IN[service.handler](query, call.fields)
    except BadQuery as exc:
        return _refuse(call, "bad_query", str(exc))
    except (ProviderFailed, KeyError):
        return _refuse(call, "provider_failed")
    body = json.dumps(
        {"id": call.message_id, "service": service.code, "data": answer.data},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    headers = _sign(call, body)
    try:
        _record(
            call,
            outcome=ExchangeMessage.Outcome.SERVED,
            reason="",
            status=200,
            response_hash=hashlib.sha256(body).hexdigest(),
            answer=answer,
        )
    except IntegrityError:
        return _refuse(call, "replayed")
    except DatabaseError:
        status, message = REFUSALS["log_failed"]
        failed = json.dumps(
            {"code": "log_failed", "message": str(message), "problems": []}, ensure_ascii=False
        ).encode()
        return GatewayReply(status, failed, {"Tongban-Id": call.message_id})
    return GatewayReply(200, body, headers)


def internal_call(
    *,
    function: str,
    service: str,
    query: dict[str, Any],
    user: str,
    purpose: str,
    fields: Sequence[str] | None = None,
    case_number: str = "",
) -> SharedAnswer:
    """A call by one of the platform's own functions (``core.sharing``), in process: the
    function's system (``settings.EXCHANGE_PLATFORM_SYSTEMS``) needs a grant like any member's,
    and the call is logged and shown to its subject the same way; only the client assertion
    is skipped (the caller is the platform's own code, not a request from outside)."""
    code = settings.EXCHANGE_PLATFORM_SYSTEMS.get(function, "")
    system = InformationSystem.objects.select_related("department").filter(code=code).first()
    offered = (
        ExchangeService.objects.select_related("resource__provider")
        .filter(code=service, enabled=True, grants__system=system)
        .first()
        if system is not None
        else None
    )
    body = json.dumps(
        {"query": query, **({"fields": list(fields)} if fields is not None else {})},
        ensure_ascii=False,
        sort_keys=True,
    ).encode()
    provider = offered.resource.provider.credit_code if offered is not None else ""
    call = _Call(
        started=time.perf_counter(),
        message_id=client_new_message_id(),
        client=code,
        user=user[:80],
        purpose=" ".join(purpose.split())[:200],
        case_number=case_number[:40] if _CASE_NUMBER.match(case_number or "") else "",
        provider=provider,
        service_code=service[:60],
        request_hash=request_hash("POST", f"internal:/r1/{provider}/{service}", body),
        system=system,
        query=dict(query),
    )
    if system is None:
        reply = _refuse(call, "unknown_system")
    elif not system.enabled:
        reply = _refuse(call, "system_disabled")
    else:
        requested = list(fields) if fields is not None else None
        reply = _routed(call, lambda call, routes: _dispatch(call, requested, routes))
    answer = json.loads(reply.body)
    if reply.status != 200:
        raise SharingRefused(
            answer.get("code", "failed"), answer.get("message", ""), call.message_id
        )
    return SharedAnswer(data=answer["data"], message_id=call.message_id)
