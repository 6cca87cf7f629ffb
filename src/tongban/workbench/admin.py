"""The staff workbench, built on the Django admin where it fits.

Catalog managers see and edit only the items of their department and region; a published
version is read-only; publishing, new drafts and imports go through catalog services (which
check permissions again and write the audit record), never through a raw save.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tongban.catalog import services as catalog_services
from tongban.catalog.application import form_problems, steps_problems
from tongban.catalog.models import (
    BaseItem,
    ImplementationItem,
    ItemVersion,
    Material,
    Situation,
    SituationOption,
    Theme,
)
from tongban.core.audit import audit_log
from tongban.core.authorization import RULES, Target, permits
from tongban.core.errors import TongbanError
from tongban.core.ids import REGION_LEVEL_LENGTHS, region_code_problem
from tongban.core.models import AuditRecord
from tongban.core.types import Actor, region_prefix
from tongban.identity.models import StaffRole
from tongban.identity.selectors import request_actor, staff_needs_second_factor
from tongban.organizations.models import Department, Hall, Region, Window


class WorkbenchSite(admin.AdminSite):
    site_header = _("Tongban workbench")
    site_title = _("Tongban workbench")
    index_title = _("Work")
    index_template = "workbench/index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        # Staff pass their TOTP second factor before the workbench opens.
        return super().has_permission(request) and not staff_needs_second_factor(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> Any:
        """One log-in page for everyone (identifier, password, then TOTP for staff)."""
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('portal:login')}?{urlencode({'next': target})}")

    def logout(self, request: HttpRequest, extra_context: Any = None) -> Any:
        return HttpResponseRedirect(reverse("portal:logout"))

    def index(self, request: HttpRequest, extra_context: Any = None) -> Any:
        """The work of each role: the certificate library's pages for its staff (finding
        certificates for those who may read them; issuing and importing for approvers) and the
        exchange's (systems and grants for data managers, monitoring for those who watch it)."""
        actor = actor_of(request)
        extra = {
            "may_find_certificates": any(
                actor.has_role(role) for role in RULES["certificate.view"].staff_roles
            ),
            "may_issue_certificates": actor.has_role("approver"),
            "may_manage_exchange": actor.has_role("data_manager"),
            "may_monitor_exchange": any(
                actor.has_role(role) for role in RULES["exchange.monitor.view"].staff_roles
            ),
        }
        return super().index(request, {**extra, **(extra_context or {})})


workbench_site = WorkbenchSite(name="admin")


def actor_of(request: HttpRequest) -> Actor:
    return request_actor(request)


def scope_filter(actor: Actor, department_field: str, region_field: str) -> Q | None:
    """A filter for the objects the actor manages as catalog manager (None: everything)."""
    if actor.is_superuser or (
        actor.has_role("administrator")
        and any(
            g.role == "administrator" and g.department_id is None and g.region_code is None
            for g in actor.grants
        )
    ):
        return None
    query = Q(pk__in=[])
    for grant in actor.grants:
        if grant.role not in ("catalog_manager", "administrator"):
            continue
        part = Q()
        if grant.department_id is not None:
            part &= Q(**{department_field: grant.department_id})
        if grant.region_code is not None:
            part &= Q(**{f"{region_field}__startswith": region_prefix(grant.region_code)})
        query |= part
    return query


class AuditedAdmin(admin.ModelAdmin):
    """Every save in the workbench writes an audit record, in the same transaction."""

    def _audit(self, request: HttpRequest, obj: Any, verb: str, fields: list[str]) -> None:
        audit_log(
            actor=actor_of(request),
            action=f"workbench.{self.opts.app_label}.{self.opts.model_name}.{verb}",
            object_type=self.opts.model_name,
            object_id=obj.pk,
            data={"fields": sorted(fields)},
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self._audit(request, obj, "change" if change else "add", list(form.changed_data))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            self._audit(request, form.instance, "change", [formset.prefix])


class AdministratorOnly(AuditedAdmin):
    def _admin(self, request: HttpRequest) -> bool:
        return actor_of(request).has_role("administrator")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "name_en", "level", "parent"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        code, level, parent = data.get("code") or "", data.get("level"), data.get("parent")
        problem = region_code_problem(code)
        if problem:
            self.add_error("code", problem)
        elif level and len(code) != REGION_LEVEL_LENGTHS[level]:
            self.add_error("code", _("The code length does not fit the level."))
        elif parent and (code == parent.code or not code.startswith(region_prefix(parent.code))):
            self.add_error("code", _("A region's code must start with its parent's code."))
        return data


@admin.register(Region, site=workbench_site)
class RegionAdmin(AdministratorOnly):
    form = RegionForm
    list_display = ["code", "name", "name_en", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_en"]
    raw_id_fields = ["parent"]


@admin.register(Department, site=workbench_site)
class DepartmentAdmin(AdministratorOnly):
    list_display = ["name", "credit_code", "region", "parent", "phone"]
    list_filter = ["region__level"]
    search_fields = ["name", "name_en", "credit_code", "short_name"]
    raw_id_fields = ["region", "parent"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)

        def clean_credit_code(self: forms.ModelForm) -> str:
            from tongban.core.ids import credit_code_problem, normalise_code

            value = self.cleaned_data["credit_code"]
            problem = credit_code_problem(value)
            if problem:
                raise forms.ValidationError(problem)
            return normalise_code(value)

        form.clean_credit_code = clean_credit_code  # type: ignore[attr-defined]
        return form


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0


@admin.register(Hall, site=workbench_site)
class HallAdmin(AdministratorOnly):
    list_display = ["name", "code", "region", "phone"]
    search_fields = ["name", "code"]
    raw_id_fields = ["region"]
    inlines = [WindowInline]


@admin.register(Theme, site=workbench_site)
class ThemeAdmin(AdministratorOnly):
    list_display = ["code", "name", "name_en", "kind", "audience", "order"]
    list_filter = ["kind", "audience"]
    search_fields = ["code", "name", "name_en"]


@admin.register(BaseItem, site=workbench_site)
class BaseItemAdmin(AdministratorOnly):
    list_display = ["base_code", "name", "item_type", "exercising_level"]
    list_filter = ["item_type", "exercising_level"]
    search_fields = ["base_code", "name", "name_en"]


class VersionInline(admin.TabularInline):
    model = ItemVersion
    fields = ["number", "status", "effective_from", "published_at", "published_by", "edit"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-number"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return actor_of(request).has_role("catalog_manager")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Open"))
    def edit(self, obj: ItemVersion) -> str:
        url = reverse("admin:catalog_itemversion_change", args=[obj.pk])
        label = _("Edit draft") if obj.is_draft else _("View")
        return format_html('<a href="{}">{}</a>', url, label)


@admin.register(ImplementationItem, site=workbench_site)
class ImplementationItemAdmin(admin.ModelAdmin):
    list_display = ["implementation_code", "name", "department", "region", "current"]
    list_filter = ["base_item__item_type", "region"]
    search_fields = ["implementation_code", "base_item__name", "current_version__name"]
    list_select_related = ["department", "region", "current_version", "base_item"]
    readonly_fields = [
        "implementation_code",
        "base_item",
        "department",
        "region",
        "current_version",
    ]
    inlines = [VersionInline]
    actions = ["new_draft"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImplementationItem]:
        qs = super().get_queryset(request)
        scope = scope_filter(actor_of(request), "department_id", "region__code")
        return qs if scope is None else qs.filter(scope)

    @admin.display(description=_("name"))
    def name(self, obj: ImplementationItem) -> str:
        return obj.current_version.name if obj.current_version else obj.base_item.name

    @admin.display(description=_("current version"))
    def current(self, obj: ImplementationItem) -> str:
        return f"v{obj.current_version.number}" if obj.current_version else "—"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return actor_of(request).has_role("catalog_manager")

    has_view_permission = lambda self, request, obj=None: actor_of(request).has_role(  # noqa: E731
        "catalog_manager"
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Start a new draft from the latest version"))
    def new_draft(self, request: HttpRequest, queryset: QuerySet[ImplementationItem]) -> None:
        for item in queryset:
            try:
                draft = catalog_services.item_version_draft_create(
                    actor=actor_of(request), item_id=item.pk
                )
            except TongbanError as exc:
                self.message_user(
                    request, f"{item.implementation_code}: {exc.message}", messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    _("Draft v%(n)d of %(code)s created.")
                    % {"n": draft.number, "code": item.implementation_code},
                )


class DraftInlineMixin:
    """Inlines of a draft are editable by whoever may edit the draft."""

    def _editable(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None:
            return False
        version = obj if isinstance(obj, ItemVersion) else obj.version
        return version.is_draft and catalog_services.catalog_may_manage(
            actor_of(request), version.item
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return actor_of(request).has_role("catalog_manager")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj)


class MaterialInline(DraftInlineMixin, admin.StackedInline):
    model = Material
    extra = 0
    fields = [
        ("code", "position"),
        ("name", "name_en"),
        ("necessity", "form", "original_copy"),
        ("source", "source_detail", "certificate_type"),
        ("paper_size", "copies"),
        ("blank_form", "sample"),
        ("notes", "notes_en"),
    ]


class SituationInline(DraftInlineMixin, admin.TabularInline):
    model = Situation
    extra = 0
    fields = ["code", "position", "question", "question_en", "multiple", "options_link"]
    readonly_fields = ["options_link"]

    @admin.display(description=_("options"))
    def options_link(self, obj: Situation) -> str:
        if not obj.pk:
            return "—"
        url = reverse("admin:catalog_situation_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit options"))


class DraftOnlyMixin:
    """Editing is allowed only on drafts within the manager's scope."""

    def _version_of(self, obj: Any) -> ItemVersion:
        return obj if isinstance(obj, ItemVersion) else obj.version

    def _item_of(self, obj: Any) -> ImplementationItem:
        return self._version_of(obj).item

    def has_module_permission(self, request: HttpRequest) -> bool:
        return actor_of(request).has_role("catalog_manager")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return actor_of(request).has_role("catalog_manager")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or self.has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        actor = actor_of(request)
        if obj is None:
            return actor.has_role("catalog_manager")
        version = self._version_of(obj)
        item = self._item_of(obj)
        return bool(
            version
            and version.is_draft
            and item
            and catalog_services.catalog_may_manage(actor, item)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj) if obj is not None else False


class IndentedJSONField(forms.JSONField):
    """JSON in a text area, indented so that a catalog manager can read and edit it."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class ItemVersionForm(forms.ModelForm):
    """The draft's guide fields, plus its application form and approval steps as JSON, checked
    with the same rules as an import (catalog.application)."""

    application_form = IndentedJSONField(
        label=_("Application form (JSON Schema)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90, "spellcheck": "false"}),
        help_text=_(
            "Fields as JSON Schema properties (string, integer, number, boolean), with "
            "x-layout and x-prefill hints (docs/catalog-format.md). Empty ({}): the default "
            "form (contact name, mobile, note)."
        ),
    )
    approval_steps = IndentedJSONField(
        label=_("Approval steps (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90, "spellcheck": "false"}),
        help_text=_(
            'A list of steps {"key", "name", "role", "department", "days", "group"}; steps '
            "with the same group run in parallel. Empty ([]): review by a reviewer, then a "
            "decision by an approver of the competent department."
        ),
    )

    class Meta:
        model = ItemVersion
        # The admin adds the other fields from its fieldsets.
        fields = ["application_form", "approval_steps"]

    def clean_application_form(self) -> dict[str, Any]:
        value = self.cleaned_data.get("application_form")
        value = {} if value in (None, "") else value
        problems = form_problems(value)
        if problems:
            raise forms.ValidationError(problems)
        return value

    def clean_approval_steps(self) -> list[dict[str, Any]]:
        value = self.cleaned_data.get("approval_steps")
        value = [] if value in (None, "") else value
        problems = steps_problems(value)
        if problems:
            raise forms.ValidationError(problems)
        return value


@admin.register(ItemVersion, site=workbench_site)
class ItemVersionAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "item", "number", "status", "effective_from", "published_at"]
    list_filter = ["status"]
    search_fields = ["name", "item__implementation_code"]
    list_select_related = ["item"]
    readonly_fields = ["item", "number", "status", "effective_from", "published_at", "published_by"]
    filter_horizontal = ["themes"]
    inlines = [MaterialInline, SituationInline]
    form = ItemVersionForm
    change_form_template = "workbench/itemversion_change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("item", "number", "status"),
                    ("effective_from", "published_at", "published_by"),
                ]
            },
        ),
        (
            _("Name and audience"),
            {
                "fields": [
                    ("name", "name_en"),
                    ("audience", "min_assurance_level"),
                    "themes",
                    "keywords",
                ]
            },
        ),
        (
            _("Conditions and process"),
            {
                "fields": [
                    "legal_basis",
                    ("acceptance_conditions", "acceptance_conditions_en"),
                    ("process", "process_en"),
                    "special_procedures",
                ]
            },
        ),
        (
            _("Time limits"),
            {
                "fields": [
                    ("legal_time_limit", "legal_time_limit_unit"),
                    ("promised_time_limit", "promised_time_limit_unit"),
                    "case_kind",
                ]
            },
        ),
        (
            _("Handling"),
            {
                "fields": [
                    ("visits_needed", "online_depth", "handling_scope"),
                    ("delivery_by_post", "online_payment", "appointment"),
                    ("fee_required", "fees", "fee_basis"),
                ]
            },
        ),
        (
            _("Where and when"),
            {"fields": [("address", "office_hours"), ("phone", "complaint_channel")]},
        ),
        (_("Result"), {"fields": [("result_name", "result_name_en", "result_type")]}),
        (
            _("Application form and approval process"),
            {"fields": ["application_form", "approval_steps"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ItemVersion]:
        qs = super().get_queryset(request)
        scope = scope_filter(actor_of(request), "item__department_id", "item__region__code")
        return qs if scope is None else qs.filter(scope)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # new versions start from "new draft" on the item

    def save_model(self, request: HttpRequest, obj: ItemVersion, form: Any, change: bool) -> None:
        catalog_services.item_version_draft_update(
            actor=actor_of(request), version=obj, changed_fields=list(form.changed_data)
        )

    def delete_model(self, request: HttpRequest, obj: ItemVersion) -> None:
        catalog_services.item_version_draft_discard(actor=actor_of(request), version_id=obj.pk)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        changed = [f.prefix for f in formsets if f.has_changed()]
        if changed:
            catalog_services.item_version_draft_update(
                actor=actor_of(request), version=form.instance, changed_fields=changed
            )

    def response_change(self, request: HttpRequest, obj: ItemVersion) -> Any:
        if "_publish" in request.POST:
            return HttpResponseRedirect(reverse("workbench:publish", args=[obj.pk]))
        return super().response_change(request, obj)


class OptionForm(forms.ModelForm):
    class Meta:
        model = SituationOption
        fields = [
            "code",
            "position",
            "label",
            "label_en",
            "conditions",
            "conditions_en",
            "materials",
        ]
        widgets = {"materials": forms.CheckboxSelectMultiple}


class OptionInline(DraftInlineMixin, admin.StackedInline):
    model = SituationOption
    form = OptionForm
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Situation | None = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields["materials"]
        field.queryset = (  # type: ignore[attr-defined]
            Material.objects.filter(version=obj.version) if obj else Material.objects.none()
        )
        return formset


@admin.register(Situation, site=workbench_site)
class SituationAdmin(DraftOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "question", "version"]
    search_fields = ["question", "version__item__implementation_code"]
    readonly_fields = ["version"]
    fields = ["version", "code", "position", "question", "question_en", "multiple", "depends_on"]
    inlines = [OptionInline]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False  # reached from the version page

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Situation]:
        qs = super().get_queryset(request).select_related("version__item")
        scope = scope_filter(
            actor_of(request), "version__item__department_id", "version__item__region__code"
        )
        return qs if scope is None else qs.filter(scope)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "depends_on":
            object_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            situation = Situation.objects.filter(pk=object_id).first() if object_id else None
            kwargs["queryset"] = (
                SituationOption.objects.filter(situation__version=situation.version)
                .exclude(situation=situation)
                .select_related("situation")
                if situation
                else SituationOption.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Situation, form: Any, change: bool) -> None:
        catalog_services.item_version_draft_update(
            actor=actor_of(request),
            version=obj.version,
            changed_fields=[f"situations.{obj.code}.{f}" for f in form.changed_data],
        )
        super().save_model(request, obj, form, change)


@admin.register(AuditRecord, site=workbench_site)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "actor", "action", "object_type", "object_id", "chain_position"]
    list_filter = ["action"]
    search_fields = ["actor", "action", "object_id", "request_id"]
    date_hierarchy = "occurred_at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return actor_of(request).has_role("auditor")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return actor_of(request).has_role("auditor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _staff_manager(request: HttpRequest) -> bool:
    """Only an administrator of the whole platform manages staff (core.authorization)."""
    return permits(actor_of(request), "staff.manage", Target(kind="staff"))


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    raw_id_fields = ["department", "region"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff_manager(request)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


class StaffUserAdmin(AuditedAdmin, UserAdmin):
    """Staff accounts and their roles (administrators). Persons' accounts are not listed here:
    they are managed by their owners. Only a superuser grants superuser rights."""

    inlines = [StaffRoleInline]
    list_display = ["username", "first_name", "is_active", "last_login"]
    list_filter = ["is_active", "staff_roles__role"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).filter(person__isnull=True)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        hidden = {"is_superuser", "groups", "user_permissions", "is_staff"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.is_staff = True  # every account created here works in the workbench
        super().save_model(request, obj, form, change)

    def _admin(self, request: HttpRequest) -> bool:
        return _staff_manager(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return self._admin(request)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        """Password changes do not pass through save_model: audit every change here too."""
        if request.path.endswith("/password/"):
            self._audit(request, obj, "password", ["password"])
        return super().log_change(request, obj, message)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


workbench_site.register(User, StaffUserAdmin)
workbench_site.register(Group, GroupAdmin)
