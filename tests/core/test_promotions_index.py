"""The engine through an OfferIndex decides as the engine did before it: the same outcome, to the
last refusal, as the unit-by-unit engine kept in promotions_reference.py."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bench.promo_mix import Scope, auto_promotions, coded_promotion
from core.rules.promotions import (
    ApplyTo,
    Benefit,
    BookingFacts,
    CartLine,
    ClientFacts,
    DiscountKind,
    Offer,
    OfferIndex,
    Promotion,
    Qualified,
    Requirement,
    RequirementKind,
    Settings,
    Usage,
    apply_promotions,
    checks,
    messages,
)
from core.rules.promotions.benefits import Unit, units_of
from core.rules.promotions.cart import FreshCart, taking
from tests.core import promotions_reference as reference
from tests.core.test_promotions_properties import (
    Case,
    bookings,
    carts,
    cases,
    clients,
    promotions,
    studio_settings,
)

FREE = Benefit(DiscountKind.FREE, apply_to=ApplyTo.OTHER_ITEMS, qualified=Qualified(items=("A",)))
MANY = settings(max_examples=400, deadline=None)


def _reference(case: Case, offers: list[Offer] | None = None) -> object:
    return reference.apply_promotions(
        case.cart,
        case.client,
        case.booking,
        case.offers if offers is None else offers,
        case.settings,
    )


@MANY
@given(cases)
def test_the_engine_decides_as_the_engine_before_the_index(case: Case) -> None:
    assert case.run() == _reference(case)


@MANY
@given(cases)
def test_a_code_entered_twice_is_refused_as_before(case: Case) -> None:
    offers = [*case.offers, *(o for o in case.offers if o.code is not None)]
    assert case.run(offers) == _reference(case, offers)


@settings(max_examples=150, deadline=None)
@given(
    cases,
    st.lists(st.tuples(carts, clients, bookings, studio_settings), min_size=1, max_size=4),
)
def test_one_index_evaluated_again_and_again_decides_as_a_fresh_list(
    case: Case, others: list[tuple[list[CartLine], ClientFacts | None, BookingFacts, Settings]]
) -> None:
    index = OfferIndex(case.offers)
    for cart, client, booking, studio in [
        (case.cart, case.client, case.booking, case.settings),
        *others,
    ]:
        again = Case(cart, client, booking, case.offers, studio)
        assert apply_promotions(cart, client, booking, index, studio) == _reference(again)


@MANY
@given(cases)
def test_the_index_refuses_an_offer_for_the_reason_the_checks_give(case: Case) -> None:
    index = OfferIndex(case.offers)
    alive, refused = index.refusals(case.client, case.booking)
    for entry in index.checked:
        offer = entry.offer
        expected = checks.validity(offer, case.booking, case.settings) or checks.restrictions(
            offer, case.client, case.booking
        )
        found = [
            index.reason(entry, wording, case.booking, case.settings)
            for mask, wording in refused
            if mask & entry.bit
        ]
        if expected is None:
            assert alive & entry.bit and not found
        else:
            assert found == [checks.for_client(expected, offer)]


@MANY
@given(cases)
def test_the_offers_alive_are_those_the_refusals_leave(case: Case) -> None:
    index = OfferIndex(case.offers)
    alive, _ = index.refusals(case.client, case.booking)
    assert index.alive(case.client, case.booking) == alive


FREE_PRINTS = CartLine("A", "product", 3, 0)
SPEND_30 = Requirement(RequirementKind.VALUE, 3000)


@settings(max_examples=1000, deadline=None)
@given(carts, promotions, st.booleans())
# A value requirement takes every free item it meets (cheapest first) while it falls short.
@example(
    [FREE_PRINTS, CartLine("B", "product", 1, 5000)],
    Promotion(1, "Spend $30, free print", FREE, requirements=(SPEND_30,)),
    True,
)
def test_the_undiscounted_cart_a_line_at_a_time_reads_as_unit_by_unit(
    cart: list[CartLine], promotion: Promotion, highest_first: bool
) -> None:
    studio = Settings(highest_first=highest_first)
    fresh = FreshCart(cart, highest_first)
    expected = reference.check_criteria(promotion, cart, studio)
    requirements = [(r, fresh.matching(r.qualified)) for r in promotion.requirements]
    short, reserved = fresh.criteria(requirements)
    assert (short and messages.needs(short, studio)) == expected.reason
    if short is not None:
        return
    assert {Unit(i, n) for i, count in enumerate(reserved) for n in range(count)} == set(
        expected.reserved
    )
    lines = fresh.matching(promotion.benefit.qualified)
    if promotion.benefit.apply_to is ApplyTo.OTHER_ITEMS:
        runs = fresh.targets(lines, reserved)
    else:
        some = 0
        for _, required in requirements:
            some |= required
        runs = fresh.targets(lines & some if requirements else lines, None)
    pool = reference.targets(promotion, cart, expected.reserved)
    assert fresh.units(runs) == pool
    alone = fresh.alone(taking(promotion.benefit), runs)
    taken = reference.discounts(promotion.benefit, pool, units_of(cart), highest_first)
    assert fresh.discounts(alone) == taken
    assert alone.per_line == [
        sum(amount for unit, amount in taken.items() if unit.line == i) for i in range(len(cart))
    ]
    units = list(units_of(cart))
    assert alone.touches == sum(1 << units.index(u) for u, amount in taken.items() if amount)


LINES = [
    ("SF-03", "session_fee", 15000),
    ("PR-8X10", "product", 3500),
    ("PR-5X7", "product", 2000),
    ("PR-4X6", "product", 0),
    ("PKG-M", "package", 49000),
    ("PKG-S", "package", 29000),
    ("RETOUCH", "service", 2500),
]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.booleans())
def test_the_benchmark_s_many_tiers_are_chosen_as_before(seed: int, highest_first: bool) -> None:
    # Fifty autos: more than the exact search takes, so tiers are chosen greedily.
    rng = random.Random(seed)
    today = date(2026, 11, 23)
    autos = [
        Offer(p, Usage(uses=rng.choice([0, 499, 500]), bookings=1) if p.max_uses else Usage())
        for p in auto_promotions(rng, Scope(range(1, 4), range(1, 3), range(1, 4), today))
    ]
    offers = [*autos, Offer(coded_promotion(51), code="BENCH 7K2M")]
    cart = [
        CartLine(item, category, rng.randint(1, 3), price)
        for item, category, price in rng.sample(LINES, rng.randint(1, 5))
    ]
    booked = datetime(2026, 11, 23, 15, tzinfo=UTC) + timedelta(hours=rng.randrange(24 * 60))
    booking = BookingFacts(
        service_type_id=rng.randint(1, 3),
        location_id=rng.randint(1, 2),
        resource_id=rng.choice([None, 1, 2, 3]),
        slot_start=booked + timedelta(hours=rng.randrange(1, 24 * 14)),
        booked_at=booked,
        timezone="America/New_York",
        online=rng.random() < 0.8,
        appointments=rng.choice([1, 1, 2]),
    )
    client = rng.choice(
        [None, ClientFacts(), ClientFacts(is_new=False, is_member=True, earlier_bookings=3)]
    )
    if client is not None and rng.random() < 0.3:
        client = replace(client, standing_discount=Decimal(10))
    case = Case(cart, client, booking, offers, Settings(highest_first=highest_first))
    index = OfferIndex(offers)
    assert case.run() == _reference(case)
    assert apply_promotions(cart, client, booking, index, case.settings) == _reference(case)
