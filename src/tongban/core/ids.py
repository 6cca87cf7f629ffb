"""National identifiers: the unified social credit code (GB 32100) and region codes.

Input is normalised first (full-width characters to ASCII, surrounding spaces removed, lower
case to upper) because people paste codes from documents; then checked exactly.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from tongban.core.errors import InvalidInput, Problem

_REGION_CODE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")


def normalise_code(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def credit_code_problem(value: str) -> str | None:
    """Why ``value`` is not a valid unified social credit code, or None when it is."""
    code = normalise_code(value)
    if len(code) != 18:
        return str(_("A unified social credit code has 18 characters."))
    if re.search(r"[IOZSV]", code):
        return str(_("A unified social credit code never contains the letters I, O, Z, S or V."))
    try:
        uscc.validate(code)
    except InvalidChecksum:
        return str(_("The check character of this unified social credit code is wrong."))
    except (InvalidFormat, InvalidLength, InvalidComponent):
        return str(_("This is not a valid unified social credit code."))
    return None


def clean_credit_code(value: str, *, field: str = "credit_code") -> str:
    problem = credit_code_problem(value)
    if problem:
        raise InvalidInput(problems=[Problem(field=field, reason=problem)])
    return normalise_code(value)


def region_code_problem(value: str) -> str | None:
    if not _REGION_CODE.match(value or ""):
        return str(_("A region code has 6, 9 or 12 digits (GB/T 2260)."))
    return None


REGION_LEVEL_LENGTHS = {
    "province": 6,
    "city": 6,
    "district": 6,
    "street": 9,
    "community": 12,
}
