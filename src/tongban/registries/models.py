"""The base registries the platform holds: population (人口库) and legal entities (法人库).

They answer identity checks (L2 assurance: does this name match this ID number; is this person
the legal representative of this company) and will be served through the data exchange. ID
numbers are stored sealed with a blind index, like every ID number on the platform.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PopulationRecord(models.Model):
    """One resident in the population base registry (人口基础信息库)."""

    id_number_index = models.CharField(_("ID number index"), max_length=64, unique=True)
    id_number_sealed = models.TextField(_("ID number (encrypted)"))
    name = models.CharField(_("name"), max_length=100)
    region_code = models.CharField(_("household region"), max_length=12, blank=True)
    deceased = models.BooleanField(_("deceased"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("population record")
        verbose_name_plural = _("population records")

    def __str__(self) -> str:
        return self.name


class CompanyRecord(models.Model):
    """One legal entity in the legal-entity base registry (法人基础信息库)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In business (存续)")
        REVOKED = "revoked", _("Licence revoked (吊销)")
        DEREGISTERED = "deregistered", _("Deregistered (注销)")

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    representative_id_index = models.CharField(
        _("legal representative ID number index"), max_length=64, db_index=True
    )
    representative_name = models.CharField(_("legal representative"), max_length=100)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ACTIVE)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("company record")
        verbose_name_plural = _("company records")

    def __str__(self) -> str:
        return self.name
