"""Notifications are written with the change they report, delivered by the worker, retried,
never sent twice and never lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from tongban.core.errors import InvalidInput, NotFound
from tongban.core.messaging import SmsBackend, sms_outbox
from tongban.notifications import selectors, services, tasks
from tongban.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db

PHONE_ZHANG = "13800000001"


class BrokenSms(SmsBackend):
    """A gateway that is down; its message quotes the number, as real errors do."""

    def send(self, *, phone: str, text: str) -> None:
        raise ConnectionError(f"gateway refused {phone}")


def _notify(person, **kwargs):
    arguments = {
        "user_id": person.user_id,
        "kind": "case.accepted",
        "title": "您的申请已受理",
        "body": "申请编号 2026-000001 已受理，请留意后续通知。",
        "link": "/account/messages/",
        "object_type": "case",
        "object_id": "2026-000001",
    }
    arguments.update(kwargs)
    with transaction.atomic():
        return services.notify(**arguments)


def _make_due(delivery: Delivery) -> None:
    """Let the clock run to the delivery's next attempt (its row and its queued task)."""
    past = timezone.now() - dt.timedelta(seconds=1)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=past)
    DBTaskResult.objects.filter(status="READY").update(run_after=past)


def test_a_rolled_back_change_leaves_no_notification_and_no_task(zhang, run_worker):
    notifications, queued = Notification.objects.count(), DBTaskResult.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(user_id=zhang.user_id, kind="case.accepted", title="受理", body="已受理")
        raise RuntimeError("the case change failed")
    assert Notification.objects.count() == notifications
    assert DBTaskResult.objects.count() == queued
    run_worker()
    assert sms_outbox(PHONE_ZHANG) == [] and mail.outbox == []


def test_a_committed_notification_reaches_the_inbox_the_phone_and_the_mailbox(
    zhang, with_email, run_worker
):
    zhang = with_email(zhang, "zhangwei@example.cn")
    notification = _notify(zhang)
    assert selectors.unread_count(zhang.user_id) == 1
    assert [d.status for d in notification.deliveries.order_by("channel")] == [
        "pending",
        "pending",
    ]
    # The tasks wait in the database queue until a worker runs them.
    assert sms_outbox(PHONE_ZHANG) == [] and mail.outbox == []
    run_worker()

    [sms] = sms_outbox(PHONE_ZHANG)
    assert "您的申请已受理" in sms["text"] and "2026-000001" in sms["text"]
    [email] = mail.outbox
    assert email.to == ["zhangwei@example.cn"] and email.subject == "您的申请已受理"
    assert "2026-000001" in email.body
    for delivery in notification.deliveries.all():
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
        assert delivery.sent_at is not None and delivery.next_attempt_at is None
    assert selectors.inbox_for_user(zhang.user_id).first().pk == notification.pk


def test_channels_the_person_cannot_receive_are_skipped(zhang, run_worker):
    from django.contrib.auth import get_user_model

    # 张伟 has a verified phone but no e-mail address.
    notification = _notify(zhang)
    statuses = {d.channel: (d.status, d.last_error) for d in notification.deliveries.all()}
    assert statuses == {"email": ("skipped", "no_verified_email"), "sms": ("pending", "")}
    # A staff account reads its messages on the site only.
    admin = get_user_model().objects.get(username="admin")
    with transaction.atomic():
        staff_note = services.notify(
            user_id=admin.pk, kind="case.notice", title="提醒", body="有新的申请待受理。"
        )
    assert {d.status for d in staff_note.deliveries.all()} == {"skipped"}
    run_worker()
    assert len(sms_outbox(PHONE_ZHANG)) == 1 and mail.outbox == []


def test_the_text_is_written_in_the_recipients_language_not_the_callers(zhang):
    with translation.override("en"):
        notification = _notify(
            zhang,
            title=gettext_lazy("Tongban"),
            body=gettext_lazy("My account"),
            channels=("sms",),
        )
    assert notification.language == "zh-hans"
    assert notification.title == "通办" and notification.body == "我的账号"


def test_params_fill_the_placeholders(zhang):
    notification = _notify(
        zhang, title="申请 %(number)s 已受理", body="编号 %(number)s", params={"number": "A-7"}
    )
    assert notification.title == "申请 A-7 已受理" and notification.body == "编号 A-7"


def test_an_unknown_recipient_is_not_found():
    with pytest.raises(NotFound):
        services.notify(user_id=10**9, kind="case.notice", title="提醒", body="内容")


def test_bad_input_is_refused(zhang):
    with pytest.raises(InvalidInput) as caught:
        _notify(zhang, kind="Accepted!", link="https://elsewhere.example/", channels=("fax",))
    assert {p.field for p in caught.value.problems} == {"kind", "link", "channels"}


def test_a_failing_gateway_is_retried_with_backoff_then_given_up(settings, zhang, run_worker):
    settings.SMS_BACKEND = "tongban.notifications.tests.test_delivery.BrokenSms"
    notification = _notify(zhang, channels=("sms",))
    delivery = notification.deliveries.get()
    delays = []
    for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
        before = timezone.now()
        run_worker()  # the exception stays inside the task
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.last_error == "builtins.ConnectionError"
        if attempt < tasks.MAX_ATTEMPTS:
            assert delivery.status == "pending"
            delays.append(round((delivery.next_attempt_at - before).total_seconds() / 60))
            # The retry waits in the queue until it is due.
            run_worker()
            delivery.refresh_from_db()
            assert delivery.attempts == attempt
            _make_due(delivery)
    assert delays == [1, 5, 25, 125, 625]
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert PHONE_ZHANG not in delivery.last_error
    # Every task finished normally: the failure is the delivery's, not the worker's.
    assert not DBTaskResult.objects.filter(status__in=["FAILED", "READY", "RUNNING"]).exists()
    # A late duplicate changes nothing.
    assert tasks.deliver.call(delivery.pk) == "failed"
    assert Delivery.objects.get(pk=delivery.pk).attempts == tasks.MAX_ATTEMPTS


def test_running_the_same_delivery_twice_sends_once(zhang, run_worker):
    notification = _notify(zhang, channels=("sms",))
    delivery = notification.deliveries.get()
    assert tasks.deliver.call(delivery.pk) == "sent"
    assert tasks.deliver.call(delivery.pk) == "sent"
    run_worker()  # the queued task finds it sent
    assert len(sms_outbox(PHONE_ZHANG)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_second_worker_does_not_send_while_the_first_holds_the_delivery(zhang):
    notification = _notify(zhang, channels=("sms",))
    delivery = notification.deliveries.get()
    assert tasks._claim(delivery.pk) is not None  # the first worker is sending
    assert tasks.deliver.call(delivery.pk) == "pending"  # a duplicate task backs off
    assert sms_outbox(PHONE_ZHANG) == []


def test_the_sweep_resends_what_a_killed_worker_left_behind(zhang, run_worker):
    notification = _notify(zhang, channels=("sms",))
    delivery = notification.deliveries.get()
    # The worker claims the task and the delivery, then is killed before sending.
    DBTaskResult.objects.filter(id=delivery.task_id).update(status="RUNNING")
    tasks._claim(delivery.pk)
    assert services.deliveries_sweep() == 0  # its lease has not run out yet
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - services.SWEEP_GRACE - dt.timedelta(seconds=1)
    )
    call_command("notifications_sweep", verbosity=0)
    delivery.refresh_from_db()
    assert DBTaskResult.objects.filter(id=delivery.task_id, status="READY").exists()
    run_worker()
    assert len(sms_outbox(PHONE_ZHANG)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert services.deliveries_sweep() == 0


def test_the_sweep_leaves_queued_tasks_alone_and_replaces_lost_ones(zhang, run_worker):
    notification = _notify(zhang, channels=("sms",))
    delivery = notification.deliveries.get()
    overdue = timezone.now() - services.SWEEP_GRACE - dt.timedelta(minutes=1)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=overdue)
    # The worker is down: the task is still in the queue, nothing to add.
    assert services.deliveries_sweep() == 0
    # The task row is lost (pruned by hand, say): the sweep enqueues a new one.
    DBTaskResult.objects.filter(id=delivery.task_id).delete()
    assert services.deliveries_sweep() == 1
    run_worker()
    assert len(sms_outbox(PHONE_ZHANG)) == 1


def test_the_immediate_backend_sends_only_after_commit(
    settings, zhang, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _notify(zhang, channels=("sms",))
        raise RuntimeError("rolled back")
    assert sms_outbox(PHONE_ZHANG) == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = _notify(zhang, channels=("sms",))
        assert sms_outbox(PHONE_ZHANG) == []
    assert len(callbacks) == 1
    assert len(sms_outbox(PHONE_ZHANG)) == 1
    assert notification.deliveries.get().status == "sent"
