"""The undiscounted cart a line at a time: criteria, the items a benefit may go to, and what
each promotion takes off on its own (step 1 of the engine, for every offer that passes checks).

Before any promotion all units of a line cost the same, and every rule takes a line's units in
order: criteria reserve a line's first free units, benefits discount a line's units first to
last. So a line's share is a count, a run of units, and each rule is a walk over a few lines
instead of a sort of every unit. The answers are the unit-by-unit rules' (`benefits.discounts`,
which stacks codes and the standing discount on what the autos left); test_promotions_index.py
compares them with the engine as it was.

Lines are sets of bits (bit i: line i); runs and pieces are plain tuples, made by the thousand.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.rules.promotions.benefits import Discounts, Remaining, Unit
from core.rules.promotions.model import (
    ApplyTo,
    Benefit,
    CartLine,
    DiscountKind,
    Qualified,
    Requirement,
    RequirementKind,
)

# Units start, start + 1, ... start + length - 1 of a line: (line, start, length).
Run = tuple[int, int, int]
# What a benefit takes off a run: (line, start, length, amount, each): `amount` off each unit,
# or, each False, spread over the units in order (each takes what it costs until it runs out).
Piece = tuple[int, int, int, int, bool]


class Alone:
    """What a benefit takes off the undiscounted cart: per line, in all, and the units it takes
    something off (one bit per unit, numbered through the cart in order)."""

    __slots__ = ("per_line", "pieces", "total", "touches")

    def __init__(self, per_line: list[int], pieces: list[Piece], total: int, touches: int) -> None:
        self.per_line, self.pieces, self.total, self.touches = per_line, pieces, total, touches


class FreshCart:
    """A cart before promotions, with the orders the rules take its lines in."""

    def __init__(self, cart: Sequence[CartLine], highest_first: bool) -> None:
        self.cart = cart
        self.prices = prices = [line.unit_price for line in cart]
        self.quantities = [line.quantity for line in cart]
        self.every_line = (1 << len(cart)) - 1
        self.first_bit: list[int] = []  # the bit of each line's first unit
        units = 0
        for quantity in self.quantities:
            self.first_bit.append(units)
            units += quantity
        lines = range(len(cart))
        # Criteria take the items the benefit would take last, so the benefit is left the best.
        sign = 1 if highest_first else -1
        self.reserve_order = sorted(lines, key=lambda i: (sign * prices[i], i))
        # Benefits: cheapest first (highest first if preferred); lines at zero go last, so
        # "up to 1 free" never wastes itself on a free item.
        self.take_order = sorted(lines, key=lambda i: (prices[i] == 0, -sign * prices[i], i))
        self._pools: dict[int, list[Run]] = {}

    def matching(self, qualified: Qualified) -> int:
        """The lines whose items qualify."""
        categories, items = qualified.categories, qualified.items
        if not categories and not items:
            return self.every_line
        mask = 0
        for i, line in enumerate(self.cart):
            if line.category in categories or line.item in items:
                mask |= 1 << i
        return mask

    def remaining(self, lines: int) -> Remaining:
        """Each unit of these lines at its price, in cart order."""
        prices = self.prices
        return {
            Unit(i, n): prices[i]
            for i, quantity in enumerate(self.quantities)
            if lines >> i & 1
            for n in range(quantity)
        }

    def units(self, runs: Sequence[Run]) -> list[Unit]:
        """The runs' units, in cart order."""
        return [Unit(i, start + n) for i, start, length in sorted(runs) for n in range(length)]

    def meets(self, requirement: Requirement, lines: int) -> bool:
        """Whether the requirement is met by these lines' items, none reserved before."""
        minimum, quantities = requirement.minimum, self.quantities
        if requirement.kind is RequirementKind.IDENTICAL_ITEMS:
            by_item: dict[str, int] = {}
            for i, line in enumerate(self.cart):
                if lines >> i & 1:
                    by_item[line.item] = by_item.get(line.item, 0) + quantities[i]
            return any(count >= minimum for count in by_item.values())
        if requirement.kind is RequirementKind.ITEMS:
            return sum(q for i, q in enumerate(quantities) if lines >> i & 1) >= minimum
        prices = self.prices
        return sum(q * prices[i] for i, q in enumerate(quantities) if lines >> i & 1) >= minimum

    def criteria(
        self, requirements: Sequence[tuple[Requirement, int]]
    ) -> tuple[Requirement | None, list[int]]:
        """The first requirement the cart does not meet (None: all met), and how many of each
        line's units the requirements took, each from what the earlier ones left.
        `requirements`: each with the lines it qualifies."""
        reserved = [0] * len(self.cart)
        for requirement, lines in requirements:
            taken = self._reserve(requirement, lines, reserved)
            if taken is None:
                return requirement, reserved
            for line, count in taken:
                reserved[line] += count
        return None, reserved

    def _reserve(
        self, requirement: Requirement, lines: int, reserved: list[int]
    ) -> list[tuple[int, int]] | None:
        quantities, minimum = self.quantities, requirement.minimum
        free = [
            (i, quantities[i] - reserved[i])
            for i in self.reserve_order
            if lines >> i & 1 and reserved[i] < quantities[i]
        ]
        if requirement.kind is RequirementKind.IDENTICAL_ITEMS:
            by_item: dict[str, list[tuple[int, int]]] = {}
            for i, count in free:
                by_item.setdefault(self.cart[i].item, []).append((i, count))
            # The first item (in reserve order) with enough units.
            enough = (same for same in by_item.values() if sum(c for _, c in same) >= minimum)
            same = next(enough, None)
            return None if same is None else _first(same, minimum)
        if requirement.kind is RequirementKind.ITEMS:
            return _first(free, minimum) if sum(c for _, c in free) >= minimum else None
        taken: list[tuple[int, int]] = []
        worth = 0
        for i, count in free:
            if worth >= minimum:
                break
            price = self.prices[i]
            # Free units are taken too while the value falls short: they cost nothing.
            needed = count if price == 0 else min(count, -(-(minimum - worth) // price))
            taken.append((i, needed))
            worth += needed * price
        return taken if worth >= minimum else None

    def targets(self, lines: int, reserved: list[int] | None) -> list[Run]:
        """The units of these lines a benefit may go to, in the order it takes them: all of
        them, or (other items) those the requirements left (`reserved`)."""
        quantities = self.quantities
        if reserved is None:
            found = self._pools.get(lines)
            if found is None:
                found = [(i, 0, quantities[i]) for i in self.take_order if lines >> i & 1]
                self._pools[lines] = found
            return found
        return [
            (i, reserved[i], quantities[i] - reserved[i])
            for i in self.take_order
            if lines >> i & 1 and reserved[i] < quantities[i]
        ]

    def alone(self, benefit: Benefit, pool: list[Run]) -> Alone:
        """What the benefit takes off the pool (in take order), up to N units."""
        prices, first_bit = self.prices, self.first_bit
        chosen = pool if benefit.up_to is None else _first_units(pool, benefit.up_to)
        per_line = [0] * len(prices)
        pieces: list[Piece] = []
        total = touches = 0
        kind, amount = benefit.kind, benefit.amount
        if kind is DiscountKind.PERCENT or kind is DiscountKind.FREE:
            # percent_of (benefits) in whole numbers: n/d percent, rounded half up.
            n, d = (100, 1) if kind is DiscountKind.FREE else benefit.percent.as_integer_ratio()
            for i, start, length in chosen:
                take = (2 * length * prices[i] * n + 100 * d) // (200 * d)
                pieces.append((i, start, length, take, False))
        elif benefit.apply_to is ApplyTo.CRITERIA_ITEMS:  # one amount over the items together
            left = amount
            if kind is DiscountKind.SET_PRICE:
                left = max(sum(length * prices[i] for i, _, length in chosen) - amount, 0)
            for i, start, length in chosen:
                take = min(left, length * prices[i])
                pieces.append((i, start, length, take, False))
                left -= take
        else:
            for i, start, length in chosen:
                price = prices[i]
                each = min(amount, price) if kind is DiscountKind.AMOUNT else max(price - amount, 0)
                if each:
                    per_line[i] = length * each
                    total += length * each
                    touches |= ((1 << length) - 1) << (first_bit[i] + start)
                pieces.append((i, start, length, each, True))
            return Alone(per_line, pieces, total, touches)
        for i, start, _, take, _ in pieces:
            if take:
                per_line[i] = take
                total += take
                # A whole unit at a time, the rest on the next one.
                touches |= ((1 << -(-take // prices[i])) - 1) << (first_bit[i] + start)
        return Alone(per_line, pieces, total, touches)

    def discounts(self, alone: Alone, lines: int = -1) -> Discounts:
        """What the benefit takes off each unit (of these lines), to stack others on the rest."""
        result: Discounts = {}
        for i, start, length, amount, each in alone.pieces:
            if not lines >> i & 1:
                continue
            price, left = self.prices[i], amount
            for n in range(start, start + length):
                take = amount if each else min(left, price)
                result[Unit(i, n)] = take
                left -= take
        return result


def _first(runs: list[tuple[int, int]], count: int) -> list[tuple[int, int]]:
    """The first `count` units of (line, available) runs, in their order."""
    taken = []
    for i, available in runs:
        if count == 0:
            break
        take = min(available, count)
        taken.append((i, take))
        count -= take
    return taken


def _first_units(pool: list[Run], count: int) -> list[Run]:
    chosen = []
    for i, start, length in pool:
        if count == 0:
            break
        chosen.append((i, start, min(length, count)))
        count -= min(length, count)
    return chosen
