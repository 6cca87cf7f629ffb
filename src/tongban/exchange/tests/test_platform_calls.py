"""The platform's own functions use the exchange like any member: identity assurance L2 asks
the population verification service; the call is logged and in the person's tracker."""

from __future__ import annotations

import pytest
from django.conf import settings

from tongban.core.errors import Unavailable
from tongban.core.models import DataUseRecord
from tongban.core.sharing import SharingRefused, shared_call
from tongban.exchange.models import ExchangeMessage, Grant
from tongban.identity import services
from tongban.identity.models import AssuranceLevel
from tongban.identity.selectors import actor_for_user
from tongban.identity.tests.helpers import demo_person

pytestmark = pytest.mark.django_db


def _at_l1(index: int):
    person = demo_person(index)
    type(person).objects.filter(pk=person.pk).update(assurance_level=AssuranceLevel.L1)
    person.refresh_from_db()
    return person


def test_the_l2_check_goes_through_the_exchange_and_is_in_the_tracker():
    zhang = _at_l1(0)
    system_code = settings.EXCHANGE_PLATFORM_SYSTEMS["identity"]
    services.person_verify_with_registry(actor=actor_for_user(zhang.user), person_id=zhang.pk)
    zhang.refresh_from_db()
    assert zhang.assurance_level == AssuranceLevel.L2
    message = ExchangeMessage.objects.filter(client=system_code).latest("id")
    assert message.outcome == "served" and message.service == "population-verify"
    assert message.subject_index == zhang.id_number_index
    use = DataUseRecord.objects.get(reference=message.message_id)
    assert use.subject_index == zhang.id_number_index and use.channel == "exchange"


def test_without_its_grant_the_platform_says_so_and_the_level_stays():
    system_code = settings.EXCHANGE_PLATFORM_SYSTEMS["identity"]
    Grant.objects.filter(system__code=system_code).update(status="revoked")
    li = _at_l1(1)
    with pytest.raises(Unavailable):
        services.person_verify_with_registry(actor=actor_for_user(li.user), person_id=li.pk)
    li.refresh_from_db()
    assert li.assurance_level == AssuranceLevel.L1
    refused = ExchangeMessage.objects.filter(client=system_code).latest("id")
    assert refused.outcome == "refused" and refused.reason == "no_grant"


def test_an_unknown_function_or_service_is_refused_and_logged():
    with pytest.raises(SharingRefused) as refused:
        shared_call(function="nobody", service="population-verify", query={},
                    user="test", purpose="测试用途")  # fmt: skip
    assert refused.value.reason == "unknown_system"
    with pytest.raises(SharingRefused) as refused:
        shared_call(function="identity", service="health-records", query={},
                    user="test", purpose="测试用途")  # fmt: skip
    assert refused.value.reason in ("unknown_service", "no_grant")
    assert ExchangeMessage.objects.filter(message_id=refused.value.message_id).exists()
