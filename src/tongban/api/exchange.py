"""Data sharing and exchange API (数据共享交换): the resource catalog, the data tracker
(我的数据用在哪), the consuming information systems and their keys, access requests and
grants, and the operational monitoring figures.

The gateway itself (``/exchange/r1/{provider}/{service}``) is not here: it is a protocol of
its own for department systems (client assertions, signed answers; see docs/exchange.md).
Authentication here is the identity API's; authorisation is the exchange services' and
selectors'.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, Field, StringConstraints

from tongban.api.cases.output import request_actor
from tongban.api.cases.schemas import StrictIn, responses
from tongban.api.identity import BearerToken, PortalSession
from tongban.core.errors import InvalidInput, NotFound, Problem
from tongban.core.models import DataUseRecord
from tongban.exchange import selectors
from tongban.exchange import services as exchange_services
from tongban.exchange.models import ExchangeService, Grant, InformationSystem, Resource
from tongban.exchange.services.systems import MAX_JWKS_BYTES
from tongban.organizations.selectors import department_by_code

router = Router(tags=["exchange"])
AUTH = [BearerToken(), PortalSession()]
Text = Annotated[str, StringConstraints(max_length=300)]


class ServiceOut(Schema):
    code: str
    name: str
    kind: str = Field(description="query (chosen fields of a record) or verification (yes / no)")
    inputs: list[str]
    fields: list[str]


class ResourceOut(Schema):
    code: str
    name: str
    classification: str
    provider: str = Field(description="the providing department's unified social credit code")
    provider_name: str
    summary: str
    format: str
    data_items: list[dict[str, str]]
    sharing_type: str = Field(description="unconditional, conditional or not_shared")
    sharing_condition: str
    legal_basis: str
    open_type: str
    update_cycle: str
    published_on: dt.date
    services: list[ServiceOut]


def _resource_out(r: Resource) -> ResourceOut:
    return ResourceOut(
        code=r.code,
        name=r.name,
        classification=r.classification,
        provider=r.provider.credit_code,
        provider_name=r.provider.name,
        summary=r.summary,
        format=r.format,
        data_items=r.data_items,
        sharing_type=r.sharing_type,
        sharing_condition=r.sharing_condition,
        legal_basis=r.legal_basis,
        open_type=r.open_type,
        update_cycle=r.update_cycle,
        published_on=r.published_on,
        services=[
            ServiceOut(code=s.code, name=s.name, kind=s.kind, inputs=s.inputs, fields=s.fields)
            for s in r.services.all()
            if s.enabled
        ],
    )


class ResourceQuery(Schema):
    q: Annotated[str, StringConstraints(max_length=60)] = ""


@router.get(
    "/resources",
    response=list[ResourceOut],
    summary="The government information resource catalog (政务信息资源目录)",
)
def resources(request: HttpRequest, query: Query[ResourceQuery]) -> list[ResourceOut]:
    return [_resource_out(r) for r in selectors.resources_published(query=query.q.strip())[:500]]


@router.get(
    "/resources/{code}",
    response=responses(200, ResourceOut, 404),
    summary="One resource of the catalog, with its data items and services",
)
def resource(request: HttpRequest, code: str) -> ResourceOut:
    return _resource_out(selectors.resource_get(code=code[:40]))


class DataUseOut(Schema):
    at: dt.datetime
    channel: str = Field(description="exchange, staff or certificate")
    department: str
    system: str
    service: str
    purpose: str
    case_number: str
    reference: str = Field(description="the exchange message id, or the certificate identifier")
    answered: bool


class DataUseQuery(Schema):
    since: dt.date | None = None
    until: dt.date | None = None
    department: Annotated[str, StringConstraints(max_length=60)] = ""
    channel: Annotated[str, StringConstraints(max_length=12)] = ""
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(100, ge=1, le=500)


@router.get(
    "/data-uses",
    auth=AUTH,
    response=responses(200, list[DataUseOut], 422),
    summary="Where my data is used (我的数据用在哪), newest first",
    description="Every access to the caller's data (or, with X-Acting-For, the company's): "
    "through the exchange, by the platform's staff, and every use of their certificates.",
)
def data_uses(request: HttpRequest, query: Query[DataUseQuery]) -> list[DataUseOut]:
    if query.channel and query.channel not in DataUseRecord.Channel.values:
        raise InvalidInput(
            problems=[Problem(field="channel", reason=_("exchange, staff or certificate"))]
        )
    records = selectors.my_data_uses(
        actor=request_actor(request),
        filters=selectors.TrackerFilter(
            since=query.since,
            until=query.until,
            department=query.department.strip(),
            channel=query.channel,
        ),
    )[query.offset : query.offset + query.limit]
    return [
        DataUseOut(
            at=r.at,
            channel=r.channel,
            department=r.department,
            system=_(r.system) if r.system else "",
            service=_(r.service),
            purpose=_(r.purpose) if r.purpose else "",
            case_number=r.case_number,
            reference=r.reference,
            answered=r.served,
        )
        for r in records
    ]


class GrantOut(Schema):
    id: int
    system: str
    consumer: str = Field(description="the consuming department")
    provider: str
    service: str
    fields: list[str]
    purpose: str
    legal_basis: str
    status: str = Field(description="requested, granted, refused or revoked")
    reason: str
    requested_at: dt.datetime
    due_at: dt.datetime | None = Field(description="when the provider's answer is due")
    decided_at: dt.datetime | None
    expires_at: dt.datetime | None


def _grant_out(g: Grant) -> GrantOut:
    return GrantOut(
        id=g.pk,
        system=g.system.code,
        consumer=g.system.department.name,
        provider=g.service.resource.provider.credit_code,
        service=g.service.code,
        fields=g.fields,
        purpose=g.purpose,
        legal_basis=g.legal_basis,
        status=g.status,
        reason=g.reason,
        requested_at=g.requested_at,
        due_at=g.due_at,
        decided_at=g.decided_at,
        expires_at=g.expires_at,
    )


@router.get(
    "/grants",
    auth=AUTH,
    response=responses(200, list[GrantOut]),
    summary="The access requests and grants of the caller's departments (as consumer or provider)",
)
def grants(request: HttpRequest) -> list[GrantOut]:
    rows = selectors.grants_for_staff(actor=request_actor(request)).select_related(
        "system__department", "service__resource__provider"
    )
    return [_grant_out(g) for g in rows[:1000]]


class GrantRequestIn(StrictIn):
    system: Annotated[str, StringConstraints(min_length=1, max_length=60)] = Field(
        description="the consuming system's code"
    )
    provider: Annotated[str, StringConstraints(min_length=18, max_length=18)] = Field(
        description="the providing department's unified social credit code"
    )
    service: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    fields: list[Annotated[str, StringConstraints(max_length=60)]] | None = Field(
        None, max_length=50, description="for a query service: the fields the system needs"
    )
    purpose: Text
    legal_basis: Text = ""
    expires_on: dt.date | None = None


@router.post(
    "/grants",
    auth=AUTH,
    response=responses(201, GrantOut, 404, 409, 422),
    summary="Request access for a system to a service (unconditional resources: granted at once)",
)
def grant_request(request: HttpRequest, body: GrantRequestIn) -> Any:
    system = InformationSystem.objects.filter(code=body.system).first()
    service = ExchangeService.objects.filter(
        code=body.service, resource__provider__credit_code=body.provider.upper()
    ).first()
    if system is None or service is None:
        raise NotFound()
    grant = exchange_services.grant_request(
        actor=request_actor(request),
        system_id=system.pk,
        service_id=service.pk,
        fields=body.fields,
        purpose=body.purpose,
        legal_basis=body.legal_basis,
        expires_on=body.expires_on,
    )
    return Status(201, _grant_out(grant))


class DecisionIn(StrictIn):
    approve: bool
    reason: Text = ""


@router.post(
    "/grants/{grant_id}/decision",
    auth=AUTH,
    response=responses(200, GrantOut, 404, 409, 422),
    summary="The provider grants or refuses a request (a refusal states its reason)",
)
def grant_decide(request: HttpRequest, grant_id: int, body: DecisionIn) -> GrantOut:
    actor = request_actor(request)
    selectors.grant_for_staff(actor=actor, grant_id=grant_id)
    return _grant_out(
        exchange_services.grant_decide(
            actor=actor, grant_id=grant_id, approve=body.approve, reason=body.reason
        )
    )


class RevokeIn(StrictIn):
    reason: Text


@router.post(
    "/grants/{grant_id}/revocation",
    auth=AUTH,
    response=responses(200, GrantOut, 404, 409, 422),
    summary="Revoke a grant at once (the provider or the consumer)",
)
def grant_revoke(request: HttpRequest, grant_id: int, body: RevokeIn) -> GrantOut:
    actor = request_actor(request)
    selectors.grant_for_staff(actor=actor, grant_id=grant_id)
    return _grant_out(
        exchange_services.grant_revoke(actor=actor, grant_id=grant_id, reason=body.reason)
    )


class SystemOut(Schema):
    code: str
    name: str
    department: str = Field(description="the owning department's unified social credit code")
    department_name: str
    enabled: bool = Field(description="a disabled system's every call is refused")
    rate_per_minute: int = Field(description="calls a minute before the gateway answers 429")
    created_at: dt.datetime
    kids: list[str] = Field(description="the key ids of its public keys")
    public_jwks: dict[str, Any] = Field(description="its public keys (JWKS, ES256)")


def _system_out(s: InformationSystem) -> SystemOut:
    jwks = s.public_jwks if isinstance(s.public_jwks, dict) else {}
    keys = jwks.get("keys") if isinstance(jwks.get("keys"), list) else []
    return SystemOut(
        code=s.code,
        name=s.name,
        department=s.department.credit_code,
        department_name=s.department.name,
        enabled=s.enabled,
        rate_per_minute=s.rate_per_minute,
        created_at=s.created_at,
        kids=[k["kid"] for k in keys if isinstance(k, dict) and isinstance(k.get("kid"), str)],
        public_jwks=jwks,
    )


def _managed_system(request: HttpRequest, code: str) -> InformationSystem:
    """A system the caller manages, by its code; anyone else's is not found (never revealed)."""
    system = selectors.systems_for_staff(actor=request_actor(request)).filter(code=code).first()
    if system is None:
        raise NotFound()
    return system


def _bounded_jwks(value: dict[str, Any]) -> dict[str, Any]:
    """The key set's size is bounded here; its content is the service's to judge."""
    try:
        size = len(json.dumps(value))
    except (TypeError, ValueError, RecursionError):
        size = MAX_JWKS_BYTES + 1
    if size > MAX_JWKS_BYTES:
        raise ValueError(str(_("This is too long.")))
    return value


Jwks = Annotated[
    dict[str, Any],
    AfterValidator(_bounded_jwks),
    Field(
        description="the public keys: a JWKS of one to five EC P-256 keys (ES256), each with "
        f"a kid, at most {MAX_JWKS_BYTES // 1024} KiB; private key parts are refused"
    ),
]


class SystemRegisterIn(StrictIn):
    department: Annotated[str, StringConstraints(min_length=18, max_length=18)] = Field(
        description="the owning department's unified social credit code"
    )
    code: Annotated[str, StringConstraints(min_length=1, max_length=60)] = Field(
        description="3 to 60 lower-case letters, digits or dashes; unique"
    )
    name: Text
    public_jwks: Jwks


class JwksIn(StrictIn):
    public_jwks: Jwks


class EnabledIn(StrictIn):
    enabled: bool


@router.get(
    "/systems",
    auth=AUTH,
    response=responses(200, list[SystemOut]),
    summary="The information systems of the caller's departments",
)
def systems(request: HttpRequest) -> list[SystemOut]:
    rows = selectors.systems_for_staff(actor=request_actor(request)).order_by("code")
    return [_system_out(s) for s in rows[:1000]]


@router.post(
    "/systems",
    auth=AUTH,
    response=responses(201, SystemOut, 404, 422),
    summary="Register a department's information system with its public keys",
    description="The department's data managers register its systems; a taken code is "
    "refused (422).",
)
def system_register(request: HttpRequest, body: SystemRegisterIn) -> Any:
    department = department_by_code(credit_code=body.department.upper())
    if department is None:
        raise NotFound()
    system = exchange_services.system_register(
        actor=request_actor(request),
        department_id=department.pk,
        code=body.code,
        name=body.name,
        public_jwks=body.public_jwks,
    )
    return Status(201, _system_out(system))


@router.put(
    "/systems/{code}/keys",
    auth=AUTH,
    response=responses(200, SystemOut, 404, 422),
    summary="Replace a system's public keys (key rotation)",
    description="To rotate without a break, publish the old and the new key together, switch "
    "the system to the new one, then publish the new key alone.",
)
def system_keys(request: HttpRequest, code: str, body: JwksIn) -> SystemOut:
    system = _managed_system(request, code[:60])
    return _system_out(
        exchange_services.system_keys_replace(
            actor=request_actor(request), system_id=system.pk, public_jwks=body.public_jwks
        )
    )


@router.post(
    "/systems/{code}/enabled",
    auth=AUTH,
    response=responses(200, SystemOut, 404, 422),
    summary="Disable a system (its every call refused at once) or enable it again",
)
def system_enabled(request: HttpRequest, code: str, body: EnabledIn) -> SystemOut:
    system = _managed_system(request, code[:60])
    return _system_out(
        exchange_services.system_set_enabled(
            actor=request_actor(request), system_id=system.pk, enabled=body.enabled
        )
    )


class TrafficOut(Schema):
    service: str
    client: str
    calls: int
    served: int
    refused: int
    failed: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


class TrafficQuery(Schema):
    hours: int = Field(24, ge=1, le=24 * 31)


@router.get(
    "/traffic",
    auth=AUTH,
    response=responses(200, list[TrafficOut], 422),
    summary="Per service and consumer: calls, outcomes and latency percentiles",
)
def traffic(request: HttpRequest, query: Query[TrafficQuery]) -> list[TrafficOut]:
    return [
        TrafficOut(**vars(t))
        for t in selectors.traffic(actor=request_actor(request), hours=query.hours)
    ]
