from __future__ import annotations

import pytest

from tongban.core.errors import InvalidInput
from tongban.core.ids import clean_credit_code, credit_code_problem


@pytest.mark.parametrize("code", ["91110000600037341L", "91110108551385082Q"])
def test_valid_credit_codes(code):
    assert credit_code_problem(code) is None


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341M",  # wrong check character
        "9111000060003734",  # too short
        "91110000600037341LL",  # too long
        "9111000060003734IL",  # forbidden letter I
        "91110000600O37341L",  # forbidden letter O
        "",
        "<script>alert(1)</script>",
    ],
)
def test_invalid_credit_codes(code):
    assert credit_code_problem(code) is not None


def test_normalisation_of_pasted_codes():
    # Full-width characters, surrounding spaces and lower case are what people paste.
    assert clean_credit_code(" ９１１１０１０８５５１３８５０８２ｑ ") == "91110108551385082Q"


def test_clean_credit_code_raises_with_a_problem():
    with pytest.raises(InvalidInput) as info:
        clean_credit_code("91110000600037341M", field="department")
    assert info.value.problems[0].field == "department"
