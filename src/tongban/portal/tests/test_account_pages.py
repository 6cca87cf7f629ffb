"""Account pages that need the catalog (the portal sits above both)."""

from __future__ import annotations

import pytest

from tongban.demo import people
from tongban.identity.models import Mandate
from tongban.identity.tests.helpers import person_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    from tongban.identity import services
    from tongban.identity.tests.helpers import last_code

    def make(name: str):
        number, phone = people.citizen_id("990102", "19870707", 321), "13911112222"
        services.code_send(purpose="register", channel="sms", destination=phone)
        return services.person_register(
            id_number=number,
            name=name,
            phone=phone,
            password="A-good-passphrase-2026",
            code=last_code(phone),
        )

    return make


@pytest.fixture(autouse=True)
def sms_files(settings, tmp_path):
    settings.SMS_BACKEND = "tongban.core.messaging.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.RATELIMIT_ENABLE = False


def test_a_mandate_for_chosen_items_needs_real_item_codes(register):
    from tongban.catalog.models import BaseItem
    from tongban.identity.models import Company

    agent = register(name="郑十")
    client = person_client(people.COMPANIES[0][1])
    company = Company.objects.get(credit_code=people.COMPANIES[0][1])
    url = f"/account/companies/{company.pk}/mandates/"
    form = {
        "action": "grant",
        "agent_name": "郑十",
        "agent_id_number": agent.id_number,
        "valid_from": "2099-01-01",
        "valid_until": "2099-06-30",
        "scope": "some",
    }
    response = client.post(url, {**form, "item_codes": "NOSUCHCODE1"})
    assert response.status_code == 200 and "NOSUCHCODE1" in str(response.context["form"].errors)
    code = BaseItem.objects.order_by("base_code").first().base_code
    response = client.post(url, {**form, "item_codes": code.lower()})
    assert response.status_code == 302
    assert Mandate.objects.get(agent=agent).item_codes == [code]
