"""The undiscounted cart a line at a time: criteria, the items a benefit may go to, and what
each promotion takes off on its own (step 1 of the engine, for every offer that passes checks).

Before any promotion all units of a line cost the same, and every rule takes a line's units in
order: criteria reserve a line's first free units, benefits discount a line's units first to
last. So a line's share is a count, a run of units, and each rule is a walk over a few lines
instead of a sort of every unit. The answers are the unit-by-unit rules' (`benefits.take_off`,
which stacks codes and the standing discount on what the autos left); test_promotions_index.py
compares them with the engine as it was.

Lines are sets of bits (bit i: line i); runs are plain tuples, made by the thousand.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.rules.promotions.benefits import (
    OFF_EACH,
    PERCENT,
    PRICE_TOGETHER,
    Discounts,
    Remaining,
    Take,
)
from core.rules.promotions.benefits import taking as taking  # read with the cart's rules
from core.rules.promotions.model import (
    CartLine,
    Qualified,
    Requirement,
    RequirementKind,
)

# Units start, start + 1, ... start + length - 1 of a line: (line, start, length).
Run = tuple[int, int, int]


_new = object.__new__

# Enum members read once: looking one up on its class costs more than the check it is for.
_ITEMS, _IDENTICAL_ITEMS = RequirementKind.ITEMS, RequirementKind.IDENTICAL_ITEMS


class Alone:
    """What a benefit takes off the undiscounted cart: per line, in all, and the units it takes
    something off (one bit per unit, numbered through the cart in order). It keeps the runs it
    took from and how, so that the few that stack with a code can be read unit by unit
    (`FreshCart.discounts`); the many that do not cost no more than their totals."""

    __slots__ = ("per_line", "pool", "take", "total", "touches")

    def __init__(
        self, take: Take, pool: list[Run], per_line: list[int], total: int, touches: int
    ) -> None:
        self.take, self.pool = take, pool
        self.per_line, self.total, self.touches = per_line, total, touches


class FreshCart:
    """A cart before promotions, with the orders the rules take its lines in."""

    def __init__(self, cart: Sequence[CartLine], highest_first: bool) -> None:
        self.cart = cart
        prices: list[int] = []
        quantities: list[int] = []
        # The bit of each line's first unit (and, last, the number of units).
        first_bit = [0]
        # One loop, not three comprehensions: a cart is read in every evaluation.
        units = 0
        for line in cart:
            quantity = line.quantity
            prices.append(line.unit_price)
            quantities.append(quantity)
            units += quantity
            first_bit.append(units)
        self.prices, self.quantities, self.first_bit = prices, quantities, first_bit
        self.line_count = len(cart)
        self.every_line = (1 << len(cart)) - 1
        self.highest_first = highest_first
        # Benefits: cheapest first (highest first if preferred), lines alike in cart order (a
        # stable sort); lines at zero go last, so "up to 1 free" never wastes itself on a free
        # item.
        order = sorted(range(len(prices)), key=prices.__getitem__, reverse=highest_first)
        if not highest_first and 0 in prices:
            order = [i for i in order if prices[i]] + [i for i in order if not prices[i]]
        self.take_order = order
        self._reserve_order: list[int] | None = None
        self._pools: dict[int, list[Run]] = {}
        self._sums_of: dict[int, tuple[int, int]] = {}

    @property
    def reserve_order(self) -> list[int]:
        """Criteria take the items the benefit would take last, so the benefit is left the best."""
        if self._reserve_order is None:
            sign = 1 if self.highest_first else -1
            keys = [(sign * price, i) for i, price in enumerate(self.prices)]
            self._reserve_order = [i for _, i in sorted(keys)]
        return self._reserve_order

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

    def untouched(self, lines: int) -> tuple[Remaining, int]:
        """Each unit of these lines (-1: all) at its price, in cart order, and the units' bits
        (numbered as `Alone.touches` numbers them)."""
        remaining: Remaining = {}
        units = 0
        for i, quantity in enumerate(self.quantities):
            if lines >> i & 1:
                price = self.prices[i]
                for n in range(quantity):
                    remaining[i, n] = price
                units |= ((1 << quantity) - 1) << self.first_bit[i]
        return remaining, units

    def units(self, runs: Sequence[Run]) -> list[tuple[int, int]]:
        """The runs' units (line, nth), in cart order."""
        units = []
        for i, start, length in sorted(runs):
            for n in range(start, start + length):
                units.append((i, n))
        return units

    def meets(self, requirement: Requirement, lines: int) -> bool:
        """Whether the requirement is met by these lines' items, none reserved before."""
        minimum, kind = requirement.minimum, requirement.kind
        if kind is _IDENTICAL_ITEMS:
            by_item: dict[str, int] = {}
            for i, line in enumerate(self.cart):
                if lines >> i & 1:
                    by_item[line.item] = by_item.get(line.item, 0) + self.quantities[i]
            return any(count >= minimum for count in by_item.values())
        count, worth = self._sums(lines)
        return (count if kind is _ITEMS else worth) >= minimum

    def _sums(self, lines: int) -> tuple[int, int]:
        """How many items these lines hold and what they are worth, added up once per set of
        lines (tiers of a "spend $N" promotion all read the whole cart)."""
        found = self._sums_of.get(lines)
        if found is None:
            count = worth = 0
            for i, quantity in enumerate(self.quantities):
                if lines >> i & 1:
                    count += quantity
                    worth += quantity * self.prices[i]
            found = self._sums_of[lines] = (count, worth)
        return found

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
        if requirement.kind is _IDENTICAL_ITEMS:
            by_item: dict[str, list[tuple[int, int]]] = {}
            for i, count in free:
                by_item.setdefault(self.cart[i].item, []).append((i, count))
            # The first item (in reserve order) with enough units.
            enough = (same for same in by_item.values() if sum(c for _, c in same) >= minimum)
            same = next(enough, None)
            return None if same is None else _first(same, minimum)
        if requirement.kind is _ITEMS:
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

    def alone(self, take: Take, pool: list[Run]) -> Alone:
        """What the benefit takes off the pool (in take order), up to N units.

        It runs for every offer that passes its checks (most of step 1's time), so each way of
        taking has its own loop, and the smaller of two numbers is a comparison, not a call to
        min() or max(), which costs several times more in 3.11."""
        prices, first_bit = self.prices, self.first_bit
        how, n, d, amount, up_to = take
        if up_to is not None:
            pool = _first_units(pool, up_to)
        per_line = [0] * self.line_count
        total = touches = 0
        if how == PERCENT:  # percent_of (benefits) in whole numbers: n/d %, half up
            twice_n, half, whole = 2 * n, 100 * d, 200 * d
            for i, start, length in pool:
                price = prices[i]
                share = (length * price * twice_n + half) // whole
                if share:
                    per_line[i] = share
                    total += share
                    # A whole unit at a time, the rest on the next one.
                    touches |= ((1 << -(-share // price)) - 1) << (first_bit[i] + start)
        elif how >= OFF_EACH:
            off_each = how == OFF_EACH
            for i, start, length in pool:
                price = prices[i]
                if off_each:
                    each = amount if amount < price else price
                else:
                    each = price - amount if price > amount else 0
                if each:
                    per_line[i] = share = length * each
                    total += share
                    touches |= ((1 << length) - 1) << (first_bit[i] + start)
        else:
            left = amount
            if how == PRICE_TOGETHER:
                worth = 0
                for i, _, length in pool:
                    worth += length * prices[i]
                left = worth - amount if worth > amount else 0
            for i, start, length in pool:
                if not left:  # an amount together is used up: the other runs take nothing
                    break
                price = prices[i]
                share = length * price
                if left < share:
                    share = left
                left -= share
                if share:
                    per_line[i] = share
                    total += share
                    touches |= ((1 << -(-share // price)) - 1) << (first_bit[i] + start)
        # Made without a call to Alone.__init__ (a frame per offer that passes; ~30 % of
        # making one): the same five slots, filled here.
        found = _new(Alone)
        found.take, found.pool = take, pool
        found.per_line, found.total, found.touches = per_line, total, touches
        return found

    def discounts(self, alone: Alone, lines: int = -1) -> Discounts:
        """What the benefit takes off each unit (of these lines), to stack others on the rest:
        the same amount off each, or a line's share spread over its units in order."""
        how, _, _, amount, _ = alone.take
        result: Discounts = {}
        for i, start, length in alone.pool:
            if not lines >> i & 1:
                continue
            price = self.prices[i]
            if how >= OFF_EACH:
                if how == OFF_EACH:
                    each = amount if amount < price else price
                else:
                    each = price - amount if price > amount else 0
                for n in range(start, start + length):
                    result[i, n] = each
                continue
            left = alone.per_line[i]
            for n in range(start, start + length):
                take = left if left < price else price
                result[i, n] = take
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
        length = length if length < count else count
        chosen.append((i, start, length))
        count -= length
    return chosen
