"""My messages (/account/messages/): one's own messages only, newest first, read on opening."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tongban.demo import people
from tongban.identity.tests.helpers import person_client
from tongban.notifications import selectors, services
from tongban.notifications.models import Notification
from tongban.notifications.types import KINDS

pytestmark = pytest.mark.django_db

URL = "/account/messages/"


def _notify(person, title: str, kind: str = "case.accepted") -> Notification:
    with transaction.atomic():
        return services.notify(
            user_id=person.user_id,
            kind=kind,
            title=title,
            body=f"{title}。详情请见办件页面。",
            link="/account/",
            channels=("sms",),
        )


def test_the_inbox_lists_only_ones_own_messages_newest_first(zhang, li):
    first = _notify(zhang, "张伟的第一条消息")
    second = _notify(zhang, "张伟的第二条消息", kind="case.correction_requested")
    _notify(li, "李娜的消息")
    response = person_client(people.PEOPLE[0][2]).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "李娜的消息" not in page
    assert page.index(second.title) < page.index(first.title)
    assert [n.pk for n in response.context["page"].object_list] == [second.pk, first.pk]
    assert response.context["unread"] == 2
    with translation.override("zh-hans"):
        assert str(KINDS["case.correction_requested"]) in page


def test_opening_a_message_shows_it_and_marks_it_read(zhang):
    notification = _notify(zhang, "办件已受理")
    client = person_client(people.PEOPLE[0][2])
    response = client.get(URL, {"open": notification.pk})
    assert response.status_code == 200
    assert response.context["opened"].pk == notification.pk
    assert "详情请见办件页面" in response.content.decode()
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None and selectors.unread_count(zhang.user_id) == 0
    client.get(URL, {"open": notification.pk})
    notification.refresh_from_db()
    assert notification.read_at == first_read  # the first reading counts


def test_someone_elses_message_is_not_found(zhang, li):
    theirs = _notify(li, "李娜的消息")
    client = person_client(people.PEOPLE[0][2])
    assert client.get(URL, {"open": theirs.pk}).status_code == 404
    assert client.post(URL, {"action": "read", "notification": theirs.pk}).status_code == 404
    assert client.get(URL, {"open": "not-a-number"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read_and_the_unread_filter(zhang, li):
    _notify(zhang, "消息一")
    _notify(zhang, "消息二")
    _notify(li, "李娜的消息")
    client = person_client(people.PEOPLE[0][2])
    assert len(client.get(URL, {"unread": "1"}).context["page"].object_list) == 2
    response = client.post(URL, {"action": "read_all"})
    assert response.status_code == 302 and response["Location"] == URL
    assert selectors.unread_count(zhang.user_id) == 0
    assert selectors.unread_count(li.user_id) == 1
    assert len(client.get(URL, {"unread": "1"}).context["page"].object_list) == 0


def test_the_page_needs_a_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_inbox_query_count_does_not_grow_with_the_messages(zhang):
    client = person_client(people.PEOPLE[0][2])
    _notify(zhang, "消息 0")
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(1, 15):
        _notify(zhang, f"消息 {i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 15
    assert len(many.captured_queries) == len(few.captured_queries)
