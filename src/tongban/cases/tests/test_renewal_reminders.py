"""Reminders before a certificate expires: once per version, to the holder, with the link to
the item that renews it; ``certificates_sweep`` runs them with the expiry."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tongban.cases.services.renewals import certificates_remind_expiring
from tongban.catalog.models import ImplementationItem
from tongban.certificates.models import Certificate
from tongban.certificates.tests.factories import SYSTEM, issue_residence_permit
from tongban.demo import people
from tongban.identity.tests.helpers import demo_person
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_holder_is_reminded_once_with_the_renewal_item():
    li = demo_person(1)
    today = timezone.localdate()
    soon = issue_residence_permit(
        holder_code=people.PEOPLE[1][1],
        holder_name=li.name,
        valid_from=today - dt.timedelta(days=300),
        valid_until=today + dt.timedelta(days=20),
    )
    later = issue_residence_permit(sequence=530, valid_until=today + dt.timedelta(days=200))
    assert certificates_remind_expiring(actor=SYSTEM, today=today) == 1
    [message] = Notification.objects.filter(kind="certificate.expiring", recipient=li.user)
    renewal = ImplementationItem.objects.get(
        base_item__base_code=soon.type.renewal_item_code, department=soon.issuer
    )
    assert message.link == reverse("portal:guide", args=[renewal.implementation_code])
    assert soon.identifier in message.body and "居住证签注" in message.body
    assert certificates_remind_expiring(actor=SYSTEM, today=today) == 0  # once
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.expiry_reminded_on == today and later.expiry_reminded_on is None


def test_the_sweep_expires_and_reminds():
    today = timezone.localdate()
    ended = issue_residence_permit(
        sequence=531,
        valid_from=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=1),
    )
    out = io.StringIO()
    call_command("certificates_sweep", stdout=out)
    ended.refresh_from_db()
    assert ended.status == Certificate.Status.EXPIRED
    assert ended.expiry_reminded_on is None  # an ended one is not "expiring soon"
    assert "expired" in out.getvalue()
