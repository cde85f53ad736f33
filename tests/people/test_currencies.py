"""The money code knows each programme's currency and its decimals."""

from __future__ import annotations

import pytest

from backend.loans.money import AmountError, decimals_of, to_major, to_minor
from conversations.content_loader import load_content


@pytest.mark.parametrize(
    ("currency", "decimals"), [("XAF", 0), ("XOF", 0), ("MZN", 2), ("TND", 3)]
)
def test_decimals(currency: str, decimals: int) -> None:
    assert decimals_of(currency) == decimals


def test_cfa_francs_have_no_cents_and_meticais_have_two() -> None:
    assert to_minor("25000", "XAF") == 25000
    with pytest.raises(AmountError):
        to_minor("25000.5", "XOF")
    assert to_minor("1500.50", "MZN") == 150050
    assert to_major(150050, "MZN") == "1500.50"


def test_every_programme_currency_is_known_to_the_money_code() -> None:
    for program in load_content().programs.values():
        for currency in {program.currency, *program.currency_by_country.values()}:
            decimals_of(currency)
