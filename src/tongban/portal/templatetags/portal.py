from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def time_limit(value: int | None, unit: str = "working_day") -> str:
    if value is None:
        return "—"
    if value == 0:
        return _("on the spot")
    if unit == "natural_day":
        return ngettext("%(n)d day", "%(n)d days", value) % {"n": value}
    return ngettext("%(n)d working day", "%(n)d working days", value) % {"n": value}


@register.filter
def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


@register.filter
def roman(value: int) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(value, str(value))


@register.simple_tag(takes_context=True)
def checked(context: template.Context, code: str, option: str) -> str:
    answers = context.get("answers") or {}
    return "checked" if option in answers.get(code, []) else ""
