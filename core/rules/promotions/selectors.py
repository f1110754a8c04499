"""The items a promotion's requirements and benefit name (its selectors), read off a cart at once.

An `OfferIndex` numbers the distinct selectors of its offers; an evaluation then reads the cart
once for all of them (`Selectors.read`) instead of once per selector and again per plan: which
lines each selector takes, their units in the order a benefit takes them, and how many items
they hold and what they are worth, which is all a lone "N items" or "worth $N" asks.
"""

from __future__ import annotations

from core.rules.promotions.cart import FreshCart, Run
from core.rules.promotions.model import Qualified

_NO_RUNS: list[Run] = []  # the runs of a selector no line satisfies (`Selectors.read`)


class Reading:
    """One cart as each selector sees it (lists indexed by the selector's number)."""

    __slots__ = ("counts", "lines", "runs", "worths")

    def __init__(
        self,
        lines: list[int],
        runs: list[list[Run]],
        counts: list[int],
        worths: list[int],
    ) -> None:
        self.lines = lines  # bit i: line i qualifies
        self.runs = runs  # its lines' units, in the order benefits take them (`targets`)
        self.counts = counts  # items (units) on those lines
        self.worths = worths  # what they are worth before any promotion


class Selectors:
    """The distinct selectors of an index, numbered, and which of them an item satisfies."""

    def __init__(self) -> None:
        self.qualified: list[Qualified] = []
        # Told apart by their categories and items (tuples of strings, hashed in C); their
        # labels only word messages.
        self._numbers: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
        self._unlimited: list[int] = []  # those that take every item
        self._by_category: dict[str, set[int]] = {}
        self._by_item: dict[str, set[int]] = {}
        # The limited selectors a (category, item) satisfies, worked out the first time a cart
        # holds such an item: a property of the offers and the price list, not of one cart.
        self._matching: dict[tuple[str, str], tuple[int, ...]] = {}

    def __len__(self) -> int:
        return len(self.qualified)

    def number(self, qualified: Qualified) -> int:
        """The selector's number, given to it the first time it is seen."""
        key = (qualified.categories, qualified.items)
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = len(self.qualified)
            self.qualified.append(qualified)
            if not qualified.categories and not qualified.items:
                self._unlimited.append(number)
            for category in qualified.categories:
                self._by_category.setdefault(category, set()).add(number)
            for item in qualified.items:
                self._by_item.setdefault(item, set()).add(number)
        return number

    def is_unlimited(self, number: int) -> bool:
        return number in self._unlimited

    def _satisfied_by(self, category: str, item: str) -> tuple[int, ...]:
        """The limited selectors that take an item of this category and code (remembered)."""
        named = self._by_category.get(category, set()) | self._by_item.get(item, set())
        found = self._matching[category, item] = tuple(sorted(named))
        return found

    def read(self, fresh: FreshCart) -> Reading:
        """The cart as every selector sees it, in one pass over its lines in take order."""
        count = len(self.qualified)
        lines, counts, worths = [0] * count, [0] * count, [0] * count
        # A selector's runs list is made when its first line is found; until then all share
        # one empty list, never added to.
        runs: list[list[Run]] = [_NO_RUNS] * count
        cart, quantities, prices = fresh.cart, fresh.quantities, fresh.prices
        matching, every_run = self._matching, []
        all_worth = 0
        for i in fresh.take_order:
            quantity, line = quantities[i], cart[i]
            run, bit, worth = (i, 0, quantity), 1 << i, quantity * prices[i]
            every_run.append(run)
            all_worth += worth
            numbers = matching.get((line.category, line.item))
            if numbers is None:
                numbers = self._satisfied_by(line.category, line.item)
            for number in numbers:
                if lines[number]:
                    runs[number].append(run)
                else:
                    runs[number] = [run]
                lines[number] |= bit
                counts[number] += quantity
                worths[number] += worth
        for number in self._unlimited:
            lines[number] = fresh.every_line
            runs[number] = every_run
            counts[number] = fresh.first_bit[-1]  # every unit
            worths[number] = all_worth
        return Reading(lines, runs, counts, worths)
