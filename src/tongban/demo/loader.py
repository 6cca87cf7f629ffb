"""Load the demo city (江川市) through the same services staff and imports use."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from tongban.catalog import services as catalog_services
from tongban.certificates import services as certificate_services
from tongban.core.audit import audit_seal_all
from tongban.core.types import Actor
from tongban.demo import city, people
from tongban.demo.exchange import load_demo_exchange
from tongban.identity import services as identity_services
from tongban.organizations import services as organization_services
from tongban.organizations.models import Department
from tongban.workflow import services as workflow_services


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    description: str


DEMO_PASSWORD = "Tongban-demo-2026"  # noqa: S105 - printed for the demo on purpose


STAFF = (
    "admin",
    "catalog.city",
    "catalog.amr",
    "auditor",
    "clerk.city",
    "data.city",
    "data.psb",
    "data.hrss",
    "clerk.qingshan",
    "review.amr",
    "approve.amr",
    "review.linjiang",
    "approve.linjiang",
)


def demo_accounts() -> list[DemoAccount]:
    """Staff log in with the user name; persons with their ID number or mobile number."""
    return [
        DemoAccount("admin", DEMO_PASSWORD, "administrator (everything)"),
        DemoAccount("catalog.city", DEMO_PASSWORD, "catalog manager, whole city"),
        DemoAccount("catalog.amr", DEMO_PASSWORD, "catalog manager, city market regulation"),
        DemoAccount("auditor", DEMO_PASSWORD, "auditor (reads the audit log)"),
        DemoAccount("clerk.city", DEMO_PASSWORD, "window clerk (any window of the city)"),
        DemoAccount("data.city", DEMO_PASSWORD, "data manager (base registries)"),
        DemoAccount("data.psb", DEMO_PASSWORD, "data manager, city public security (provider)"),
        DemoAccount("data.hrss", DEMO_PASSWORD, "data manager, city social security (consumer)"),
        DemoAccount("clerk.qingshan", DEMO_PASSWORD, "window clerk, 青山区 hall"),
        DemoAccount("review.amr", DEMO_PASSWORD, "reviewer, city market regulation"),
        DemoAccount("approve.amr", DEMO_PASSWORD, "approver, city market regulation"),
        DemoAccount("review.linjiang", DEMO_PASSWORD, "reviewer, 临江区 public security"),
        DemoAccount("approve.linjiang", DEMO_PASSWORD, "approver, 临江区 public security"),
        DemoAccount(people.PEOPLE[0][2], DEMO_PASSWORD, "张伟, person, L1 (can verify to L2)"),
        DemoAccount(people.PEOPLE[1][2], DEMO_PASSWORD, "李娜, L2, representative of 江川示范科技"),
        DemoAccount(people.PEOPLE[2][2], DEMO_PASSWORD, "王芳, L1, agent of 江川示范科技"),
        DemoAccount(people.COMPANIES[0][1], DEMO_PASSWORD, "company log-in (李娜's password)"),
    ]


def load_demo_people(system: Actor) -> None:
    """The population and company registries, registered persons, a company and a mandate."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tongban.identity.models import AssuranceLevel, Company, Mandate, Person
    from tongban.registries import services as registry_services

    regions = identity_services.known_regions()
    registry_services.registry_load(
        actor=system,
        people=[{"id_number": i, "name": n, "region": i[:6]} for n, i, _p, _l in people.PEOPLE],
        companies=[
            {
                "credit_code": code,
                "name": name,
                "representative_id_number": people.PEOPLE[rep][1],
                "representative_name": people.PEOPLE[rep][0],
                "status": status,
                "registered_on": "2015-06-01",
            }
            for name, code, rep, status in people.COMPANIES
        ],
        known_regions=regions,
    )
    created: list[Person] = []
    for name, number, phone, level in people.PEOPLE:
        if level is None:
            continue
        index = identity_services.id_number_index(number)
        person = Person.objects.filter(id_number_index=index).first()
        if person is None:
            person = identity_services.person_create_at_counter(
                actor=system, id_number=number, name=name, phone=phone, password=DEMO_PASSWORD
            )
            # The demo shows every level: set the one the table gives.
            Person.objects.filter(pk=person.pk).update(
                assurance_level=AssuranceLevel(level),
                assurance_method="demo",
                phone_verified_at=person.created_at,
            )
        created.append(person)
    representative, agent = created[1], created[2]
    name, code, _rep, _status = people.COMPANIES[0]
    company = Company.objects.filter(credit_code=code).first()
    if company is None:
        company = Company.objects.create(credit_code=code, name=name, representative=representative)
    if not Mandate.objects.filter(company=company, agent=agent).exists():
        today = company.created_at.date()
        Mandate.objects.create(
            company=company,
            agent=agent,
            granted_by=representative,
            all_items=True,
            valid_from=today,
            valid_until=today.replace(year=today.year + 1),
        )
    user_model = get_user_model()
    for username in STAFF:
        user = user_model.objects.filter(username=username).first()
        if user is not None and not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(
                user=user, name="demo", key=people.totp_key(username), confirmed=True
            )


def load_demo_certificates(system: Actor) -> int:
    """The two certificate types and a certificate of each in the demo wallets (once)."""
    from tongban.certificates.models import Certificate

    for definition in city.certificate_types():
        certificate_services.certificate_type_define(actor=system, **definition)
    business, residence = (d["code"] for d in city.certificate_types())
    codes = city.department_codes()
    company_name, company_code, rep, _status = people.COMPANIES[0]
    person_name, person_number, _phone, _level = people.PEOPLE[0]
    wanted = [
        (
            business,
            codes["amr"],
            company_code,
            company_name,
            {
                "company_type": "有限责任公司（自然人投资或控股）",
                "legal_representative": people.PEOPLE[rep][0],
                "registered_capital": "壹佰万元整",
                "established_on": "2015-06-01",
                "address": "江川市临江区滨江街道科技路8号",
                "business_scope": "软件开发；信息技术咨询服务；数据处理服务。",
            },
        ),
        (
            residence,
            codes["990102/psb"],
            person_number,
            person_name,
            {"sex": "男", "address": "江川市临江区滨江街道滨江社区望江路12号"},
        ),
    ]
    issued = 0
    for type_code, issuer_code, holder_code, holder_name, fields in wanted:
        kind = "company" if type_code == business else "person"
        index = certificate_services.holder_index(holder_kind=kind, code=holder_code)
        if Certificate.objects.filter(type__code=type_code, holder_code_index=index).exists():
            continue
        certificate_services.certificate_issue(
            actor=system,
            type_code=type_code,
            issuer_department_id=Department.objects.get(credit_code=issuer_code).pk,
            holder_code=holder_code,
            holder_name=holder_name,
            fields=fields,
        )
        issued += 1
    return issued


def load_demo_city() -> dict[str, int]:
    """Organisations, the published catalog and the demo staff accounts."""
    system = Actor.system("load_demo")
    with transaction.atomic():
        orgs = organization_services.organizations_import(actor=system, data=city.organizations())
        workflow_services.calendar_load_file(actor=system)
        summary = catalog_services.catalog_import_document(
            actor=system, document=city.catalog(), publish=True
        )
        user_model = get_user_model()
        if not user_model.objects.filter(username="admin").exists():
            user_model.objects.create_superuser("admin", "admin@tongban.example", DEMO_PASSWORD)
        city_code = city.organizations()["regions"][1]["code"]
        amr = Department.objects.filter(
            name__contains="市场监督管理局", region_id=city_code
        ).first()
        codes = city.department_codes()
        psb = Department.objects.filter(credit_code=codes["psb"]).first()
        hrss = Department.objects.filter(credit_code=codes["hrss"]).first()
        psb_linjiang = Department.objects.filter(
            name__contains="公安局", region_id="990102"
        ).first()
        staff = [
            ("catalog.city", [("catalog_manager", None, city_code)]),
            ("catalog.amr", [("catalog_manager", amr.pk if amr else None, city_code)]),
            ("auditor", [("auditor", None, None)]),
            ("clerk.city", [("window_clerk", None, city_code)]),
            ("data.city", [("data_manager", None, city_code)]),
            ("data.psb", [("data_manager", psb.pk if psb else None, city_code)]),
            ("data.hrss", [("data_manager", hrss.pk if hrss else None, city_code)]),
            ("clerk.qingshan", [("window_clerk", None, "990103")]),
            ("review.amr", [("reviewer", amr.pk if amr else None, city_code)]),
            ("approve.amr", [("approver", amr.pk if amr else None, city_code)]),
            (
                "review.linjiang",
                [("reviewer", psb_linjiang.pk if psb_linjiang else None, "990102")],
            ),
            (
                "approve.linjiang",
                [("approver", psb_linjiang.pk if psb_linjiang else None, "990102")],
            ),
        ]
        for username, roles in staff:
            if not user_model.objects.filter(username=username).exists():
                identity_services.staff_user_create(
                    actor=system, username=username, password=DEMO_PASSWORD, roles=roles
                )
        load_demo_people(system)
        certificates = load_demo_certificates(system)
        resources = load_demo_exchange(system)
    audit_seal_all()
    return {**orgs, **summary, "certificates": certificates, "exchange_resources": resources}
