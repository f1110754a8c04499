"""The offers in play, prepared once for any number of evaluations (`OfferIndex`).

An evaluation used to check every offer on its own, from the top, wording each refusal. The
index keeps instead, for each check an offer may fail, which offers fail it for a given moment,
place, channel or client: one bit per offer in an int, read off the booking with a dict lookup
or a bisection. The first check that refuses an offer is the one `checks.validity` and
`checks.restrictions` would name (test_promotions_index.py holds the index to that); the
sentence is written only when the caller reads it.

Offers that share a selector, requirements, target items or a benefit share a plan, so an
evaluation works out each once (the benchmark's 50 promotions are tiers of a few).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime, time

from core.rules.promotions import checks, messages
from core.rules.promotions.benefits import Take, taking
from core.rules.promotions.model import (
    ApplyTo,
    Benefit,
    BookingFacts,
    Channel,
    ClientFacts,
    Offer,
    Promotion,
    Requirement,
    RequirementKind,
    Settings,
)
from core.rules.promotions.selectors import Selectors
from core.rules.promotions.times import Hours, Window

# A promotion's requirements, each with the number of its selector (`OfferIndex.selectors`).
CriteriaPlan = tuple[tuple[Requirement, int], ...]
# A lone requirement of items or value: (whether it counts value, its selector, the requirement).
SingleRequirement = tuple[bool, int, Requirement]
# The units a benefit may go to: (the criteria plan whose items it leaves out, or -1; the
# benefit's selector; the selectors of the requirements whose items it leaves out, or takes).
PoolPlan = tuple[int, int, tuple[int, ...]]
# What an offer takes off the undiscounted cart: (criteria plan or -1, pool plan, benefit, how
# the benefit takes, and whether it gives nothing by design).
DiscountPlan = tuple[int, int, Benefit, Take, bool]
# A discount plan as step 1 reads it, with the offers that share it: (their bits, the entries
# in order, the lone requirement of items or value or None, the criteria plan or -1, the
# selector whose units are the pool or -1, the pool plan, how the benefit takes, and whether it
# gives nothing by design).
PlanGroup = tuple[int, list["Entry"], SingleRequirement | None, int, int, int, Take, bool]

# Enum members read once: looking one up on its class costs more than the check it is for.
_ONLINE, _STUDIO, _OTHER_ITEMS = Channel.ONLINE, Channel.STUDIO, ApplyTo.OTHER_ITEMS

# How a refusal reads, from the promotion and the studio's settings; one function per check,
# in the order `checks.validity` and `checks.restrictions` make them.
Wording = Callable[[Promotion, Settings], str]


def _says(text: str) -> Wording:
    return lambda promotion, settings: text


_no_longer_available = _says(messages.NO_LONGER_AVAILABLE)
_online_only = _says(messages.ONLINE_ONLY)
_studio_only = _says(messages.STUDIO_ONLY)
_not_at_location = _says(messages.NOT_AT_LOCATION)
_not_for_service_type = _says(messages.NOT_FOR_SERVICE_TYPE)
_not_for_resource = _says(messages.NOT_FOR_RESOURCE)
_log_in = _says(messages.LOG_IN)
_new_clients_only = _says(messages.NEW_CLIENTS_ONLY)
_first_appointment_only = _says(messages.FIRST_APPOINTMENT_ONLY)
_members_only = _says(messages.MEMBERS_ONLY)
_used_by_client = _says(messages.USED_BY_CLIENT)
_already_used = _says(messages.ALREADY_USED)


def _not_yet_valid(promotion: Promotion, settings: Settings) -> str:
    return messages.not_yet_valid(promotion.redeem, settings)


def _expired(promotion: Promotion, settings: Settings) -> str:
    return messages.expired(promotion.redeem, settings)


def _appointments_between(promotion: Promotion, settings: Settings) -> str:
    return messages.appointments_between(promotion.appointment, settings)


def _hours(promotion: Promotion, settings: Settings) -> str:
    assert promotion.hours is not None
    return messages.hours(promotion.hours.start, promotion.hours.end, settings)


def _weekdays(promotion: Promotion, settings: Settings) -> str:
    return messages.weekdays(promotion.weekdays)


def _single(plan: CriteriaPlan) -> SingleRequirement | None:
    """A lone requirement of items or value, which the cart's sums answer; None for others."""
    if len(plan) != 1:
        return None
    requirement, selector = plan[0]
    if requirement.kind is RequirementKind.IDENTICAL_ITEMS:
        return None
    return (requirement.kind is RequirementKind.VALUE, selector, requirement)


def _one_selector(pool: PoolPlan, selectors: Selectors) -> int:
    """The selector whose units are the pool's whatever the cart, or -1 when the pool must be
    worked out (other items than the requirements took, items two selectors must both take)."""
    criteria_plan, benefit, required = pool
    if criteria_plan >= 0:
        return -1
    if not required or benefit in required:
        return benefit
    if any(selectors.is_unlimited(number) for number in required):
        return benefit
    if selectors.is_unlimited(benefit) and len(set(required)) == 1:
        return required[0]
    return -1


def bits(mask: int) -> Iterator[int]:
    """The positions of a mask's set bits, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Bounds:
    """One bound per offer (a window's start or end), sorted: which offers' bound is past a
    moment, or at or before it, in one bisection."""

    def __init__(self, bounds: Iterable[tuple[datetime, int]]) -> None:
        pairs = sorted(bounds, key=lambda pair: pair[0])
        self.keys = [bound for bound, _ in pairs]
        self.up_to = [0]  # up_to[i]: the offers of the first i bounds
        for _, bit in pairs:
            self.up_to.append(self.up_to[-1] | bit)
        everyone = self.up_to[-1]
        self.from_ = [everyone & ~below for below in self.up_to]  # from_[i]: those from i on

    def after(self, moment: datetime) -> int:
        """The offers whose bound comes after `moment`."""
        return self.from_[bisect_right(self.keys, moment)]

    def reached(self, moment: datetime) -> int:
        """The offers whose bound is `moment` or earlier."""
        return self.up_to[bisect_right(self.keys, moment)]


def _add_bounds(
    window: Window, bit: int, starts: list[tuple[datetime, int]], ends: list[tuple[datetime, int]]
) -> None:
    """The window's start and end, each if it has one, for the offer of `bit`."""
    if (start := window.start) is not None:
        starts.append((start, bit))
    if (end := window.end) is not None:
        ends.append((end, bit))


class _Scope:
    """Offers limited to some service types (or locations, resources, weekdays)."""

    def __init__(self) -> None:
        self.limited = 0
        self.allowed: dict[int | None, int] = {}

    def add(self, bit: int, ids: tuple[int, ...]) -> None:
        """Limit the offer of `bit` to these ids (at least one)."""
        self.limited |= bit
        for id_ in ids:
            self.allowed[id_] = self.allowed.get(id_, 0) | bit

    def refusing(self, id_: int | None) -> int:
        return self.limited & ~self.allowed.get(id_, 0)


class Entry:
    """One offer the engine checks, with its place in the engine's order and its plan."""

    __slots__ = ("bit", "code", "combinable", "discount", "group", "offer", "position", "promotion")

    def __init__(self, offer: Offer, position: int) -> None:
        self.offer = offer
        self.promotion = offer.promotion
        self.code = offer.code
        self.combinable = offer.promotion.combinable
        # Which of step 1's lists it goes to: autos that combine, autos alone, codes.
        self.group = 2 if offer.code is not None else 0 if self.combinable else 1
        self.position = position
        self.bit = 1 << position
        self.discount = 0  # the plan of what it takes off the undiscounted cart (`_index_plans`)


class _Contents:
    """A promotion's contents but its id, for ordering. Written out (a repr) only when two
    offers tie on name and code."""

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


class OfferIndex:
    """Offers prepared for `apply_promotions`; build once, evaluate many bookings and carts.

    Positions follow the offers' contents (never their order or ids): the engine's order for
    checking, for ties and for the refusals it lists. An offer whose promotion and code came
    earlier is not checked again: a typed one is refused as entered already, an auto one skipped.
    """

    def __init__(self, offers: Iterable[Offer]) -> None:
        ordered = sorted(offers, key=_content_key)
        self.offers: tuple[Offer, ...] = tuple(ordered)
        self.checked: list[Entry] = []  # in order; an offer whose identity came before is not
        self.entered_again: list[tuple[int, Offer]] = []  # codes typed twice, by position
        seen: set[tuple[int, str | None]] = set()
        for position, offer in enumerate(ordered):
            identity = (offer.promotion.id, offer.code)
            if identity not in seen:
                self.checked.append(Entry(offer, position))
            elif offer.code is not None:
                self.entered_again.append((position, offer))
            seen.add(identity)
        self.at = {entry.position: entry for entry in self.checked}
        self._index_checks()
        self._index_plans()

    def _index_checks(self) -> None:
        self.inactive = self.online_only = self.studio_only = self.everyone = 0
        self.needs_client = self.new_clients = self.first_appointment = self.members = 0
        self.used_by_client = self.used_up = 0
        self.locations, self.service_types, self.resources = _Scope(), _Scope(), _Scope()
        self.weekdays = _Scope()
        # Each distinct span of happy hours, with the offers limited to it.
        hours: dict[Hours, int] = {}
        self.uses_left: list[tuple[int, int]] = []
        starts: list[tuple[datetime, int]] = []
        ends: list[tuple[datetime, int]] = []
        first_slots: list[tuple[datetime, int]] = []
        last_slots: list[tuple[datetime, int]] = []
        for entry in self.checked:
            bit, promotion, usage = entry.bit, entry.promotion, entry.offer.usage
            self.everyone |= bit
            if not promotion.active:
                self.inactive |= bit
            # Most promotions have no window: skip working out its (missing) bounds.
            redeem, appointment = promotion.redeem, promotion.appointment
            if redeem.first_day is not None or redeem.last_day is not None:
                _add_bounds(redeem, bit, starts, ends)
            if appointment.first_day is not None or appointment.last_day is not None:
                _add_bounds(appointment, bit, first_slots, last_slots)
            if promotion.channel is _ONLINE:
                self.online_only |= bit
            elif promotion.channel is _STUDIO:
                self.studio_only |= bit
            # Most promotions are not limited: skip the call for those.
            if promotion.location_ids:
                self.locations.add(bit, promotion.location_ids)
            if promotion.service_type_ids:
                self.service_types.add(bit, promotion.service_type_ids)
            if promotion.resource_ids:
                self.resources.add(bit, promotion.resource_ids)
            if promotion.hours is not None:
                hours[promotion.hours] = hours.get(promotion.hours, 0) | bit
            if promotion.weekdays:
                self.weekdays.add(bit, promotion.weekdays)
            if promotion.needs_client:
                self.needs_client |= bit
                self.new_clients |= bit if promotion.new_clients_only else 0
                self.first_appointment |= bit if promotion.first_appointment_only else 0
                self.members |= bit if promotion.membership_required else 0
                if promotion.once_per_client and usage.client_uses > 0:
                    self.used_by_client |= bit
            left = None if promotion.max_uses is None else promotion.max_uses - usage.uses
            if (promotion.once and usage.bookings > 0) or (left is not None and left <= 0):
                self.used_up |= bit
            elif left is not None:
                self.uses_left.append((bit, left))
        self.hours = [(span.start, span.end, mask) for span, mask in hours.items()]
        self.redeem_starts, self.redeem_ends = _Bounds(starts), _Bounds(ends)
        self.first_slots, self.last_slots = _Bounds(first_slots), _Bounds(last_slots)

    def _index_plans(self) -> None:
        """Number the distinct selectors, requirements, target items and benefits, and work out
        what of them an evaluation can read straight off the cart (`Selectors.read`).

        Requirements are compared whole (they word messages), but few promotions have any."""
        self.selectors = selectors = Selectors()
        criteria: dict[tuple[Requirement, ...], int] = {}
        required: list[tuple[int, ...]] = []  # each criteria plan's selectors
        pools: dict[PoolPlan, int] = {}
        discounts: dict[tuple[int, int, Take], int] = {}
        self.criteria_plans: list[CriteriaPlan] = []
        self.single_requirements: list[SingleRequirement | None] = []
        self.pool_plans: list[PoolPlan] = []
        self.pool_selectors: list[int] = []
        self.discount_plans: list[DiscountPlan] = []
        groups: list[list[Entry]] = []  # each discount plan's entries, and their bits
        masks: list[int] = []
        for entry in self.checked:
            promotion = entry.promotion
            benefit, requirements = promotion.benefit, promotion.requirements
            criteria_plan = -1
            if requirements:
                criteria_plan = criteria.setdefault(requirements, len(criteria))
                if criteria_plan == len(self.criteria_plans):
                    plan = tuple((r, selectors.number(r.qualified)) for r in requirements)
                    self.criteria_plans.append(plan)
                    self.single_requirements.append(_single(plan))
                    required.append(tuple(q for _, q in plan))
            pool: PoolPlan
            if benefit.apply_to is _OTHER_ITEMS:
                some = required[criteria_plan] if requirements else ()
                pool = (criteria_plan, selectors.number(benefit.qualified), some)
            else:  # the items some requirement qualifies, whichever took them
                some = required[criteria_plan] if requirements else ()
                pool = (-1, selectors.number(benefit.qualified), some)
            pool_plan = pools.setdefault(pool, len(pools))
            if pool_plan == len(self.pool_plans):
                self.pool_plans.append(pool)
                self.pool_selectors.append(_one_selector(pool, selectors))
            # Benefits that take alike share a plan: FREE and 100 % off, say.
            take = taking(benefit)
            entry.discount = discounts.setdefault((criteria_plan, pool_plan, take), len(discounts))
            if entry.discount == len(self.discount_plans):
                nothing = benefit.gives_nothing_by_design
                self.discount_plans.append((criteria_plan, pool_plan, benefit, take, nothing))
                groups.append([])
                masks.append(0)
            groups[entry.discount].append(entry)
            masks[entry.discount] |= entry.bit
        self.plan_groups: list[PlanGroup] = []
        for mask, entries, (criteria_plan, pool_plan, _, take, nothing) in zip(
            masks, groups, self.discount_plans, strict=True
        ):
            single = self.single_requirements[criteria_plan] if criteria_plan >= 0 else None
            selector = self.pool_selectors[pool_plan]
            group = (mask, entries, single, criteria_plan, selector, pool_plan, take, nothing)
            self.plan_groups.append(group)

    def refusals(
        self, client: ClientFacts | None, booking: BookingFacts
    ) -> tuple[int, list[tuple[int, Wording | None]]]:
        """The offers that pass validity and restrictions (a mask), and those refused, by the
        first check each fails. None words "uses left", which depends on the booking."""
        booked, slot = booking.local_booked_at, booking.local_slot_start
        order: list[tuple[int, Wording | None]] = [
            (self.inactive, _no_longer_available),
            (self.redeem_starts.after(booked), _not_yet_valid),
            (self.redeem_ends.reached(booked), _expired),
            (0 if booking.online else self.online_only, _online_only),
            (self.studio_only if booking.online else 0, _studio_only),
            (self.locations.refusing(booking.location_id), _not_at_location),
            (self.service_types.refusing(booking.service_type_id), _not_for_service_type),
            (self.resources.refusing(booking.resource_id), _not_for_resource),
            (self.first_slots.after(slot) | self.last_slots.reached(slot), _appointments_between),
            (self._outside_hours(slot.time()), _hours),
            (self.weekdays.refusing(slot.weekday()), _weekdays),
            *self._who(client),
            (self.used_up, _already_used),
            (self._short_of_uses(booking.appointments), None),
        ]
        alive = self.everyone
        refused = []
        for mask, wording in order:
            mask &= alive
            if mask:
                refused.append((mask, wording))
                alive ^= mask
        return alive, refused

    def alive(self, client: ClientFacts | None, booking: BookingFacts) -> int:
        """The offers that pass validity and restrictions, as `refusals` finds them: all an
        evaluation needs; which check refused the others is found when they are worded."""
        booked, slot = booking.local_booked_at, booking.local_slot_start
        refused = (
            self.inactive
            | self.redeem_starts.after(booked)
            | self.redeem_ends.reached(booked)
            | (self.studio_only if booking.online else self.online_only)
            | self.locations.refusing(booking.location_id)
            | self.service_types.refusing(booking.service_type_id)
            | self.resources.refusing(booking.resource_id)
            | self.first_slots.after(slot)
            | self.last_slots.reached(slot)
            | self._outside_hours(slot.time())
            | self.weekdays.refusing(slot.weekday())
            | self.used_up
        )
        if booking.appointments > 1:
            refused |= self._short_of_uses(booking.appointments)
        if client is None:
            refused |= self.needs_client
        else:  # as `_who` words them
            refused |= self.used_by_client
            if not client.is_new:
                refused |= self.new_clients
            if client.earlier_bookings > 0:
                refused |= self.first_appointment
            if not client.is_member:
                refused |= self.members
        return self.everyone & ~refused

    def _outside_hours(self, at: time) -> int:
        """The offers whose happy hours leave out this time of day."""
        refused = 0
        for start, end, mask in self.hours:
            if not (start <= at < end if start < end else at >= start or at < end):
                refused |= mask
        return refused

    def _who(self, client: ClientFacts | None) -> list[tuple[int, Wording]]:
        """The checks of who the client is and what they used, each with the offers it refuses."""
        if client is None:
            return [(self.needs_client, _log_in)]
        returning = client.earlier_bookings > 0
        return [
            (0 if client.is_new else self.new_clients, _new_clients_only),
            (self.first_appointment if returning else 0, _first_appointment_only),
            (0 if client.is_member else self.members, _members_only),
            (self.used_by_client, _used_by_client),
        ]

    def _short_of_uses(self, appointments: int) -> int:
        """The offers with fewer uses left than the booking has appointments."""
        refused = 0
        if appointments > 1:  # every offer still in play has a use left for one
            for bit, left in self.uses_left:
                if left < appointments:
                    refused |= bit
        return refused

    def reason(
        self, entry: Entry, wording: Wording | None, booking: BookingFacts, settings: Settings
    ) -> str:
        """Why a check of `refusals` refused the entry, as the client reads it."""
        if wording is None:
            assert entry.promotion.max_uses is not None
            left = entry.promotion.max_uses - entry.offer.usage.uses
            return messages.uses_left(left, booking.appointments)
        return checks.for_client(wording(entry.promotion, settings), entry.offer)
