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
