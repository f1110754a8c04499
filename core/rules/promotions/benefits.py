"""Criteria and benefits over the cart's items, one unit (one item of a line's quantity) at a time.

Criteria read list prices; benefits read what is left of each unit after the promotions applied
before, so stacked promotions never take a unit below zero (the surplus is lost). Percentages
are rounded half up once per line: 15 % of a $9.99 line is 149.85 cents → $1.50.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from core.rules.promotions import messages
from core.rules.promotions.model import (
    ApplyTo,
    Benefit,
    CartLine,
    DiscountKind,
    Promotion,
    Requirement,
    RequirementKind,
    Settings,
)


class Unit(NamedTuple):
    """One item of a line's quantity. A named tuple: units are hashed and sorted all through an
    evaluation, and a tuple does both in C."""

    line: int  # the line's index in the cart
    nth: int  # which one of the line's quantity


# What is left to pay for each unit; promotions are applied to it one after another.
Remaining = dict[Unit, int]
Discounts = dict[Unit, int]


def units_of(cart: Sequence[CartLine]) -> Remaining:
    return {
        Unit(number, index): line.unit_price
        for number, line in enumerate(cart)
        for index in range(line.quantity)
    }


def percent_of(amount: int, percent: Decimal) -> int:
    """percent % of amount minor units, rounded half up to a whole minor unit."""
    exact = Decimal(amount) * percent / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _reserve_order(cart: Sequence[CartLine], units: list[Unit], highest_first: bool) -> list[Unit]:
    # Criteria take the items the benefit would take last, so the benefit is left the best ones.
    sign = 1 if highest_first else -1
    return sorted(units, key=lambda u: (sign * cart[u.line].unit_price, u))


def _reserve(
    requirement: Requirement, cart: Sequence[CartLine], free: list[Unit], highest_first: bool
) -> list[Unit] | None:
    """The units that meet the requirement, out of those still free; None if they fall short."""
    matching = [u for u in free if requirement.qualified.matches(cart[u.line])]
    ordered = _reserve_order(cart, matching, highest_first)
    minimum = requirement.minimum
    if requirement.kind is RequirementKind.ITEMS:
        return ordered[:minimum] if len(ordered) >= minimum else None
    if requirement.kind is RequirementKind.IDENTICAL_ITEMS:
        by_item: dict[str, list[Unit]] = defaultdict(list)
        for unit in ordered:
            by_item[cart[unit.line].item].append(unit)
        enough = [same for same in by_item.values() if len(same) >= minimum]
        # dicts keep insertion order: the first group holds the first unit in reserve order.
        return enough[0][:minimum] if enough else None
    taken: list[Unit] = []
    worth = 0
    for unit in ordered:
        if worth >= minimum:
            break
        taken.append(unit)
        worth += cart[unit.line].unit_price
    return taken if worth >= minimum else None


@dataclass(frozen=True)
class Criteria:
    reason: str | None  # why they are not met, for the client; None when they are
    reserved: frozenset[Unit]  # the units the requirements took (other items exclude them)


def check_criteria(
    promotion: Promotion,
    cart: Sequence[CartLine],
    settings: Settings,
    units: Sequence[Unit] | None = None,
) -> Criteria:
    """Whether the cart meets every requirement, each with items the earlier ones left.
    `units`: the cart's units in order, when the caller has them already."""
    free = list(units) if units is not None else sorted(units_of(cart))
    reserved: set[Unit] = set()
    for requirement in promotion.requirements:
        taken = _reserve(requirement, cart, free, settings.highest_first)
        if taken is None:
            return Criteria(messages.needs(requirement, settings), frozenset())
        reserved.update(taken)
        free = [u for u in free if u not in reserved]
    return Criteria(None, frozenset(reserved))


def targets(
    promotion: Promotion,
    cart: Sequence[CartLine],
    reserved: frozenset[Unit],
    units: Sequence[Unit] | None = None,
) -> list[Unit]:
    """Every unit the benefit may go to (before the studio's order and the "up to" cap).
    `units`: the cart's units in order, when the caller has them already."""
    benefit = promotion.benefit
    units = units if units is not None else sorted(units_of(cart))
    if benefit.apply_to is ApplyTo.OTHER_ITEMS:
        return [u for u in units if u not in reserved and benefit.qualified.matches(cart[u.line])]
    requirements = promotion.requirements
    return [
        u
        for u in units
        if benefit.qualified.matches(cart[u.line])
        and (not requirements or any(r.qualified.matches(cart[u.line]) for r in requirements))
    ]


def _spread(total: int, units: list[Unit], remaining: Remaining) -> Discounts:
    discounts: Discounts = {}
    for unit in units:
        take = min(total, remaining[unit])
        discounts[unit] = take
        total -= take
    return discounts


def discounts(
    benefit: Benefit, pool: list[Unit], remaining: Remaining, highest_first: bool
) -> Discounts:
    """The discount on each unit: cheapest first (highest first if preferred), up to N units.

    Units already at zero go last, so "up to 1 free" never wastes itself on a free item.
    """
    sign = -1 if highest_first else 1
    ordered = sorted(pool, key=lambda u: (remaining[u] == 0, sign * remaining[u], u))
    chosen = ordered if benefit.up_to is None else ordered[: benefit.up_to]
    kind, together = benefit.kind, benefit.apply_to is ApplyTo.CRITERIA_ITEMS
    if kind in (DiscountKind.PERCENT, DiscountKind.FREE):
        percent = Decimal(100) if kind is DiscountKind.FREE else benefit.percent
        by_line: dict[int, list[Unit]] = defaultdict(list)
        for unit in chosen:
            by_line[unit.line].append(unit)
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
