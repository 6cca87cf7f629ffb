"""Certificate identifiers: the PRODUCT.md example, building, parsing, refusing."""

from __future__ import annotations

import pytest

from tongban.certificates.identifiers import (
    build_identifier,
    identifier_problem,
    is_valid_identifier,
    parse_identifier,
)
from tongban.core.errors import InvalidInput

EXAMPLE = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F"


def test_the_product_example_is_valid_and_parses():
    parsed = parse_identifier(EXAMPLE)
    assert parsed.type_code == "11100000000013338W032"
    assert parsed.issuer_code == "11220000013544541J"
    assert parsed.serial == "2430599"
    assert parsed.version == 1
    assert parsed.check == "F"
    assert str(parsed) == EXAMPLE


def test_build_gives_the_example_check_character():
    assert (
        build_identifier(
            type_code="11100000000013338W032",
            issuer_code="11220000013544541J",
            serial="2430599",
            version=1,
        )
        == EXAMPLE
    )


def test_a_new_version_keeps_the_serial_and_changes_the_check():
    second = build_identifier(
        type_code="11100000000013338W032",
        issuer_code="11220000013544541J",
        serial="2430599",
        version=2,
    )
    assert second.rsplit(".", 2)[0] == EXAMPLE.rsplit(".", 2)[0].replace(".001", ".002")
    assert is_valid_identifier(second)


def test_input_is_normalised():
    assert is_valid_identifier("  " + EXAMPLE.lower() + " ")
    assert is_valid_identifier(EXAMPLE.replace("1.2", "１.２", 1))


@pytest.mark.parametrize(
    "value",
    [
        EXAMPLE[:-1] + "G",  # wrong check
        EXAMPLE.replace("2430599", "2430598"),  # serial changed, check not
        EXAMPLE.replace("1.2.156.3005.2", "1.2.156.3005.3"),
        EXAMPLE.replace(".001.", ".000."),
        EXAMPLE.replace(".001.", ".01."),
        EXAMPLE.replace("11220000013544541J", "11220000013544541K"),  # bad credit code
        EXAMPLE.replace("W032", "W03"),  # type code too short
        "1.2.156.3005.2.a.b",
        "",
        "x" * 1000,
        EXAMPLE + ".X",
    ],
)
def test_wrong_identifiers_are_refused_with_a_reason(value):
    assert identifier_problem(value)
    with pytest.raises(InvalidInput):
        parse_identifier(value)


def test_build_refuses_bad_parts():
    with pytest.raises(InvalidInput) as info:
        build_identifier(type_code="X", issuer_code="Y", serial="a-b", version=0)
    assert {p.field for p in info.value.problems} == {
        "type_code",
        "issuer_code",
        "serial",
        "version",
    }
