"""My messages (我的消息): a person's in-site notifications, newest first.

No JavaScript needed: opening a message is a link (``?open=<id>``) that shows its full text
and marks it read; "mark all as read" is a form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tongban.core.errors import NotFound
from tongban.identity.selectors import request_actor
from tongban.notifications import selectors, services

PAGE_SIZE = 20


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def messages_page(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if request.method == "POST":
        if request.POST.get("action") == "read_all":
            services.notification_mark_all_read(actor=actor)
            messages.success(request, _("All your messages are marked as read."))
        elif request.POST.get("action") == "read":
            notification_id = _int(request.POST.get("notification"))
            if notification_id is None:
                raise NotFound()
            services.notification_mark_read(actor=actor, notification_id=notification_id)
        return redirect("portal:messages")

    opened = None
    if "open" in request.GET:
        notification_id = _int(request.GET.get("open"))
        if notification_id is None:
            raise NotFound()
        # Raises NotFound for anyone else's message: the page says nothing about it.
        opened = services.notification_mark_read(actor=actor, notification_id=notification_id)

    unread_only = request.GET.get("unread") == "1"
    inbox = selectors.inbox_for_user(request.user.pk, unread_only=unread_only)
    page = Paginator(inbox, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/account/messages.html",
        {
            "page": page,
            "opened": opened,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user.pk),
        },
    )
