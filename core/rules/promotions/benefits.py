"""Benefits over the cart's items, one unit (one item of a line's quantity) at a time.

Benefits read what is left of each unit after the promotions applied before, so stacked
promotions never take a unit below zero (the surplus is lost). Percentages are rounded half up
once per line: 15 % of a $9.99 line is 149.85 cents → $1.50. Criteria, and each promotion on
the undiscounted cart, are worked out a line at a time (`cart`).
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


# What is left to pay for each unit; promotions are applied to it one after another.
Remaining = dict[Unit, int]
Discounts = dict[Unit, int]
_ALL = Decimal(100)


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


def _spread(total: int, units: list[Unit], remaining: Remaining) -> Discounts:
    discounts: Discounts = {}
    for unit in units:
        take = min(total, remaining[unit])
        discounts[unit] = take
        total -= take
    return discounts


def discounts(
    benefit: Benefit, pool: Sequence[Unit], remaining: Remaining, highest_first: bool
) -> Discounts:
    """The discount on each unit: cheapest first (highest first if preferred), up to N units.

    Units already at zero go last, so "up to 1 free" never wastes itself on a free item.
    """
    sign = -1 if highest_first else 1
    ordered = sorted(pool, key=lambda u: (remaining[u] == 0, sign * remaining[u], u))
    chosen = ordered if benefit.up_to is None else ordered[: benefit.up_to]
    kind, together = benefit.kind, benefit.apply_to is ApplyTo.CRITERIA_ITEMS
    if kind in (DiscountKind.PERCENT, DiscountKind.FREE):
        percent = _ALL if kind is DiscountKind.FREE else benefit.percent
        by_line: dict[int, list[Unit]] = {}
        for unit in chosen:
            by_line.setdefault(unit.line, []).append(unit)
        result: Discounts = {}
        for units in by_line.values():
            line_total = sum(remaining[u] for u in units)
            result.update(_spread(percent_of(line_total, percent), units, remaining))
        return result
    if kind is DiscountKind.AMOUNT:
        if together:
            return _spread(benefit.amount, chosen, remaining)
        return {u: min(benefit.amount, remaining[u]) for u in chosen}
    if together:
        over = sum(remaining[u] for u in chosen) - benefit.amount
        return _spread(max(over, 0), chosen, remaining)
    return {u: max(remaining[u] - benefit.amount, 0) for u in chosen}
