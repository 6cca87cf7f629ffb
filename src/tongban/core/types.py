"""Small types shared by every layer: who is acting."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# Staff roles (see docs/glossary.md). The identity app binds them to users; services only read.
ROLE_CHOICES = [
    ("window_clerk", _("Window clerk")),
    ("reviewer", _("Reviewer")),
    ("approver", _("Approver")),
    ("catalog_manager", _("Catalog manager")),
    ("data_manager", _("Data manager")),
    ("supervisor", _("Supervisor")),
    ("auditor", _("Auditor")),
    ("administrator", _("Administrator")),
]
ROLES = {code for code, _label in ROLE_CHOICES}


def region_prefix(code: str) -> str:
    """The significant prefix of a GB/T 2260 style code: trailing zero pairs dropped.

    Every region inside region ``code`` has a code starting with this prefix.
    """
    prefix = code
    while len(prefix) > 2 and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def region_within(code: str, ancestor: str) -> bool:
    return code == ancestor or code.startswith(region_prefix(ancestor))


@dataclass(frozen=True)
class RoleGrant:
    """A role held in a department (None: any department) within a region (None: anywhere)."""

    role: str
    department_id: int | None = None
    region_code: str | None = None

    def covers(self, *, department_id: int | None, region_code: str | None) -> bool:
        if self.department_id is not None and department_id != self.department_id:
            return False
        if self.region_code is not None:
            return region_code is not None and region_within(region_code, self.region_code)
        return True


@dataclass(frozen=True)
class Actor:
    """Who performs an operation, with the roles they hold. Built by ``identity``."""

    kind: str  # "user", "system" or "anonymous"
    user_id: int | None = None
    label: str = ""
    is_superuser: bool = False
    grants: tuple[RoleGrant, ...] = field(default_factory=tuple)
    # A person's account (自然人): their person id and assurance level (1-3).
    person_id: int | None = None
    assurance_level: int = 0
    # Acting for a company (as its legal representative or a mandated agent, 经办人): the
    # company, and the base item codes the mandate covers (None: every item).
    acting_for_company_id: int | None = None
    mandate_item_codes: tuple[str, ...] | None = None
    # The companies this person is the legal representative of (法定代表人).
    represented_company_ids: tuple[int, ...] = ()
    # A window clerk serving a person at the counter (代办): whom they serve.
    serving_person_id: int | None = None

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(kind="anonymous", label="anonymous")

    @classmethod
    def system(cls, name: str) -> Actor:
        """A process acting on its own authority (an import command, the demo loader)."""
        return cls(kind="system", label=name, is_superuser=True)

    @property
    def reference(self) -> str:
        if self.kind == "user":
            return f"user:{self.user_id}"
        return f"{self.kind}:{self.label}"

    @property
    def context(self) -> dict[str, int]:
        """Who else an action involves, recorded with every audit record."""
        extra = {}
        if self.acting_for_company_id is not None:
            extra["acting_for_company"] = self.acting_for_company_id
        if self.serving_person_id is not None:
            extra["serving_person"] = self.serving_person_id
        return extra

    def has_role(self, role: str) -> bool:
        return self.is_superuser or any(g.role in (role, "administrator") for g in self.grants)

    def may(self, role: str, *, department_id: int | None, region_code: str | None) -> bool:
        """Whether the actor holds ``role`` (or administrator) covering this department/region."""
        if self.is_superuser:
            return True
        return any(
            g.role in (role, "administrator")
            and g.covers(department_id=department_id, region_code=region_code)
            for g in self.grants
        )
