"""Identity in the workbench: persons, companies and mandates (read-only, masked), and the
single sign-on clients an administrator registers. Changes go through identity services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_application_model

from tongban.core.audit import audit_log
from tongban.core.authorization import Target, permits
from tongban.core.errors import InvalidInput
from tongban.identity.models import ClientPolicy, Company, Mandate, Person
from tongban.identity.services.clients import oidc_client_create
from tongban.workbench.admin import actor_of, workbench_site

Application = get_application_model()


class ReadOnlyAdmin(admin.ModelAdmin):
    roles: tuple[str, ...] = ("administrator",)

    def _allowed(self, request: HttpRequest) -> bool:
        actor = actor_of(request)
        return any(actor.has_role(role) for role in self.roles)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Person, site=workbench_site)
class PersonAdmin(ReadOnlyAdmin):
    """Persons, masked. Searched by name only: an ID number in a search would travel in the
    address (and the logs); the counter looks people up by ID number with a POST."""

    roles = ("window_clerk", "supervisor", "auditor", "administrator")
    list_display = ["name", "id_number_masked", "phone_masked", "assurance_level", "created_at"]
    list_filter = ["assurance_level", "sex"]
    search_fields = ["name"]
    search_help_text = _("A name. To find someone by ID number, use the counter.")
    fields = [
        "name",
        "id_number_masked",
        "sex",
        "birth_date",
        "phone_masked",
        "email",
        "assurance_level",
        "assurance_method",
        "assured_at",
        "created_at",
    ]

    def changeform_view(self, request: HttpRequest, object_id: Any = None, *args: Any, **kw: Any):
        """Staff reading a person's record is recorded (who looked at whom)."""
        if object_id is not None:
            audit_log(
                actor=actor_of(request),
                action="identity.person.view",
                object_type="person",
                object_id=str(object_id)[:20],
            )
        return super().changeform_view(request, object_id, *args, **kw)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None):
        audit_log(
            actor=actor_of(request),
            action="identity.person.list",
            data={"query": request.GET.get("q", "")[:50]},
        )
        return super().changelist_view(request, extra_context)


@admin.register(Company, site=workbench_site)
class CompanyAdmin(ReadOnlyAdmin):
    roles = ("supervisor", "auditor", "administrator")
    list_display = ["name", "credit_code", "representative", "created_at"]
    search_fields = ["name", "credit_code"]
    fields = ["name", "credit_code", "representative", "registry_matched_at", "created_at"]


@admin.register(Mandate, site=workbench_site)
class MandateAdmin(ReadOnlyAdmin):
    roles = ("supervisor", "auditor", "administrator")
    list_display = ["company", "agent", "all_items", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["all_items"]
    search_fields = ["company__name", "company__credit_code"]
    fields = [
        "company",
        "agent",
        "granted_by",
        "all_items",
        "item_codes",
        "valid_from",
        "valid_until",
        "created_at",
        "revoked_at",
        "revoke_reason",
    ]


class ClientForm(forms.ModelForm):
    redirect_uris = forms.CharField(
        label=_("Redirect addresses"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line; exactly as the system sends them."),
    )
    post_logout_redirect_uris = forms.CharField(
        label=_("Addresses after log-out"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the system may ask for"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        initial=list(ClientPolicy.DEFAULT_SCOPES),
        help_text=_("The full ID number and staff roles only for systems that need them by law."),
    )
    confidential = forms.BooleanField(
        label=_("Confidential (the system keeps a secret on its server)"),
        required=False,
        initial=True,
    )

    class Meta:
        model = Application
        fields = ["name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scopes = settings.OAUTH2_PROVIDER["SCOPES"]
        self.fields["scopes"].choices = [(k, f"{k} · {v}") for k, v in scopes.items()]


@admin.register(Application, site=workbench_site)
class ClientAdmin(admin.ModelAdmin):
    """Department systems that sign people in through Tongban (OpenID Connect clients)."""

    list_display = ["name", "client_id", "client_type", "redirect_uris", "created"]
    search_fields = ["name", "client_id"]
    readonly_fields = [
        "name",
        "client_id",
        "client_type",
        "authorization_grant_type",
        "redirect_uris",
        "post_logout_redirect_uris",
        "algorithm",
        "created",
    ]

    def _admin(self, request: HttpRequest) -> bool:
        return permits(actor_of(request), "oidc.client.manage", Target(kind="oidc_client"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any):
        if obj is None:
            kw["form"] = ClientForm
            kw["fields"] = [
                "name",
                "redirect_uris",
                "post_logout_redirect_uris",
                "scopes",
                "confidential",
            ]
        return super().get_form(request, obj, change=change, **kw)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["name", "redirect_uris", "post_logout_redirect_uris", "scopes", "confidential"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            client, secret = oidc_client_create(
                actor=actor_of(request),
                name=data["name"],
                redirect_uris=data["redirect_uris"].split(),
                post_logout_uris=data["post_logout_redirect_uris"].split(),
                confidential=data["confidential"],
                scopes=data["scopes"],
            )
        except InvalidInput as exc:
            request._client_refused = exc  # type: ignore[attr-defined]
            return
        obj.pk = client.pk
        message = _("Registered. Client id: %(id)s.") % {"id": client.client_id}
        if secret:
            message = _(
                "Registered. Client id: %(id)s. Secret (shown once, give it to the system's "
                "operators): %(secret)s"
            ) % {"id": client.client_id, "secret": secret}
        messages.warning(request, message)

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None):
        refused = getattr(request, "_client_refused", None)
        if refused is not None:
            for problem in refused.problems:
                messages.error(request, problem.reason)
            return HttpResponseRedirect(reverse("admin:oauth2_provider_application_add"))
        return HttpResponseRedirect(reverse("admin:oauth2_provider_application_changelist"))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_log(
            actor=actor_of(request),
            action="identity.oidc_client.delete",
            object_type="oidc_client",
            object_id=obj.pk,
            data={"client_id": obj.client_id},
        )
        super().delete_model(request, obj)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> None:
        """The service wrote the audit record; nothing to log when it refused."""
        if obj.pk:
            super().log_addition(request, obj, message)
