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
ties unless two promotions are identical but for their id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from core.rules.promotions import benefits, checks, messages
from core.rules.promotions.benefits import Discounts, Remaining, Unit
from core.rules.promotions.model import (
    Benefit,
    BookingFacts,
    CartLine,
    ClientFacts,
    DiscountKind,
    Offer,
    Promotion,
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


def _content_key(offer: Offer) -> tuple[str, str, _Contents, int]:
    promotion = offer.promotion
    return (promotion.name, offer.code or "", _Contents(promotion), promotion.id)


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
    fresh = benefits.units_of(cart)
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
    criteria = benefits.check_criteria(promotion, cart, settings, units)
    if criteria.reason is not None:
        return criteria.reason
    pool = benefits.targets(promotion, cart, criteria.reserved, units)
    if not pool:
        return messages.NOTHING_QUALIFIES
    alone = benefits.discounts(promotion.benefit, pool, fresh, settings.highest_first)
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
    pool = benefits.targets(step.offer.promotion, cart, step.reserved)
    return benefits.discounts(step.offer.promotion.benefit, pool, remaining, settings.highest_first)


def _apply(
    members: list[_Passed],
    standing: ClientFacts | None,
    cart: Sequence[CartLine],
    booking: BookingFacts,
    settings: Settings,
) -> _Option:
    """Autos, then codes, then the standing discount, each on what the ones before left."""
    remaining: Remaining = benefits.units_of(cart)
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
        taken = benefits.discounts(everything, sorted(remaining), remaining, False)
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
