"""The holiday calendar (节假日安排) of the legal clock in the workbench: administrators add,
change and remove rest days and make-up workdays. Every save and delete goes through the
workflow services, which check the permission again, audit and refresh the clock."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import InvalidInput
from tongban.workbench.admin import actor_of, workbench_site
from tongban.workflow import services as workflow_services
from tongban.workflow.models import CalendarDay


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        # The service's own checks (a make-up workday must be a weekend day, …), shown on the
        # form instead of failing the save.
        try:
            workflow_services.calendar_day_validate(
                date=data.get("date") or self.instance.date,
                kind=data.get("kind", ""),
                name=data.get("name", ""),
            )
        except InvalidInput as exc:
            for problem in exc.problems:
                self.add_error(
                    problem.field if problem.field in self.fields else None, problem.reason
                )
        return data


@admin.register(CalendarDay, site=workbench_site)
class CalendarDayAdmin(admin.ModelAdmin):
    """Exceptions to the plain week; every other Monday to Friday is a working day."""

    form = CalendarDayForm
    list_display = ["date", "weekday", "kind", "name", "created_by", "updated_at"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]
    ordering = ["date"]
    list_per_page = 100

    def _may(self, request: HttpRequest) -> bool:
        return workflow_services.calendar_may_manage(actor_of(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarDay]:
        return super().get_queryset(request).select_related("created_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # An entry is its date: to move a day, remove it and add the other.
        return ["date"] if obj is not None else []

    @admin.display(description=_("Weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(WEEKDAYS[obj.date.weekday()])

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        day = workflow_services.calendar_day_set(
            actor=actor_of(request), date=obj.date, kind=obj.kind, name=obj.name
        )
        obj.pk = day.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        workflow_services.calendar_day_delete(actor=actor_of(request), date=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        actor = actor_of(request)
        for day in queryset:
            workflow_services.calendar_day_delete(actor=actor, date=day.date)
