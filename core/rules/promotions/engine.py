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
and the cart once for all the offers' selectors (selectors.py), a line at a time (cart.py):
offers that share a plan share its verdict. Only which offers pass the checks is found up
front; which check refused the others, and every reason, is worded when the caller reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from core.rules.promotions import checks, messages
from core.rules.promotions.benefits import PERCENT, take_off
from core.rules.promotions.cart import Alone, FreshCart, Run
from core.rules.promotions.index import Entry, OfferIndex, bits
from core.rules.promotions.model import (
    BookingFacts,
    CartLine,
    ClientFacts,
    Offer,
    Requirement,
    Settings,
)
from core.rules.promotions.outcome import (
    Applied,
    NotApplied,
    Outcome,
    applied,
    outcome,
    priced_line,
)

# Beyond this many passing auto-applied promotions the best combination is found greedily.
_EXACT_SEARCH_LIMIT = 16

# An offer that may apply on its own: (minus what it saves alone, its position, the offer, what
# it takes alone). A tuple, so that sorting puts the best first, ties in the offers' order.
Passed = tuple[int, int, Entry, Alone]
_position = itemgetter(1)
# Why the cart cannot have an offer: a reason, or the requirement it does not meet.
Shortfall = str | Requirement
# Step 1's answer: the autos that combine, the autos that stand alone, the codes (each in the
# offers' order), and the offers the cart cannot have.
Checked = tuple[list[Passed], list[Passed], list[Passed], list[tuple[Entry, Shortfall]]]
# What a promotion took when applied with others: (the offer, or None for the standing
# discount; what it took off each line; and in all).
Taken = tuple[Entry | None, list[int], int]
_per_line, _saved = itemgetter(1), itemgetter(2)
_DEFAULT_SETTINGS = Settings()  # frozen: one serves every caller who passes none


class _Plans:
    """One evaluation's cart, read once for every selector; the plans the cart does not answer
    at a glance (several requirements, other items) are worked out once, when first asked."""

    def __init__(self, index: OfferIndex, cart: Sequence[CartLine], settings: Settings) -> None:
        self.index, self.settings = index, settings
        self.fresh = FreshCart(cart, settings.highest_first)
        self.reading = index.selectors.read(self.fresh)
        self.lines = self.reading.lines
        # Each criteria plan's first requirement not met; "" when all are.
        self.shortfalls: list[Requirement | str | None] = [None] * len(index.criteria_plans)
        self.reserved: list[list[int] | None] = [None] * len(index.criteria_plans)
        self.pools: list[list[Run] | None] = [None] * len(index.pool_plans)

    def check(self, alive: int) -> Checked:
        """Step 1 for the offers that pass validity and restrictions (`alive`): those that may
        apply on their own, sorted out as the later steps take them (autos that combine, autos
        that stand alone, codes), and those the cart cannot have, with why. Offers that share a
        plan share its verdict: each plan with an offer alive is worked out once."""
        alone_of = self.fresh.alone
        runs, counts, worths = self.reading.runs, self.reading.counts, self.reading.worths
        passed: tuple[list[Passed], list[Passed], list[Passed]] = ([], [], [])
        short: list[tuple[Entry, Shortfall]] = []
        for group in self.index.plan_groups:
            live = group[0] & alive
            if not live:
                continue
            _, entries, single, criteria_plan, selector, pool_plan, take, gives_nothing = group
            found: Shortfall | None = None
            if single is not None:
                by_value, of, requirement = single
                if (worths if by_value else counts)[of] < requirement.minimum:
                    found = requirement
            elif criteria_plan >= 0:
                found = self.shortfall(criteria_plan)
            if not found:
                pool = runs[selector] if selector >= 0 else self.pool(pool_plan)
                if not pool:
                    found = messages.NOTHING_QUALIFIES
                else:
                    alone = alone_of(take, pool)
                    if alone.total or gives_nothing:
                        saved = -alone.total
                        for entry in entries:
                            if entry.bit & live:
                                passed[entry.group].append((saved, entry.position, entry, alone))
                        continue
                    found = messages.NO_DISCOUNT
            for entry in entries:
                if entry.bit & live:
                    short.append((entry, found))
        autos, lone_autos, codes = passed
        if len(lone_autos) > 1:  # found plan by plan: back in the offers' order
            lone_autos.sort(key=_position)
        return autos, lone_autos, codes, short

    def shortfall(self, plan: int) -> Requirement | str:
        """The first requirement the cart does not meet; "" when it meets them all."""
        found = self.shortfalls[plan]
        if found is None:
            requirements = self.index.criteria_plans[plan]
            if len(requirements) == 1:  # no other requirement took items before it
                requirement, qualified = requirements[0]
                met = self.fresh.meets(requirement, self.lines[qualified])
                found = "" if met else requirement
            else:
                found = self._reserve(plan)
            self.shortfalls[plan] = found
        return found

    def _reserve(self, plan: int) -> Requirement | str:
        requirements = [(r, self.lines[q]) for r, q in self.index.criteria_plans[plan]]
        short, self.reserved[plan] = self.fresh.criteria(requirements)
        return "" if short is None else short

    def pool(self, plan: int) -> list[Run]:
        """The units a benefit may go to, in the order it takes them."""
        found = self.pools[plan]
        if found is None:
            runs = self.reading.runs
            selector = self.index.pool_selectors[plan]
            if selector >= 0:
                found = runs[selector]
            else:
                criteria_plan, qualified, required = self.index.pool_plans[plan]
                lines, some = self.lines[qualified], 0
                for selector in required:
                    some |= self.lines[selector]
                if criteria_plan < 0:  # the items some requirement qualifies
                    found = self.fresh.targets(lines & some, None)
                elif lines & some:  # other items than the (met) requirements took
                    reserved = self.reserved[criteria_plan]
                    if reserved is None:
                        self._reserve(criteria_plan)
                        reserved = self.reserved[criteria_plan]
                    found = self.fresh.targets(lines, reserved)
                else:  # the requirements took none of the items it may go to
                    found = runs[qualified]
            self.pools[plan] = found
        return found


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
    if len(codes) < 2:  # most bookings: one typed code, or none
        return codes, []
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

    def __init__(self, members: list[Passed], has_code: bool, taken: list[Taken]) -> None:
        self.members, self.has_code, self.taken = members, has_code, taken
        self.saved = sum(map(_saved, taken))

    def ranks_above(self, other: _Option) -> bool:
        """Whether it saves more; on a tie, whether it has what the client typed and the other
        not, then more promotions."""
        mine = (self.saved, self.has_code, len(self.taken))
        return mine > (other.saved, other.has_code, len(other.taken))

    def discounts(self, lines: int) -> list[int]:
        """Each of the cart's `lines` lines' discount, all promotions together."""
        if not self.taken:
            return [0] * lines
        return list(map(sum, zip(*map(_per_line, self.taken), strict=True)))

    def applied(self, booking: BookingFacts) -> tuple[Applied, ...]:
        made = []
        for entry, per_line, saved in self.taken:
            if entry is None:
                name = messages.STANDING_DISCOUNT_NAME
                made.append(applied(None, name, None, saved, tuple(per_line), 0))
            else:
                promotion, uses = entry.promotion, booking.appointments
                taken = (saved, tuple(per_line), uses)
                made.append(applied(promotion.id, promotion.name, entry.code, *taken))
        return tuple(made)


def _apply(
    members: list[Passed], has_code: bool, standing: ClientFacts | None, plans: _Plans
) -> _Option:
    """Autos, then codes, then the standing discount, each on what the ones before left."""
    taken: list[Taken] = []
    if standing is None and not has_code:
        # Autos come first and never share a unit: each takes what it takes alone.
        for _, _, entry, alone in members:
            taken.append((entry, alone.per_line, alone.total))
        return _Option(members, False, taken)
    fresh, plan_of = plans.fresh, plans.index.discount_plans
    # What the autos leave matters on the lines the codes (or the standing discount) take from.
    lines = -1 if standing is not None else 0
    for _, _, entry, _ in members:
        if entry.code is not None:
            for line, _, _ in plans.pool(plan_of[entry.discount][1]):
                lines |= 1 << line
    remaining, units = fresh.untouched(lines)
    highest_first, count = plans.settings.highest_first, len(fresh.cart)
    for _, _, entry, alone in members:
        if entry.code is None:
            # An auto that takes nothing off those units leaves them as they were.
            if alone.touches & units:
                for unit, amount in fresh.discounts(alone, lines).items():
                    remaining[unit] -= amount
            taken.append((entry, alone.per_line, alone.total))
        else:
            _, pool_plan, _, take, _ = plan_of[entry.discount]
            pool = fresh.units(plans.pool(pool_plan))
            taken.append((entry, *take_off(take, pool, remaining, highest_first, count)))
    if standing is not None:
        n, d = standing.standing_discount.as_integer_ratio()
        everything = (PERCENT, n, d, 0, None)
        taken.append((None, *take_off(everything, list(remaining), remaining, False, count)))
    return _Option(members, has_code, taken)


class _Explanation:
    """Why each offer was left out, in the engine's order; worded when the outcome is read."""

    def __init__(
        self,
        plans: _Plans,
        facts: tuple[ClientFacts | None, BookingFacts],
        short: list[tuple[Entry, Shortfall]],
        dropped: list[Entry],
        chosen: tuple[list[list[Passed]], _Option, _Option, list[Passed]],
        standing: str | None,
    ) -> None:
        self.plans, self.facts, self.short = plans, facts, short
        self.dropped, self.chosen, self.standing = dropped, chosen, standing

    def __call__(self) -> tuple[NotApplied, ...]:
        index, settings = self.plans.index, self.plans.settings
        client, booking = self.facts
        _, refused = index.refusals(client, booking)
        by_position: dict[int, NotApplied] = {
            position: _not_applied(offer, messages.ALREADY_ENTERED)
            for position, offer in index.entered_again
        }
        for mask, wording in refused:
            for position in bits(mask):
                entry = index.at[position]
                reason = index.reason(entry, wording, booking, settings)
                by_position[position] = _not_applied(entry.offer, reason)
        for entry, shortfall in self.short:
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
        passed, winner, together, best_autos = self.chosen
        candidates = sorted([p for some in passed for p in some], key=_position)
        won = {p[1] for p in winner.members}
        reasons = []
        for _, position, entry, alone in candidates:
            if position in won:
                continue
            if winner is not together:
                reason = messages.cannot_combine_with(winner.members[0][2].promotion.name)
            elif not entry.combinable:
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
    settings = settings or _DEFAULT_SETTINGS
    index = offers if isinstance(offers, OfferIndex) else OfferIndex(offers)
    alive = index.alive(client, booking)
    plans = _Plans(index, cart, settings)
    autos, lone_autos, typed, short = plans.check(alive)
    codes, dropped = _one_per_booking(typed)
    standing = client if client is not None and client.standing_discount > 0 else None
    standing_reason = messages.CODE_REPLACES_STANDING if standing is not None and codes else None

    best_autos = _best_autos(autos)
    members = sorted(best_autos, key=_position)
    loners = lone_autos
    for passed in codes:
        if passed[2].combinable:
            members.append(passed)
        else:
            loners = sorted([*loners, passed], key=_position)
    has_code = len(members) > len(best_autos)
    together = _apply(members, has_code, None if standing_reason else standing, plans)
    # Most saved; on a tie what the client typed, then more promotions, then the first option.
    winner = together
    for passed in loners:
        option = _apply([passed], passed[2].code is not None, None, plans)
        if option.ranks_above(winner):
            winner = option
    if standing is not None and standing_reason is None and winner is not together:
        standing_reason = messages.cannot_combine_with(winner.members[0][2].promotion.name)

    lines = tuple(map(priced_line, cart, winner.discounts(len(cart))))
    explanation = _Explanation(
        plans,
        (client, booking),
        short,
        dropped,
        ([autos, lone_autos, codes], winner, together, best_autos),
        standing_reason,
    )
    return outcome(lines, winner.applied(booking), explanation)
