"""Single sign-on pages: the consent page lists exactly the claims each scope releases; the
browser may only post the consent to the client's registered redirect address."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from oauth2_provider.views import AuthorizationView, RPInitiatedLogoutView

from tongban.identity.oidc import SCOPE_CLAIMS
from tongban.identity.selectors import request_actor


def _origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


class ConsentView(AuthorizationView):
    template_name = "oauth2_provider/authorize.html"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # The company this session acts for is what the client will be told (``company``
        # scope): record it for the token request, which has no session.
        if request.user.is_authenticated:
            from tongban.identity.models import Person

            actor = request_actor(request)
            if actor.person_id is not None:
                Person.objects.filter(pk=actor.person_id).update(
                    acting_for_id=actor.acting_for_company_id
                )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        scopes = context.get("scopes") or []
        descriptions = context.get("scopes_descriptions") or []
        context["scope_claims"] = [
            (scope, description, SCOPE_CLAIMS.get(scope, []))
            for scope, description in zip(scopes, descriptions, strict=False)
        ]
        context["actor"] = request_actor(self.request)
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> Any:
        response = super().render_to_response(context, **kwargs)
        # The consent form's answer is a redirect to the client: allow exactly that origin.
        origin = _origin(context.get("redirect_uri", ""))
        if origin:
            response._csp_update = {"form-action": [origin]}
        return response


class LogoutView(RPInitiatedLogoutView):
    template_name = "oauth2_provider/logout_confirm.html"

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> Any:
        response = super().render_to_response(context, **kwargs)
        form = context.get("form")
        target = form["post_logout_redirect_uri"].value() if form is not None else ""
        origin = _origin(target or "")
        if origin:
            response._csp_update = {"form-action": [origin]}
        return response


def sso_client_origin(next_url: str) -> str | None:
    """When a log-in continues a single sign-on request, the origin of the client's registered
    redirect address: the log-in form's answer ends there, so the page must allow it
    (``form-action``). Only a redirect address the client registered counts."""
    from urllib.parse import parse_qs

    from django.urls import reverse
    from oauth2_provider.models import get_application_model

    parts = urlsplit(next_url or "")
    if parts.path != reverse("oauth2_provider:authorize"):
        return None
    query = parse_qs(parts.query)
    client_id = (query.get("client_id") or [""])[0]
    redirect_uri = (query.get("redirect_uri") or [""])[0]
    client = get_application_model().objects.filter(client_id=client_id[:100]).first()
    if client is None or not client.redirect_uri_allowed(redirect_uri):
        return None
    return _origin(redirect_uri)


def allow_sso_redirect(response: Any, next_url: str) -> Any:
    origin = sso_client_origin(next_url)
    if origin:
        response._csp_update = {"form-action": [origin]}
    return response
