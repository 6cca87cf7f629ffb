"""Unified identity (统一身份认证): persons, companies, mandates, staff roles, sessions, codes.

A person's account (自然人) is keyed on the citizen ID number, a company (法人) on its unified
social credit code. ID numbers and phone numbers are stored sealed (``tongban.core.crypto``)
with a keyed blind index for exact look-up and a masked copy for display.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.crypto import unseal
from tongban.core.types import ROLE_CHOICES

ID_NUMBER_CONTEXT = "id_number"
PHONE_CONTEXT = "phone"


class AssuranceLevel(models.IntegerChoices):
    """How sure the platform is of who a person is (实名认证等级)."""

    L1 = 1, _("L1 · registered with a verified phone or e-mail")
    L2 = 2, _("L2 · identity matched with the population registry")
    L3 = 3, _("L3 · confirmed in person at a service window")


class Person(models.Model):
    """A natural person's account (自然人), keyed on the citizen ID number (公民身份号码)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="person",
    )
    name = models.CharField(_("name"), max_length=100)
    id_number_index = models.CharField(_("ID number index"), max_length=64, unique=True)
    id_number_sealed = models.TextField(_("ID number (encrypted)"))
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    sex = models.CharField(
        _("sex"), max_length=6, choices=[("male", _("male")), ("female", _("female"))]
    )
    birth_date = models.DateField(_("birth date"))
    phone_index = models.CharField(_("phone index"), max_length=64, blank=True)
    phone_sealed = models.TextField(_("phone (encrypted)"), blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    phone_verified_at = models.DateTimeField(_("phone verified"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    assurance_level = models.PositiveSmallIntegerField(
        _("assurance level"), choices=AssuranceLevel, default=AssuranceLevel.L1
    )
    assurance_method = models.CharField(_("assured by"), max_length=30, blank=True)
    assured_at = models.DateTimeField(_("assured at"), null=True, blank=True)
    # The company the person last chose to act for (kept for single sign-on claims).
    acting_for = models.ForeignKey(
        "Company",
        verbose_name=_("acting for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_index"], condition=~Q(phone_index=""), name="person_phone_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"

    @property
    def id_number(self) -> str:
        """The full number. Callers reveal it only through ``person_reveal_id_number``."""
        return unseal(self.id_number_sealed, context=ID_NUMBER_CONTEXT)

    @property
    def phone(self) -> str:
        return unseal(self.phone_sealed, context=PHONE_CONTEXT)


class Company(models.Model):
    """A legal entity's account (法人), keyed on the unified social credit code."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    representative = models.ForeignKey(
        Person,
        verbose_name=_("legal representative"),
        on_delete=models.PROTECT,
        related_name="companies_represented",
    )
    registry_matched_at = models.DateTimeField(_("matched with the registry"), null=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


class Mandate(models.Model):
    """A company's authorisation of an agent (委托授权, 经办人) for all or some items."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="mandates"
    )
    agent = models.ForeignKey(
        Person, verbose_name=_("agent"), on_delete=models.CASCADE, related_name="mandates"
    )
    granted_by = models.ForeignKey(
        Person, verbose_name=_("granted by"), on_delete=models.PROTECT, related_name="+"
    )
    all_items = models.BooleanField(_("all items"), default=True)
    item_codes = models.JSONField(_("items (base codes)"), default=list, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.CharField(_("reason for revocation"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="mandate_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.agent}"

    def in_force(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and self.valid_from <= today <= self.valid_until


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


class OneTimeCode(models.Model):
    """A one-time code sent by SMS or e-mail (registration, log-in, password reset)."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("registration")
        LOGIN = "login", _("log-in")
        RESET = "reset", _("password reset")
        VERIFY = "verify", _("verification")

    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose)
    channel = models.CharField(_("channel"), max_length=5)  # "sms" or "email"
    destination_index = models.CharField(_("destination index"), max_length=64, db_index=True)
    code_digest = models.CharField(_("code digest"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.channel}"


class UserSession(models.Model):
    """A signed-in session, listed to its owner ("log out everywhere" ends them all)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="tracked_sessions",
    )
    session_key = models.CharField(_("session"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    method = models.CharField(_("method"), max_length=30, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"


class ClientPolicy(models.Model):
    """What a single sign-on client may ask for, set by the administrator who registered it:
    a client never gets a scope (e.g. the full ID number) it was not allowed."""

    DEFAULT_SCOPES = ("openid", "profile", "email", "phone", "company", "api")

    application = models.OneToOneField(
        "oauth2_provider.Application",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="policy",
    )
    allowed_scopes = models.JSONField(_("allowed scopes"), default=list)

    class Meta:
        verbose_name = _("client policy")
        verbose_name_plural = _("client policies")

    def __str__(self) -> str:
        return " ".join(self.allowed_scopes)
