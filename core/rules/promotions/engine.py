"""Which promotions a booking gets and what each line costs.

1. Every offer is checked on its own: validity, restrictions and use limits, criteria, and its
   benefit on the undiscounted cart. Those that fail get the reason a client reads.
2. A typed code that passes replaces the client's standing discount (seed 003), even a 0 % one.
3. Auto-applied promotions that would discount the same item are alternatives (tiers): the
   combination that saves the client most wins. Codes stack on top of them, then the standing
   discount; each on what is left of every item.
4. A promotion that is not combinable stands alone: it wins if it alone saves the client more
   than everything else together (a tie goes to what the client typed).

The result depends only on the offers' contents, never on their order or ids (ids break no
ties unless two promotions are identical but for their id). Step 1 reads the offers through an
`OfferIndex` (index.py), built here from a list or once by a caller that evaluates them often,
and the cart a line at a time (cart.py). The reasons are worded when the caller reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from core.rules.promotions import benefits, checks, messages
from core.rules.promotions.benefits import Discounts
from core.rules.promotions.cart import Alone, FreshCart, Run
from core.rules.promotions.index import Entry, OfferIndex, Wording, bits
from core.rules.promotions.model import (
    Benefit,
    BookingFacts,
    CartLine,
    ClientFacts,
    DiscountKind,
    Offer,
    Requirement,
    Settings,
)
from core.rules.promotions.outcome import (
    Applied,
    NotApplied,
    Outcome,
    PricedLine,
)

# Beyond this many passing auto-applied promotions the best combination is found greedily.
_EXACT_SEARCH_LIMIT = 16

# An offer that may apply on its own: (minus what it saves alone, its position, the offer, what
# it takes alone). A tuple, so that sorting puts the best first, ties in the offers' order.
Passed = tuple[int, int, Entry, Alone]
_position = itemgetter(1)
# Why the cart cannot have an offer: a reason, or the requirement it does not meet.
Shortfall = str | Requirement


class _Plans:
    """One evaluation's cart, with each of the index's plans worked out once, when first asked."""

    def __init__(self, index: OfferIndex, cart: Sequence[CartLine], settings: Settings) -> None:
        self.index, self.settings = index, settings
        self.fresh = FreshCart(cart, settings.highest_first)
        self.lines: list[int | None] = [None] * len(index.qualified)
        # Each criteria plan's first requirement not met; "" when all are.
        self.shortfalls: list[Requirement | str | None] = [None] * len(index.criteria_plans)
        self.reserved: list[list[int] | None] = [None] * len(index.criteria_plans)
        self.pools: list[list[Run] | None] = [None] * len(index.pool_plans)

    def verdict(self, plan: int) -> Alone | Shortfall:
        """What an offer takes off the undiscounted cart on its own, or why it cannot apply."""
        criteria_plan, pool_plan, benefit, take = self.index.discount_plans[plan]
        if criteria_plan >= 0:
            short = self.shortfalls[criteria_plan]
            if short is None:
                short = self.shortfall(criteria_plan)
            if short:
                return short
        pool = self.pools[pool_plan]
        if pool is None:
            pool = self.pool(pool_plan)
        if not pool:
            return messages.NOTHING_QUALIFIES
        alone = self.fresh.alone(take, pool)
        if alone.total == 0 and not benefit.gives_nothing_by_design:
            return messages.NO_DISCOUNT
        return alone

    def lines_of(self, qualified: int) -> int:
        found = self.lines[qualified]
        if found is None:
            found = self.lines[qualified] = self.fresh.matching(self.index.qualified[qualified])
        return found

    def shortfall(self, plan: int) -> Requirement | str:
        """The first requirement the cart does not meet; "" when it meets them all."""
        found = self.shortfalls[plan]
        if found is None:
            requirements = self.index.criteria_plans[plan]
            if len(requirements) == 1:  # no other requirement took items before it
                requirement, qualified = requirements[0]
                met = self.fresh.meets(requirement, self.lines_of(qualified))
                found = "" if met else requirement
            else:
                found = self._reserve(plan)
            self.shortfalls[plan] = found
        return found

    def _reserve(self, plan: int) -> Requirement | str:
        requirements = [(r, self.lines_of(q)) for r, q in self.index.criteria_plans[plan]]
        short, self.reserved[plan] = self.fresh.criteria(requirements)
        return "" if short is None else short

    def pool(self, plan: int) -> list[Run]:
        """The units a benefit may go to, in the order it takes them."""
        found = self.pools[plan]
        if found is None:
            criteria_plan, qualified, required = self.index.pool_plans[plan]
            lines = self.lines_of(qualified)
            reserved = None
            if criteria_plan >= 0:  # other items than the (met) requirements took
                reserved = self.reserved[criteria_plan]
                if reserved is None:
                    self._reserve(criteria_plan)
                    reserved = self.reserved[criteria_plan]
            elif required:
                some = 0
                for selector in required:
                    some |= self.lines_of(selector)
                lines &= some
            found = self.pools[plan] = self.fresh.targets(lines, reserved)
        return found


def _check_all(
    index: OfferIndex, plans: _Plans, client: ClientFacts | None, booking: BookingFacts
) -> tuple[list[Passed], list[tuple[int, Wording | None]], list[tuple[Entry, Shortfall]]]:
    """Step 1: the offers that may apply on their own (in order); those refused by validity and
    restrictions (masks, by check); those the cart cannot have, and why."""
    alive, refused = index.refusals(client, booking)
    verdict = plans.verdict
    verdicts: list[Alone | Shortfall | None] = [None] * len(index.discount_plans)
    passed: list[Passed] = []
    short: list[tuple[Entry, Shortfall]] = []
    # A pass over the (few dozen) entries costs less than finding the alive ones bit by bit.
    for entry in index.checked:
        if not entry.bit & alive:
            continue
        found = verdicts[entry.discount]
        if found is None:
            found = verdicts[entry.discount] = verdict(entry.discount)
        if isinstance(found, Alone):
            passed.append((-found.total, entry.position, entry, found))
        else:
            short.append((entry, found))
    return passed, refused, short


def _best_autos(autos: list[Passed]) -> list[Passed]:
    """The autos that save most together, no two discounting the same unit (tiers compete)."""
    ordered = sorted(autos)
    if len(ordered) > _EXACT_SEARCH_LIMIT:
        chosen: list[Passed] = []
        used = 0
        for candidate in ordered:
            touches = candidate[3].touches
            if not touches & used:
                chosen.append(candidate)
                used |= touches
        return chosen
    best: tuple[tuple[int, int], list[Passed]] = ((-1, 0), [])

    def search(i: int, chosen: list[Passed], used: int, saved: int) -> None:
        nonlocal best
        if i == len(ordered):
            if (saved, len(chosen)) > best[0]:
                best = ((saved, len(chosen)), list(chosen))
            return
        candidate = ordered[i]
        alone = candidate[3]
        if not alone.touches & used:
            chosen.append(candidate)
            search(i + 1, chosen, used | alone.touches, saved + alone.total)
            chosen.pop()
        search(i + 1, chosen, used, saved)

    search(0, [], 0, 0)
    return best[1]


def _one_per_booking(codes: list[Passed]) -> tuple[list[Passed], list[Entry]]:
    """Codes of a promotion limited to one use per booking (or client): only the best stays."""
    kept: list[Passed] = []
    dropped: list[Entry] = []
    limited: set[int] = set()
    for passed in sorted(codes):
        entry = passed[2]
        promotion = entry.promotion
        if promotion.id in limited:
            dropped.append(entry)
            continue
        if promotion.one_use_per_booking or promotion.once_per_client:
            limited.add(promotion.id)
        kept.append(passed)
    return sorted(kept, key=_position), dropped


class _Option:
    """Promotions applied together: what each takes off each line, and what they save."""

    __slots__ = ("has_code", "members", "saved", "taken")

    def __init__(self, members: list[Passed]) -> None:
        self.members = members
        self.taken: list[tuple[Entry | None, list[int]]] = []  # None: the standing discount
        self.saved = 0
        self.has_code = any(p[2].code is not None for p in members)

    def add(self, entry: Entry | None, per_line: list[int]) -> None:
        self.taken.append((entry, per_line))
        self.saved += sum(per_line)

    def applied(self, booking: BookingFacts) -> tuple[Applied, ...]:
        return tuple(
            Applied(None, messages.STANDING_DISCOUNT_NAME, None, sum(per_line), tuple(per_line), 0)
            if entry is None
            else Applied(
                entry.promotion.id,
                entry.promotion.name,
                entry.code,
                sum(per_line),
                tuple(per_line),
                booking.appointments,
            )
            for entry, per_line in self.taken
        )


def _apply(members: list[Passed], standing: ClientFacts | None, plans: _Plans) -> _Option:
    """Autos, then codes, then the standing discount, each on what the ones before left."""
    option = _Option(members)
    if standing is None and not option.has_code:
        # Autos come first and never share a unit: each takes what it takes alone.
        for _, _, entry, alone in members:
            option.add(entry, alone.per_line)
        return option
    fresh, plan_of = plans.fresh, plans.index.discount_plans
    # What the autos leave matters on the lines the codes (or the standing discount) take from.
    lines = -1 if standing is not None else 0
    for _, _, entry, _ in members:
        if entry.code is not None:
            for line, _, _ in plans.pool(plan_of[entry.discount][1]):
                lines |= 1 << line
    remaining = fresh.remaining(lines)
    # An auto that takes nothing off those units leaves them as they were.
    units = fresh.unit_bits(lines)

    def record(taken: Discounts, entry: Entry | None) -> None:
        per_line = [0] * len(fresh.cart)
        for unit, amount in taken.items():
            remaining[unit] -= amount
            per_line[unit.line] += amount
        option.add(entry, per_line)

    highest_first = plans.settings.highest_first
    for _, _, entry, alone in members:
        if entry.code is None:
            if alone.touches & units:
                for unit, amount in fresh.discounts(alone, lines).items():
                    remaining[unit] -= amount
            option.add(entry, alone.per_line)
        else:
            _, pool_plan, benefit, _ = plan_of[entry.discount]
            pool = fresh.units(plans.pool(pool_plan))
            record(benefits.discounts(benefit, pool, remaining, highest_first), entry)
    if standing is not None:
        everything = Benefit(DiscountKind.PERCENT, percent=standing.standing_discount)
        record(benefits.discounts(everything, list(remaining), remaining, False), None)
    return option


class _Explanation:
    """Why each offer was left out, in the engine's order; worded when the outcome is read."""

    def __init__(
        self,
        plans: _Plans,
        booking: BookingFacts,
        checked: tuple[list[tuple[int, Wording | None]], list[tuple[Entry, Shortfall]]],
        dropped: list[Entry],
        chosen: tuple[list[Passed], _Option, _Option, list[Passed]],
        standing: str | None,
    ) -> None:
        self.plans, self.booking, self.checked = plans, booking, checked
        self.dropped, self.chosen, self.standing = dropped, chosen, standing

    def __call__(self) -> tuple[NotApplied, ...]:
        index, settings = self.plans.index, self.plans.settings
        refused, short = self.checked
        by_position: dict[int, NotApplied] = {
            position: _not_applied(offer, messages.ALREADY_ENTERED)
            for position, offer in index.entered_again
        }
        for mask, wording in refused:
            for position in bits(mask):
                entry = index.at[position]
                reason = index.reason(entry, wording, self.booking, settings)
                by_position[position] = _not_applied(entry.offer, reason)
        for entry, shortfall in short:
            if isinstance(shortfall, Requirement):
                shortfall = messages.needs(shortfall, settings)
            reason = checks.for_client(shortfall, entry.offer)
            by_position[entry.position] = _not_applied(entry.offer, reason)
        reasons = [by_position[position] for position in sorted(by_position)]
        reasons += [_not_applied(entry.offer, messages.ONCE_PER_BOOKING) for entry in self.dropped]
        reasons += self._left_out()
        if self.standing is not None:
            name = messages.STANDING_DISCOUNT_NAME
            reasons.append(NotApplied(None, name, None, self.standing))
        return tuple(reasons)

    def _left_out(self) -> list[NotApplied]:
        """Why each promotion that could apply on its own was left out, in order."""
        candidates, winner, together, best_autos = self.chosen
        won = {p[1] for p in winner.members}
        reasons = []
        for _, position, entry, alone in candidates:
            if position in won:
                continue
            if winner is not together:
                reason = messages.cannot_combine_with(winner.members[0][2].promotion.name)
            elif not entry.promotion.combinable:
                reason = messages.DOES_NOT_COMBINE
            else:  # an auto left out of the best combination shares an item with one in it
                rival = next(p[2] for p in best_autos if p[3].touches & alone.touches)
                reason = messages.better_offer(rival.promotion.name)
            reasons.append(_not_applied(entry.offer, reason))
        return reasons


def _not_applied(offer: Offer, reason: str) -> NotApplied:
    promotion = offer.promotion
    return NotApplied(promotion.id, promotion.name, offer.code, reason)


def apply_promotions(
    cart: Sequence[CartLine],
    client: ClientFacts | None,
    booking: BookingFacts,
    offers: Sequence[Offer] | OfferIndex,
    settings: Settings | None = None,
) -> Outcome:
    """The promotions the booking gets, each line's discount, and why the others were left out.

    `client` is None while nobody is logged in. Amounts are minor units; a percentage is taken
    of what is left of a line and rounded half up to a whole minor unit, once per line and
    promotion. Raises nothing: inputs no row could hold are refused when the dataclasses are made.
    """
    settings = settings or Settings()
    index = offers if isinstance(offers, OfferIndex) else OfferIndex(offers)
    plans = _Plans(index, cart, settings)
    passed, refused, short = _check_all(index, plans, client, booking)
    codes, dropped = _one_per_booking([p for p in passed if p[2].code is not None])
    autos = [p for p in passed if p[2].code is None]
    standing = client if client is not None and client.standing_discount > 0 else None
    standing_reason = messages.CODE_REPLACES_STANDING if standing is not None and codes else None

    best_autos = _best_autos([p for p in autos if p[2].promotion.combinable])
    members = sorted(best_autos, key=_position)
    members += [p for p in codes if p[2].promotion.combinable]
    together = _apply(members, None if standing_reason else standing, plans)
    candidates = sorted([*autos, *codes], key=_position)
    loners = [p for p in candidates if not p[2].promotion.combinable]
    options = [together, *(_apply([p], None, plans) for p in loners)]
    # Most saved; on a tie what the client typed, then more promotions, then the first option.
    winner = max(options, key=lambda o: (o.saved, o.has_code, len(o.taken)))
    if standing is not None and standing_reason is None and winner is not together:
        standing_reason = messages.cannot_combine_with(winner.members[0][2].promotion.name)

    per_line = [taken for _, taken in winner.taken] or [[0] * len(cart)]
    discounts = [sum(column) for column in zip(*per_line, strict=True)]
    lines = tuple(PricedLine(line, discounts[i]) for i, line in enumerate(cart))
    explanation = _Explanation(
        plans,
        booking,
        (refused, short),
        dropped,
        (candidates, winner, together, best_autos),
        standing_reason,
    )
    return Outcome(lines, winner.applied(booking), explanation)
