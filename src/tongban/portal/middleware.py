"""Staff pass the second factor before anything else: one gate in front of every page and
API call, so that no view can forget it."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.identity.selectors import request_actor, staff_needs_second_factor

# Reachable before the second factor: the log-in steps themselves, and static files.
OPEN_PREFIXES = (
    "/static/",
    "/i18n/",
    "/healthz",
    "/account/login/",
    "/account/logout/",
    "/account/second-factor/",
    "/account/password-reset/",
)


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            # The request's actor (built once, reused by the view) carries the roles.
            and staff_needs_second_factor(user, request_actor(request).grants)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "second_factor_required",
                        "message": _("Staff enter their authenticator code before using the API."),
                    },
                    status=401,
                )
            target = (
                f"{reverse('portal:second_factor')}?{urlencode({'next': request.get_full_path()})}"
            )
            return HttpResponseRedirect(target)
        return self.get_response(request)
