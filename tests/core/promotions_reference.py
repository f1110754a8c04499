"""The promotions engine as it was before the offer index (commit 4d60479): the oracle the
indexed engine is compared with in test_promotions_index.py. Kept verbatim but for imports:
one module for the engine and its benefits; validity and restrictions are core's own checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from core.rules.promotions import checks, messages
from core.rules.promotions.model import (
    ApplyTo,
    Benefit,
    BookingFacts,
    CartLine,
    ClientFacts,
    DiscountKind,
    Offer,
    Promotion,
    Requirement,
    RequirementKind,
    Settings,
)
from core.rules.promotions.outcome import (
    Applied,
    NotApplied,
    Outcome,
    PricedLine,
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


# Beyond this many passing auto-applied promotions the best combination is found greedily.
_EXACT_SEARCH_LIMIT = 16


@dataclass(frozen=True)
class _Passed:
    offer: Offer
    reserved: frozenset[Unit]
    units: Discounts  # what it takes off each unit of the undiscounted cart
    alone: int  # their sum
    touches: frozenset[Unit]  # the units it takes something off


class _Contents:
    """A promotion's contents but its id, for ordering. Written out (a repr) only when two
    offers tie on name and code: writing it for every sort was most of an evaluation's time."""

    __slots__ = ("promotion",)

    def __init__(self, promotion: Promotion) -> None:
        self.promotion = promotion

    def text(self) -> str:
        return repr(replace(self.promotion, id=0))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Contents) and self.text() == other.text()

    def __lt__(self, other: _Contents) -> bool:
        return self.text() < other.text()


def _content_key(offer: Offer) -> tuple[str, str, _Contents, tuple[int, int, int], int]:
    """Name, code, what the promotion does and how much it was used: two promotions alike in
    all of these but the id are told apart by their use (which decides which is refused), and
    only then by the id, which says nothing of them."""
    promotion, usage = offer.promotion, offer.usage
    used = (usage.uses, usage.bookings, usage.client_uses)
    return (promotion.name, offer.code or "", _Contents(promotion), used, promotion.id)


def _not_applied(offer: Offer, reason: str) -> NotApplied:
    promotion = offer.promotion
    return NotApplied(promotion.id, promotion.name, offer.code, reason)


@dataclass
class _Evaluation:
    passed: list[_Passed]
    failed: list[NotApplied]


def _evaluate(
    offers: Sequence[Offer],
    cart: Sequence[CartLine],
    client: ClientFacts | None,
    booking: BookingFacts,
    settings: Settings,
) -> _Evaluation:
    result = _Evaluation([], [])
    seen: set[tuple[int, str | None]] = set()
    fresh = units_of(cart)
    for offer in sorted(offers, key=_content_key):
        identity = (offer.promotion.id, offer.code)
        if identity in seen:
            if offer.code is not None:
                result.failed.append(_not_applied(offer, messages.ALREADY_ENTERED))
            continue
        seen.add(identity)
        passed = _check(offer, cart, client, booking, settings, fresh)
        if isinstance(passed, str):
            result.failed.append(_not_applied(offer, checks.for_client(passed, offer)))
        else:
            result.passed.append(passed)
    return result


def _check(
    offer: Offer,
    cart: Sequence[CartLine],
    client: ClientFacts | None,
    booking: BookingFacts,
    settings: Settings,
    fresh: Remaining,
) -> _Passed | str:
    """The offer on its own, on the undiscounted cart; or why it cannot apply."""
    reason = checks.validity(offer, booking, settings) or checks.restrictions(
        offer, client, booking
    )
    if reason is not None:
        return reason
    promotion = offer.promotion
    units = list(fresh)  # in order: units_of makes them line by line
    criteria = check_criteria(promotion, cart, settings, units)
    if criteria.reason is not None:
        return criteria.reason
    pool = targets(promotion, cart, criteria.reserved, units)
    if not pool:
        return messages.NOTHING_QUALIFIES
    alone = discounts(promotion.benefit, pool, fresh, settings.highest_first)
    total = sum(alone.values())
    if total == 0 and not promotion.benefit.gives_nothing_by_design:
        return messages.NO_DISCOUNT
    touches = frozenset(u for u, amount in alone.items() if amount > 0)
    return _Passed(offer, criteria.reserved, alone, total, touches)


def _best_autos(autos: list[_Passed]) -> list[_Passed]:
    """The autos that save most together, no two discounting the same unit (tiers compete)."""
    ordered = sorted(autos, key=lambda p: (-p.alone, _content_key(p.offer)))
    if len(ordered) > _EXACT_SEARCH_LIMIT:
        chosen: list[_Passed] = []
        for candidate in ordered:
            if all(candidate.touches.isdisjoint(c.touches) for c in chosen):
                chosen.append(candidate)
        return chosen
    best: tuple[tuple[int, int], list[_Passed]] = ((-1, 0), [])

    def search(i: int, chosen: list[_Passed], used: frozenset[Unit], saved: int) -> None:
        nonlocal best
        if i == len(ordered):
            if (saved, len(chosen)) > best[0]:
                best = ((saved, len(chosen)), list(chosen))
            return
        candidate = ordered[i]
        if candidate.touches.isdisjoint(used):
            chosen.append(candidate)
            search(i + 1, chosen, used | candidate.touches, saved + candidate.alone)
            chosen.pop()
        search(i + 1, chosen, used, saved)

    search(0, [], frozenset(), 0)
    return best[1]


@dataclass
class _Option:
    members: list[_Passed]
    applied: list[Applied]
    saved: int
    has_code: bool


def _take(
    step: _Passed, cart: Sequence[CartLine], remaining: Remaining, settings: Settings
) -> Discounts:
    if step.offer.code is None:
        # Autos come first and never share a unit: each takes what it takes alone.
        return step.units
    pool = targets(step.offer.promotion, cart, step.reserved)
    return discounts(step.offer.promotion.benefit, pool, remaining, settings.highest_first)


def _apply(
    members: list[_Passed],
    standing: ClientFacts | None,
    cart: Sequence[CartLine],
    booking: BookingFacts,
    settings: Settings,
) -> _Option:
    """Autos, then codes, then the standing discount, each on what the ones before left."""
    remaining: Remaining = units_of(cart)
    applied: list[Applied] = []

    def record(taken: Discounts, promotion_id: int | None, name: str, code: str | None) -> None:
        per_line = [0] * len(cart)
        for unit, amount in taken.items():
            remaining[unit] -= amount
            per_line[unit.line] += amount
        uses = 0 if promotion_id is None else booking.appointments
        applied.append(Applied(promotion_id, name, code, sum(per_line), tuple(per_line), uses))

    for step in members:
        promotion = step.offer.promotion
        record(
            _take(step, cart, remaining, settings), promotion.id, promotion.name, step.offer.code
        )
    if standing is not None:
        everything = Benefit(DiscountKind.PERCENT, percent=standing.standing_discount)
        taken = discounts(everything, sorted(remaining), remaining, False)
        record(taken, None, messages.STANDING_DISCOUNT_NAME, None)
    saved = sum(a.discount for a in applied)
    has_code = any(p.offer.code is not None for p in members)
    return _Option(members, applied, saved, has_code)


def _one_per_booking(codes: list[_Passed]) -> tuple[list[_Passed], list[NotApplied]]:
    """Codes of a promotion limited to one use per booking (or client): only the best stays."""
    kept: list[_Passed] = []
    dropped: list[NotApplied] = []
    limited: set[int] = set()
    for passed in sorted(codes, key=lambda p: (-p.alone, _content_key(p.offer))):
        promotion = passed.offer.promotion
        if promotion.id in limited:
            dropped.append(_not_applied(passed.offer, messages.ONCE_PER_BOOKING))
            continue
        if promotion.one_use_per_booking or promotion.once_per_client:
            limited.add(promotion.id)
        kept.append(passed)
    return sorted(kept, key=lambda p: _content_key(p.offer)), dropped


def _explain(passed: _Passed, winner: _Option, together: _Option, autos: list[_Passed]) -> str:
    """Why a promotion that could apply on its own was left out."""
    if winner is not together:
        return messages.cannot_combine_with(winner.members[0].offer.promotion.name)
    if not passed.offer.promotion.combinable:
        return messages.DOES_NOT_COMBINE
    # An auto left out of the best combination shares an item with one in it.
    rival = next(p for p in autos if not p.touches.isdisjoint(passed.touches))
    return messages.better_offer(rival.offer.promotion.name)


def apply_promotions(
    cart: Sequence[CartLine],
    client: ClientFacts | None,
    booking: BookingFacts,
    offers: Sequence[Offer],
    settings: Settings | None = None,
) -> Outcome:
    """The promotions the booking gets, each line's discount, and why the others were left out.

    `client` is None while nobody is logged in. Amounts are minor units; a percentage is taken
    of what is left of a line and rounded half up to a whole minor unit, once per line and
    promotion. Raises nothing: inputs no row could hold are refused when the dataclasses are made.
    """
    settings = settings or Settings()
    evaluation = _evaluate(offers, cart, client, booking, settings)
    codes, dropped = _one_per_booking([p for p in evaluation.passed if p.offer.code is not None])
    autos = [p for p in evaluation.passed if p.offer.code is None]
    standing = client if client is not None and client.standing_discount > 0 else None
    standing_reason = messages.CODE_REPLACES_STANDING if standing is not None and codes else None

    best_autos = _best_autos([p for p in autos if p.offer.promotion.combinable])
    members = sorted(best_autos, key=lambda p: _content_key(p.offer))
    members += [p for p in codes if p.offer.promotion.combinable]
    together = _apply(members, None if standing_reason else standing, cart, booking, settings)
    loners = sorted(
        (p for p in [*autos, *codes] if not p.offer.promotion.combinable),
        key=lambda p: _content_key(p.offer),
    )
    options = [together, *(_apply([p], None, cart, booking, settings) for p in loners)]
    # Most saved; on a tie what the client typed, then more promotions, then the first option.
    winner = max(options, key=lambda o: (o.saved, o.has_code, len(o.applied)))

    not_applied = [*evaluation.failed, *dropped]
    won = {id(p) for p in winner.members}
    for passed in sorted([*autos, *codes], key=lambda p: _content_key(p.offer)):
        if id(passed) not in won:
            reason = _explain(passed, winner, together, best_autos)
            not_applied.append(_not_applied(passed.offer, reason))
    if standing is not None and standing_reason is None and winner is not together:
        standing_reason = messages.cannot_combine_with(winner.members[0].offer.promotion.name)
    if standing_reason is not None:
        name = messages.STANDING_DISCOUNT_NAME
        not_applied.append(NotApplied(None, name, None, standing_reason))

    lines = tuple(
        PricedLine(line, sum(a.line_discounts[i] for a in winner.applied))
        for i, line in enumerate(cart)
    )
    return Outcome(lines, tuple(winner.applied), tuple(not_applied))
