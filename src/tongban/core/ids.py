"""National identifiers: citizen ID numbers (GB 11643), unified social credit codes (GB 32100
with the GB 11714 organisation code inside) and region codes (GB/T 2260).

Input is normalised first (full-width characters to ASCII, surrounding spaces removed, lower
case to upper) because people paste codes from documents; then checked exactly as the
standards say (PRODUCT.md). python-stdnum computes the citizen ID check character; the credit
code is checked here because stdnum neither checks the inner organisation code nor accepts
codes whose registration department is a letter (A, N, Y).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

from tongban.core.errors import InvalidInput, Problem

_REGION_CODE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB/T 2260 province-level codes (the first two digits of every address code).
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def normalise_code(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().upper()


# ---------------------------------------------------------------------------------------------
# Unified social credit code (统一社会信用代码, GB 32100-2015)


def org_code_check(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body."""
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def uscc_check(body: str) -> str:
    """The GB 32100 check character of the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    """Why ``value`` is not a valid unified social credit code, or None when it is."""
    code = normalise_code(value)
    if len(code) != 18:
        return str(_("A unified social credit code has 18 characters."))
    if re.search(r"[IOZSV]", code):
        return str(_("A unified social credit code never contains the letters I, O, Z, S or V."))
    if any(c not in USCC_ALPHABET for c in code) or not code[2:8].isdigit():
        return str(_("This is not a valid unified social credit code."))
    if org_code_check(code[8:16]) != code[16]:
        return str(_("The organisation code inside this unified social credit code is wrong."))
    if uscc_check(code[:17]) != code[17]:
        return str(_("The check character of this unified social credit code is wrong."))
    return None


def clean_credit_code(value: str, *, field: str = "credit_code") -> str:
    problem = credit_code_problem(value)
    if problem:
        raise InvalidInput(problems=[Problem(field=field, reason=problem)])
    return normalise_code(value)


# ---------------------------------------------------------------------------------------------
# Citizen ID number (公民身份号码, GB 11643-1999)


@dataclass(frozen=True)
class CitizenId:
    number: str
    region_code: str
    birth_date: dt.date
    sex: str  # "male" / "female": an odd sequence number is a man


def citizen_id_problem(value: str, *, known_regions: frozenset[str] = frozenset()) -> str | None:
    """Why ``value`` is not a valid citizen ID number, or None when it is.

    The address code must start with a GB/T 2260 province code or be one of ``known_regions``
    (the platform's own region tree); the birth date must be real and not in the future.
    """
    number = normalise_code(value)
    if len(number) != 18:
        return str(_("A citizen ID number has 18 characters."))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return str(_("A citizen ID number is 17 digits followed by a digit or X."))
    if number[:2] not in PROVINCE_CODES and number[:6] not in known_regions:
        return str(_("The first six digits of this citizen ID number are not a known region."))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return str(_("The birth date in this citizen ID number does not exist."))
    if birth > timezone.localdate() or birth.year < 1850:
        return str(_("The birth date in this citizen ID number is impossible."))
    if ric.calc_check_digit(number) != number[17]:
        return str(_("The check character of this citizen ID number is wrong."))
    return None


def parse_citizen_id(
    value: str, *, field: str = "id_number", known_regions: frozenset[str] = frozenset()
) -> CitizenId:
    """The normalised, validated number with what it tells; ``InvalidInput`` when invalid."""
    problem = citizen_id_problem(value, known_regions=known_regions)
    if problem:
        raise InvalidInput(problems=[Problem(field=field, reason=problem)])
    number = normalise_code(value)
    return CitizenId(
        number=number,
        region_code=number[:6],
        birth_date=dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
        sex="male" if int(number[16]) % 2 else "female",
    )


def citizen_id_check(body: str) -> str:
    """The check character for the first 17 digits (used to make demo numbers)."""
    return ric.calc_check_digit(body + "0")


def mask_id_number(value: str) -> str:
    """``110***********002X``: the first three and last four characters shown."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """``138****5678``."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# ---------------------------------------------------------------------------------------------
# Region codes (GB/T 2260)


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
