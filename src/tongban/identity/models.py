"""Staff role assignments. Persons, companies and mandates arrive with the identity issue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.types import ROLE_CHOICES


class StaffRole(models.Model):
    """A role a staff member holds, bound to a department and/or a region (blank: any)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_roles",
    )
    role = models.CharField(_("role"), max_length=30, choices=ROLE_CHOICES)
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    region = models.ForeignKey(
        "organizations.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department", "region"], name="staff_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
