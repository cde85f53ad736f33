"""Amounts as integers of the currency's smallest unit (millimes for TND), never floats.

Staff type amounts in major units ("1500.250"); they are converted once, exactly, at the edge.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from conversations.content_schema import CURRENCY_DECIMALS

#: Largest amount accepted, in minor units: far above any program's fund, far below the
#: 64-bit columns' limit.
MAX_MINOR = 10**15


class AmountError(ValueError):
    """An amount that is not a positive number with at most the currency's decimals."""


def decimals_of(currency: str) -> int:
    """How many decimals ``currency`` has (TND 3, EUR 2, XOF 0)."""
    try:
        return CURRENCY_DECIMALS[currency]
    except KeyError:
        known = ", ".join(sorted(CURRENCY_DECIMALS))
        raise AmountError(f"unknown currency '{currency}' (known: {known})") from None


def to_minor(value: str | int | Decimal, currency: str) -> int:
    """``"1500.25"`` TND -> ``1500250``. Rejects more decimals than the currency has.

    Floats are refused on purpose: ``0.1`` is not exactly a tenth. JSON numbers reach here as
    strings or :class:`~decimal.Decimal` (see the API schemas).
    """
    if isinstance(value, bool | float):
        raise AmountError("amounts are given as strings or integers, not floats")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise AmountError(f"'{value}' is not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise AmountError("an amount must be a positive number")
    decimals = decimals_of(currency)
    scaled = amount.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise AmountError(f"{currency} amounts have at most {decimals} decimals")
    if scaled > MAX_MINOR:
        raise AmountError("the amount is too large")
    return int(scaled)


def to_major(minor: int, currency: str) -> str:
    """``1500250`` TND -> ``"1500.250"``: the exact amount, as the API shows it."""
    decimals = decimals_of(currency)
    return str(Decimal(minor).scaleb(-decimals).quantize(Decimal(1).scaleb(-decimals)))


def split_evenly(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` that differ by at most one minor unit and sum to it exactly.

    The remainder goes one unit at a time to the first parts, so the schedule is the same
    every time it is computed.
    """
    if parts < 1:
        raise ValueError("at least one part")
    if total < 0:
        raise ValueError("a total cannot be negative")
    base, remainder = divmod(total, parts)
    return [base + 1 if index < remainder else base for index in range(parts)]
