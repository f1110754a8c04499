"""Properties of the promotions engine over generated carts, clients, bookings and promotions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from random import Random

from hypothesis import given, settings
from hypothesis import strategies as st

from core.rules.promotions import (
    ApplyTo,
    Benefit,
    BookingFacts,
    CartLine,
    Channel,
    ClientFacts,
    DiscountKind,
    Hours,
    Offer,
    Outcome,
    Promotion,
    Qualified,
    Requirement,
    RequirementKind,
    Settings,
    Usage,
    Window,
    apply_promotions,
)
from core.rules.promotions.benefits import percent_of

CATEGORIES = ["session_fee", "package", "product", "service"]
ITEMS = ["A", "B", "C", "D"]
ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "UTC"]


# A fixed menu of selectors: one draw each keeps generation fast.
qualified = st.sampled_from(
    [
        Qualified(),
        Qualified(categories=("package",)),
        Qualified(categories=("product",)),
        Qualified(categories=("package", "session_fee")),
        Qualified(items=("A",)),
        Qualified(categories=("product",), items=("A", "B")),
    ]
)
cart_lines = st.builds(
    CartLine,
    item=st.sampled_from(ITEMS),
    category=st.sampled_from(CATEGORIES),
    quantity=st.integers(1, 3),
    unit_price=st.integers(-2000, 20000).map(lambda n: max(n, 0)),  # about 1 in 10 free
)
carts = st.lists(cart_lines, min_size=1, max_size=5)


@st.composite
def _requirements(draw: st.DrawFn) -> Requirement:
    kind = draw(st.sampled_from(RequirementKind))
    high = 30000 if kind is RequirementKind.VALUE else 4
    return Requirement(kind, draw(st.integers(1, high)), draw(qualified))


requirements = _requirements()


percents = st.integers(0, 10000).map(lambda n: Decimal(n) / 100)  # 0.00 to 100.00
benefits = st.builds(
    Benefit,
    kind=st.sampled_from(DiscountKind),
    percent=percents,
    amount=st.integers(0, 15000),
    apply_to=st.sampled_from(ApplyTo),
    up_to=st.one_of(st.none(), st.integers(1, 4)),
    qualified=qualified,
)

days = st.dates(date(2026, 11, 1), date(2026, 12, 31))


@st.composite
def _windows(draw: st.DrawFn) -> Window:
    first, last = draw(st.one_of(st.none(), days)), draw(st.one_of(st.none(), days))
    if first is not None and last is not None and last < first:
        first, last = last, first
    from_time = draw(st.one_of(st.none(), st.times())) if first else None
    until_time = draw(st.one_of(st.none(), st.times())) if last else None
    if first == last and from_time is not None and until_time is not None:
        from_time, until_time = sorted((from_time, until_time))
        if from_time == until_time:
            until_time = None
    if first == last and until_time == time.min and from_time is None:
        until_time = None  # the day ending at its first moment: a window that is empty
    return Window(first, from_time, last, until_time)


windows = _windows()


@st.composite
def _hours(draw: st.DrawFn) -> Hours | None:
    start, end = draw(st.integers(0, 23)), draw(st.integers(0, 23))
    if start == end or draw(st.booleans()):
        return None
    return Hours(time(start), time(end))


hours = _hours()


rarely = st.integers(0, 4).map(lambda n: n == 0)
# Restrictions and limits a generated promotion may have; each draws only a few of them.
FLAGS = [
    "once",
    "once_per_client",
    "first_appointment_only",
    "new_clients_only",
    "membership_required",
    "one_use_per_booking",
    "not_combinable",
    "inactive",
]
FEATURES = [
    "redeem",
    "appointment",
    "hours",
    "weekdays",
    "location",
    "service_type",
    "uses",
    "channel",
]


@st.composite
def _promotions(draw: st.DrawFn) -> Promotion:
    flags = set(draw(st.lists(st.sampled_from(FLAGS), max_size=2, unique=True)))
    features = set(draw(st.lists(st.sampled_from(FEATURES), max_size=2, unique=True)))
    return Promotion(
        id=0,  # numbered by offer_lists
        name=draw(st.sampled_from(["Spring", "Tier", "Welcome", "VIP"])),
        benefit=draw(benefits),
        auto_apply=draw(st.booleans()),
        active="inactive" not in flags,
        redeem=draw(windows) if "redeem" in features else Window(),
        appointment=draw(windows) if "appointment" in features else Window(),
        hours=draw(hours) if "hours" in features else None,
        weekdays=tuple(draw(st.lists(st.integers(0, 6), max_size=3)))
        if "weekdays" in features
        else (),
        location_ids=(1,) if "location" in features else (),
        service_type_ids=(2,) if "service_type" in features else (),
        max_uses=draw(st.integers(1, 4)) if "uses" in features else None,
        once="once" in flags,
        once_per_client="once_per_client" in flags,
        first_appointment_only="first_appointment_only" in flags,
        new_clients_only="new_clients_only" in flags,
        membership_required="membership_required" in flags,
        channel=draw(st.sampled_from(Channel)) if "channel" in features else Channel.ANYWHERE,
        one_use_per_booking="one_use_per_booking" in flags,
        combinable="not_combinable" not in flags,
        requirements=tuple(draw(st.lists(requirements, max_size=2))),
    )


promotions = _promotions()


usages = st.builds(
    Usage, uses=st.integers(0, 4), bookings=st.integers(0, 2), client_uses=st.integers(0, 1)
)


@st.composite
def _offer_lists(draw: st.DrawFn) -> list[Offer]:
    offers: list[Offer] = []
    codes = iter(f"CODE {n}" for n in range(100))  # codes are unique across promotions
    for id in range(1, draw(st.integers(0, 5)) + 1):
        promotion = replace(draw(promotions), id=id)
        if promotion.auto_apply:
            offers.append(Offer(promotion, draw(usages)))
        else:  # a batch: the client may type several of its codes
            for _ in range(draw(st.integers(1, 2))):
                offers.append(Offer(promotion, draw(usages), next(codes)))
    return offers


offer_lists = _offer_lists()


client_facts = st.builds(
    ClientFacts,
    is_new=st.booleans(),
    is_member=st.booleans(),
    earlier_bookings=st.integers(0, 2),
    standing_discount=st.one_of(st.just(Decimal(0)), percents),
)


@st.composite
def _clients(draw: st.DrawFn) -> ClientFacts | None:
    return None if draw(rarely) else draw(client_facts)  # logged in, mostly


clients = _clients()
moments = st.datetimes(datetime(2026, 11, 1), datetime(2026, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)


@st.composite
def _bookings(draw: st.DrawFn) -> BookingFacts:
    booked_at = draw(moments)
    return BookingFacts(
        service_type_id=draw(st.sampled_from([1, 2])),
        location_id=draw(st.sampled_from([1, 2])),
        resource_id=draw(st.sampled_from([None, 1])),
        slot_start=booked_at + timedelta(hours=draw(st.integers(1, 24 * 30))),
        booked_at=booked_at,
        timezone=draw(st.sampled_from(ZONES)),
        online=draw(st.booleans()),
        appointments=draw(st.integers(1, 3)),
    )


bookings = _bookings()


studio_settings = st.builds(Settings, highest_first=st.booleans())


@dataclass(frozen=True)
class Case:
    cart: list[CartLine]
    client: ClientFacts | None
    booking: BookingFacts
    offers: list[Offer]
    settings: Settings

    def run(self, offers: list[Offer] | None = None) -> Outcome:
        return apply_promotions(
            self.cart,
            self.client,
            self.booking,
            self.offers if offers is None else offers,
            self.settings,
        )


cases = st.builds(Case, carts, clients, bookings, offer_lists, studio_settings)
FAST = settings(max_examples=120, deadline=None)


@FAST
@given(cases)
def test_a_discount_never_exceeds_the_line_price_and_the_total_is_never_negative(
    case: Case,
) -> None:
    outcome = case.run()
    for priced in outcome.lines:
        assert 0 <= priced.discount <= priced.line.gross
    assert outcome.total >= 0
    assert outcome.total == sum(p.line.gross for p in outcome.lines) - outcome.discount
    for i, priced in enumerate(outcome.lines):
        assert priced.discount == sum(a.line_discounts[i] for a in outcome.applied)
    assert all(a.discount == sum(a.line_discounts) >= 0 for a in outcome.applied)


@FAST
@given(cases, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_promotions_come_in(
    case: Case, rng: Random
) -> None:
    shuffled = list(case.offers)
    rng.shuffle(shuffled)
    assert case.run(shuffled) == case.run()


def _without_ids(outcome: Outcome) -> tuple[object, ...]:
    return (
        outcome.lines,
        [replace(a, promotion_id=None) for a in outcome.applied],
        [replace(n, promotion_id=None) for n in outcome.not_applied],
    )


@FAST
@given(cases, st.permutations(range(1, 6)))
def test_the_result_does_not_depend_on_the_order_promotions_were_created(
    case: Case, new_ids: list[int]
) -> None:
    renumbered = [
        replace(o, promotion=replace(o.promotion, id=new_ids[o.promotion.id - 1]))
        for o in case.offers
    ]
    assert _without_ids(case.run(renumbered)) == _without_ids(case.run())


@FAST
@given(cases)
def test_limits_are_never_exceeded(case: Case) -> None:
    outcome = case.run()
    by_key = {(o.promotion.id, o.code): o for o in case.offers}
    applied_promotions = [a.promotion_id for a in outcome.applied if a.promotion_id is not None]
    for applied in outcome.applied:
        if applied.promotion_id is None:
            assert case.client is not None and case.client.standing_discount > 0
            assert not any(a.code for a in outcome.applied)
            continue
        offer = by_key[(applied.promotion_id, applied.code)]
        promotion, usage = offer.promotion, offer.usage
        assert promotion.active
        assert applied.uses == case.booking.appointments
        if promotion.max_uses is not None:
            assert usage.uses + applied.uses <= promotion.max_uses
        if promotion.once:
            assert usage.bookings == 0
        if promotion.needs_client:
            assert case.client is not None
        if promotion.once_per_client:
            assert usage.client_uses == 0
        if promotion.once_per_client or promotion.one_use_per_booking:
            assert applied_promotions.count(promotion.id) == 1
        if not promotion.combinable:
            assert len(outcome.applied) == 1
        if promotion.channel is Channel.ONLINE:
            assert case.booking.online


@FAST
@given(cases)
def test_every_offer_is_either_applied_or_given_a_reason(case: Case) -> None:
    outcome = case.run()
    applied = {(a.promotion_id, a.code) for a in outcome.applied if a.promotion_id is not None}
    left_out = [(n.promotion_id, n.code) for n in outcome.not_applied if n.promotion_id]
    assert applied.isdisjoint(left_out)
    assert applied | set(left_out) == {(o.promotion.id, o.code) for o in case.offers}
    assert all(n.reason.endswith(".") for n in outcome.not_applied)


@FAST
@given(cases)
def test_auto_promotions_together_save_at_least_as_much_as_any_one_of_them(case: Case) -> None:
    autos = [o for o in case.offers if o.promotion.auto_apply]
    client = case.client and replace(case.client, standing_discount=Decimal(0))
    no_standing = replace(case, client=client, offers=autos)
    together = no_standing.run().discount
    for offer in autos:
        assert together >= no_standing.run([offer]).discount


@FAST
@given(cases)
def test_an_auto_promotion_saves_the_same_with_others_as_alone(case: Case) -> None:
    outcome = case.run()
    client = case.client and replace(case.client, standing_discount=Decimal(0))
    for applied in outcome.applied:
        if applied.promotion_id is None or applied.code is not None:
            continue  # the standing discount, or a code
        offer = next(o for o in case.offers if o.promotion.id == applied.promotion_id)
        if offer.promotion.auto_apply:
            alone = replace(case, client=client).run([offer])
            assert applied.line_discounts == alone.applied[0].line_discounts


@given(st.integers(0, 10**9), st.decimals(0, 100, places=3))
def test_percent_rounds_half_up_to_the_nearest_minor_unit(amount: int, percent: Decimal) -> None:
    exact = Decimal(amount) * percent / 100
    rounded = percent_of(amount, percent)
    assert abs(Decimal(rounded) - exact) <= Decimal("0.5")
    if exact - int(exact) == Decimal("0.5"):
        assert rounded == int(exact) + 1
    assert 0 <= rounded <= amount
