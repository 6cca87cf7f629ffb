"""A test consuming system: its own key pair, registered through the services, and calls to
the real gateway view through Django's test client."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from tongban.core.types import Actor
from tongban.demo.city import department_codes
from tongban.exchange import client
from tongban.exchange import services as exchange_services
from tongban.exchange.models import ExchangeService, InformationSystem
from tongban.organizations.models import Department

SYSTEM = Actor.system("tests")


@dataclass
class TestSystem:
    system: InformationSystem
    private: dict[str, Any]
    calls: list[Any] = field(default_factory=list)

    def grant(self, service_code: str, fields: list[str] | None = None, **extra: Any) -> Any:
        service = ExchangeService.objects.get(code=service_code)
        grant = exchange_services.grant_request(
            actor=SYSTEM,
            system_id=self.system.pk,
            service_id=service.pk,
            fields=fields,
            purpose="测试用途：核验申请人信息",
            **extra,
        )
        if grant.status == grant.Status.REQUESTED:
            grant = exchange_services.grant_decide(actor=SYSTEM, grant_id=grant.pk, approve=True)
        return grant

    def headers(self, **overrides: Any) -> dict[str, str]:
        return client.call_headers(
            system=self.system.code,
            private_jwk=self.private,
            audience=settings.EXCHANGE_AUDIENCE,
            user=overrides.pop("user", "clerk-0042"),
            purpose=overrides.pop("purpose", "参保登记核验身份"),
            case_number=overrides.pop("case_number", ""),
            message_id=overrides.pop("message_id", None),
        )

    def call(self, django_client: Any, service: str, query: dict[str, Any],
             fields: list[str] | None = None, *, headers: dict[str, str] | None = None,
             provider: str | None = None, body: bytes | None = None) -> Any:  # fmt: skip
        provider = provider or provider_of(service)
        response = django_client.post(
            f"/exchange/r1/{provider}/{service}",
            data=client.call_body(query, fields) if body is None else body,
            content_type="application/json",
            headers={k: v for k, v in (headers or self.headers()).items()
                     if k != "Content-Type"},
        )  # fmt: skip
        self.calls.append(response)
        return response


def provider_of(service_code: str) -> str:
    service = ExchangeService.objects.select_related("resource__provider").get(code=service_code)
    return service.resource.provider.credit_code


def make_system(department_key: str = "hrss") -> TestSystem:
    code = f"test-{secrets.token_hex(4)}"
    private, jwks = client.new_key(f"{code}-k1")
    department = Department.objects.get(credit_code=department_codes()[department_key])
    system = exchange_services.system_register(
        actor=SYSTEM, department_id=department.pk, code=code, name="测试系统", public_jwks=jwks
    )
    return TestSystem(system=system, private=private)
