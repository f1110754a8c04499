"""Benefits over the cart's items, one unit (one item of a line's quantity) at a time.

Benefits read what is left of each unit after the promotions applied before, so stacked
promotions never take a unit below zero (the surplus is lost). Percentages are rounded half up
once per line: 15 % of a $9.99 line is 149.85 cents → $1.50. Criteria, and each promotion on
the undiscounted cart, are worked out a line at a time (`cart`); unit by unit is only how codes
and the standing discount stack on what the autos left (`take_off`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from core.rules.promotions.model import (
    ApplyTo,
    Benefit,
    CartLine,
    DiscountKind,
)


class Unit(NamedTuple):
    """One item of a line's quantity. A named tuple: units are hashed and sorted all through an
    evaluation, and a tuple does both in C."""

    line: int  # the line's index in the cart
    nth: int  # which one of the line's quantity


# What is left to pay for each unit; promotions are applied to it one after another. Keyed by
# (line, nth) pairs, equal to the Units they stand for: the engine makes plain ones, which cost
# less to make than a named tuple.
Remaining = dict[tuple[int, int], int]
Discounts = dict[tuple[int, int], int]

# How a benefit takes, worked out once per index (`taking`): (how, n, d, amount, up to N units).
Take = tuple[int, int, int, int, int | None]
# Enum members read once: looking one up on its class costs more than the check it is for.
_FREE, _PERCENT_OFF, _AMOUNT_OFF = DiscountKind.FREE, DiscountKind.PERCENT, DiscountKind.AMOUNT
_CRITERIA_ITEMS = ApplyTo.CRITERIA_ITEMS
PERCENT = 0  # n/d percent of each line, spread over its units
OFF_TOGETHER = 1  # `amount` off the items together, spread over them in order
PRICE_TOGETHER = 2  # the items together cost `amount`
OFF_EACH = 3  # `amount` off each unit
PRICE_EACH = 4  # each unit costs `amount`


def taking(benefit: Benefit) -> Take:
    """The benefit in whole numbers, as `FreshCart.alone` and `take_off` read it."""
    kind, together = benefit.kind, benefit.apply_to is _CRITERIA_ITEMS
    if kind is _FREE:
        return (PERCENT, 100, 1, 0, benefit.up_to)
    if kind is _PERCENT_OFF:
        n, d = benefit.percent.as_integer_ratio()
        return (PERCENT, n, d, 0, benefit.up_to)
    if kind is _AMOUNT_OFF:
        how = OFF_TOGETHER if together else OFF_EACH
    else:
        how = PRICE_TOGETHER if together else PRICE_EACH
    return (how, 0, 1, benefit.amount, benefit.up_to)


def units_of(cart: Sequence[CartLine]) -> Remaining:
    return {
        Unit(number, index): line.unit_price
        for number, line in enumerate(cart)
        for index in range(line.quantity)
    }


def percent_of(amount: int, percent: Decimal) -> int:
    """percent % of amount minor units, rounded half up to a whole minor unit."""
    # In whole numbers: amount · n/d / 100, plus a half, rounded down. Exact for any size, and
    # a few times faster than Decimal's quantize (taken once per line and promotion).
    n, d = percent.as_integer_ratio()
    return (2 * amount * n + 100 * d) // (200 * d)


def take_off(
    take: Take,
    pool: Sequence[tuple[int, int]],
    remaining: Remaining,
    highest_first: bool,
    lines: int,
) -> tuple[list[int], int]:
    """Take the benefit off what remains of the pool's units (in place): cheapest first (highest
    first if preferred), up to N units. What it took from each of the cart's `lines` lines, and
    in all.

    Units already at zero go last, so "up to 1 free" never wastes itself on a free item. The
    smaller of two numbers is a comparison, not min() or max(): a call costs several times more.
    """
    how, n, d, amount, up_to = take
    chosen = pool
    if len(pool) > 1:
        sign = -1 if highest_first else 1
        chosen = sorted(pool, key=lambda u: (remaining[u] == 0, sign * remaining[u], u))
    if up_to is not None:
        chosen = chosen[:up_to]
    per_line = [0] * lines
    if how == PERCENT:  # percent_of in whole numbers, once per line
        by_line: dict[int, list[tuple[int, int]]] = {}
        for unit in chosen:
            by_line.setdefault(unit[0], []).append(unit)
        for line, units in by_line.items():
            worth = 0
            for unit in units:
                worth += remaining[unit]
            left = (2 * worth * n + 100 * d) // (200 * d)
            for unit in units:  # spread over the line's units in order
                price = remaining[unit]
                share = left if left < price else price
                remaining[unit] = price - share
                per_line[line] += share
                left -= share
        return per_line, sum(per_line)
    if how >= OFF_EACH:  # OFF_EACH or PRICE_EACH
        for unit in chosen:
            price = remaining[unit]
            if how == OFF_EACH:
                share = amount if amount < price else price
            else:
                share = price - amount if price > amount else 0
            remaining[unit] = price - share
            per_line[unit[0]] += share
        return per_line, sum(per_line)
    left = amount  # OFF_TOGETHER, spread over the units in order
    if how == PRICE_TOGETHER:
        worth = 0
        for unit in chosen:
            worth += remaining[unit]
        left = worth - amount if worth > amount else 0
    for unit in chosen:
        price = remaining[unit]
        share = left if left < price else price
        remaining[unit] = price - share
        per_line[unit[0]] += share
        left -= share
    return per_line, sum(per_line)
