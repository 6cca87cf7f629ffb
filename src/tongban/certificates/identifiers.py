"""Electronic certificate identifiers (电子证照标识, as used with GB/T 36904).

``1.2.156.3005.2.{type code}.{issuer credit code}.{serial}.{version}.{check}``: the type code is
the defining body's unified social credit code followed by a 3-digit number, the version has
three digits (001 on issue; a renewal or an annotation (加注) makes a new version with the same
serial), and the check character is ISO 7064 MOD 37,36 (hybrid) over the four middle parts
joined without dots (PRODUCT.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_37_36

from tongban.core.errors import InvalidInput, Problem
from tongban.core.ids import credit_code_problem, normalise_code

PREFIX = "1.2.156.3005.2"
MAX_LENGTH = 100
SERIAL_MAX_LENGTH = 32
_SERIAL = re.compile(r"^[0-9A-Z]{1,32}$")
_VERSION = re.compile(r"^\d{3}$")
_TYPE_NUMBER = re.compile(r"^\d{3}$")


@dataclass(frozen=True)
class CertificateIdentifier:
    type_code: str
    issuer_code: str
    serial: str
    version: int
    check: str

    def __str__(self) -> str:
        return (
            f"{PREFIX}.{self.type_code}.{self.issuer_code}.{self.serial}."
            f"{self.version:03d}.{self.check}"
        )


def type_code_problem(value: str) -> str | None:
    """Why ``value`` is not a certificate type code (credit code + 3 digits), or None."""
    code = normalise_code(value)
    if len(code) != 21 or not _TYPE_NUMBER.match(code[18:]):
        return _(
            "A certificate type code is the defining body's unified social credit code "
            "followed by three digits."
        )
    problem = credit_code_problem(code[:18])
    if problem:
        return _("The credit code in the certificate type code is not valid: %(problem)s") % {
            "problem": problem
        }
    return None


def check_character(type_code: str, issuer_code: str, serial: str, version: int) -> str:
    """The ISO 7064 MOD 37,36 check character over the four middle parts."""
    return mod_37_36.calc_check_digit(f"{type_code}{issuer_code}{serial}{version:03d}")


def build_identifier(*, type_code: str, issuer_code: str, serial: str, version: int) -> str:
    """The identifier of version ``version`` of certificate ``serial``; ``InvalidInput`` if a
    part is not valid."""
    problems = _part_problems(
        type_code=normalise_code(type_code),
        issuer_code=normalise_code(issuer_code),
        serial=normalise_code(serial),
        version=f"{version:03d}" if isinstance(version, int) and 1 <= version <= 999 else "",
    )
    if problems:
        raise InvalidInput(problems=problems)
    type_code, issuer_code, serial = (
        normalise_code(type_code),
        normalise_code(issuer_code),
        normalise_code(serial),
    )
    check = check_character(type_code, issuer_code, serial, version)
    return str(CertificateIdentifier(type_code, issuer_code, serial, version, check))


def _part_problems(*, type_code: str, issuer_code: str, serial: str, version: str) -> list[Problem]:
    problems = []
    problem = type_code_problem(type_code)
    if problem:
        problems.append(Problem(field="type_code", reason=problem))
    problem = credit_code_problem(issuer_code)
    if problem:
        problems.append(Problem(field="issuer_code", reason=problem))
    if not _SERIAL.match(serial):
        problems.append(
            Problem(
                field="serial",
                reason=_("A serial has 1 to 32 digits or capital letters."),
            )
        )
    if not _VERSION.match(version) or version == "000":
        problems.append(
            Problem(field="version", reason=_("A version has three digits, from 001 to 999."))
        )
    return problems


def parse_identifier(value: str, *, field: str = "identifier") -> CertificateIdentifier:
    """The parts of an identifier, checked; ``InvalidInput`` with the problems when invalid."""
    text = normalise_code(value)
    if len(text) > MAX_LENGTH:
        raise InvalidInput(
            problems=[Problem(field=field, reason=_("This certificate identifier is too long."))]
        )
    if not text.startswith(PREFIX + "."):
        raise InvalidInput(
            problems=[
                Problem(
                    field=field,
                    reason=_("A certificate identifier starts with %(prefix)s.")
                    % {"prefix": PREFIX},
                )
            ]
        )
    parts = text[len(PREFIX) + 1 :].split(".")
    if len(parts) != 5:
        raise InvalidInput(
            problems=[
                Problem(
                    field=field,
                    reason=_(
                        "A certificate identifier has five parts after the prefix: type code, "
                        "issuer code, serial, version and check character."
                    ),
                )
            ]
        )
    type_code, issuer_code, serial, version, check = parts
    problems = _part_problems(
        type_code=type_code, issuer_code=issuer_code, serial=serial, version=version
    )
    if problems:
        raise InvalidInput(
            problems=[Problem(field=field, reason=f"{p.field}: {p.reason}") for p in problems]
        )
    if len(check) != 1 or check != check_character(type_code, issuer_code, serial, int(version)):
        raise InvalidInput(
            problems=[
                Problem(
                    field=field,
                    reason=_("The check character of this certificate identifier is wrong."),
                )
            ]
        )
    return CertificateIdentifier(type_code, issuer_code, serial, int(version), check)


def identifier_problem(value: str) -> str | None:
    """Why ``value`` is not a valid certificate identifier, or None when it is."""
    try:
        parse_identifier(value)
    except InvalidInput as exc:
        return exc.problems[0].reason
    return None


def is_valid_identifier(value: str) -> bool:
    return identifier_problem(value) is None
