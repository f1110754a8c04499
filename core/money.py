"""Money is an integer number of minor units (cents) in the studio's currency."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision


def format_money(minor_units: int, currency: str = "USD", locale: str = "en_US") -> str:
    """'$125.00', '£95.00', '¥1,500': Babel's formatting for the currency and locale."""
    exponent = get_currency_precision(currency)
    return format_currency(Decimal(minor_units).scaleb(-exponent), currency, locale=locale)


def to_minor_units(amount: Decimal, currency: str = "USD") -> int:
    """A decimal amount ('125.50') as minor units; raises ValueError if it has too many decimals."""
    exponent = get_currency_precision(currency)
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} has more than {exponent} decimal places")
    return int(scaled)
