"""Workflow models. For now only the holiday calendar the legal clock reads.

``CalendarDay`` (节假日安排) records the exceptions to the plain week: a weekday that is a rest
day (法定节假日 and the days moved by 调休), or a weekend day that is a working day (调休上班).
Every other Monday to Friday is a working day and every other Saturday and Sunday a rest day.
Rows change only through ``tongban.workflow.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One exception to the plain week in the holiday calendar (节假日安排)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Rest day (法定节假日)")
        WORKDAY = "workday", _("Make-up workday (调休上班)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    name = models.CharField(_("name"), max_length=100, help_text=_("For example 国庆节."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "workday"]),
                name="workflow_calendarday_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name} ({self.get_kind_display()})"
