"""The demo city's exchange: the base registries published as resources with their services,
and the social-insurance system of the human-resources bureau as a consumer with grants.

The demo system's private key is kept in ``var/exchange/<system>.jwk.json`` so
``manage.py exchange_call`` can sign its calls (a real system keeps its own key; the
platform only ever holds the public half).
"""

from __future__ import annotations

import json
import os
from typing import Any

from tongban.core.types import Actor
from tongban.demo.city import department_codes
from tongban.exchange import client
from tongban.exchange import services as exchange_services
from tongban.exchange.models import ExchangeService, Grant, InformationSystem
from tongban.organizations.models import Department

DEMO_SYSTEM = "hrss-social-insurance"


def resources() -> list[dict[str, Any]]:
    codes = department_codes()
    return [
        {
            "code": "990100-GA-0001",
            "name": "人口基础信息",
            "classification": "base",
            "provider": codes["psb"],
            "summary": "江川市常住人口的身份信息。仅提供核验服务：姓名与公民身份号码是否一致。",
            "format": "JSON",
            "data_items": [
                {"key": "id_number", "name": "公民身份号码", "type": "string"},
                {"key": "name", "name": "姓名", "type": "string"},
            ],
            "sharing_type": "conditional",
            "sharing_condition": "用于办理政务服务事项时核验申请人身份",
            "open_type": "closed",
            "update_cycle": "实时",
            "services": [
                {
                    "code": "population-verify",
                    "name": "身份信息核验",
                    "kind": "verification",
                    "handler": "population.verify",
                    "inputs": ["id_number", "name"],
                    "fields": ["match"],
                }
            ],
        },
        {
            "code": "990100-SC-0001",
            "name": "法人基础信息",
            "classification": "base",
            "provider": codes["amr"],
            "summary": "在江川市登记的市场主体的名称、登记状态、成立日期和法定代表人。",
            "format": "JSON",
            "data_items": [
                {"key": "credit_code", "name": "统一社会信用代码", "type": "string"},
                {"key": "name", "name": "名称", "type": "string"},
                {"key": "status", "name": "登记状态", "type": "string"},
                {"key": "registered_on", "name": "成立日期", "type": "date"},
                {"key": "representative_name", "name": "法定代表人", "type": "string"},
            ],
            "sharing_type": "unconditional",
            "open_type": "conditional",
            "update_cycle": "实时",
            "services": [
                {
                    "code": "company-status",
                    "name": "市场主体登记信息查询",
                    "kind": "query",
                    "handler": "company.status",
                    "inputs": ["credit_code"],
                    "fields": ["name", "status", "registered_on", "representative_name"],
                },
                {
                    "code": "company-good-standing",
                    "name": "市场主体存续核验",
                    "kind": "verification",
                    "handler": "company.good_standing",
                    "inputs": ["credit_code"],
                    "fields": ["in_good_standing"],
                },
            ],
        },
        {
            "code": "990100-ZZ-0001",
            "name": "电子证照信息",
            "classification": "theme",
            "provider": codes["amr"],
            "summary": "电子证照库中证照的有效状态。仅提供核验服务。",
            "data_items": [
                {"key": "identifier", "name": "证照标识", "type": "string"},
                {"key": "valid", "name": "是否有效", "type": "boolean"},
            ],
            "sharing_type": "unconditional",
            "update_cycle": "实时",
            "services": [
                {
                    "code": "certificate-valid",
                    "name": "电子证照有效性核验",
                    "kind": "verification",
                    "handler": "certificate.valid",
                    "inputs": ["identifier"],
                    "fields": ["valid", "status"],
                }
            ],
        },
        {
            "code": "990100-WJ-0001",
            "name": "居民电子健康档案",
            "classification": "department",
            "provider": codes["health"],
            "summary": "居民的诊疗与健康记录。涉及个人隐私，不予共享。",
            "data_items": [
                {"key": "id_number", "name": "公民身份号码", "type": "string"},
                {"key": "records", "name": "健康记录", "type": "string"},
            ],
            "sharing_type": "not_shared",
            "legal_basis": "《中华人民共和国个人信息保护法》第二十八条（敏感个人信息）",
            "update_cycle": "每日",
        },
    ]


PLATFORM_BASIS = (
    "《优化营商环境条例》第三十七条；《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》"
)


key_path = client.key_path


def demo_private_key(system_code: str) -> dict[str, Any]:
    """The demo system's private JWK (made and kept on first use)."""
    path = key_path(system_code)
    if path.exists():
        return json.loads(path.read_text())
    private, _public = client.new_key(f"{system_code}-1")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(private, handle)
    return private


def public_jwks(private: dict[str, Any]) -> dict[str, Any]:
    public = {k: private[k] for k in ("kty", "crv", "x", "y", "kid")}
    return {"keys": [{**public, "use": "sig", "alg": "ES256"}]}


def load_demo_exchange(actor: Actor) -> int:
    """Publish the resources, register the demo system and grant it; returns the number of
    resources."""
    exchange_services.gateway_jwks()  # the gateway's signing key exists from the start
    documents = resources()
    for document in documents:
        exchange_services.resource_publish(actor=actor, document=document)
    hrss = Department.objects.get(credit_code=department_codes()["hrss"])
    jwks = public_jwks(demo_private_key(DEMO_SYSTEM))
    system = InformationSystem.objects.filter(code=DEMO_SYSTEM).first()
    if system is None:
        system = exchange_services.system_register(
            actor=actor,
            department_id=hrss.pk,
            code=DEMO_SYSTEM,
            name="社会保险经办系统",
            public_jwks=jwks,
        )
    elif system.public_jwks != jwks:
        exchange_services.system_keys_replace(actor=actor, system_id=system.pk, public_jwks=jwks)
    wanted = [
        ("population-verify", None, "社会保险参保登记时核验参保人身份"),
        ("company-status", ["name", "status"], "单位参保登记时核对单位登记状态"),
        ("company-good-standing", None, "单位参保登记时核验单位存续"),
    ]
    for code, fields, purpose in wanted:
        service = ExchangeService.objects.get(code=code)
        if Grant.objects.filter(system=system, service=service).exists():
            continue
        grant = exchange_services.grant_request(
            actor=actor,
            system_id=system.pk,
            service_id=service.pk,
            fields=fields,
            purpose=purpose,
        )
        if grant.status == Grant.Status.REQUESTED:
            exchange_services.grant_decide(actor=actor, grant_id=grant.pk, approve=True)
    # The platform's own functions, run by the administrative approval services bureau.
    approval = Department.objects.get(credit_code=department_codes()["approval"])
    identity, cases = exchange_services.platform_systems_register(
        actor=actor, department_id=approval.pk
    )
    for system, code, fields, purpose in [
        (identity, "population-verify", None, "实名认证时核验姓名与公民身份号码（L2）"),
        (cases, "population-verify", None, "办理政务服务事项时核验申请人身份"),
        (cases, "company-status", ["name", "status", "registered_on", "representative_name"],
         "办理政务服务事项时调取申请单位登记信息"),
        (cases, "company-good-standing", None, "办理政务服务事项时核验申请单位存续"),
    ]:  # fmt: skip
        service = ExchangeService.objects.get(code=code)
        if Grant.objects.filter(system=system, service=service).exists():
            continue
        grant = exchange_services.grant_request(
            actor=actor,
            system_id=system.pk,
            service_id=service.pk,
            fields=fields,
            purpose=purpose,
            legal_basis=PLATFORM_BASIS,
        )
        if grant.status == Grant.Status.REQUESTED:
            exchange_services.grant_decide(actor=actor, grant_id=grant.pk, approve=True)
    return len(documents)
