"""The seed pages' promotions, one test each: MyTime package promotions (004), SuperSaaS coupons
(003) and myStratus promo codes (000)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from core.rules.promotions import (
    ApplyTo,
    ClientFacts,
    Hours,
    Offer,
    Qualified,
    Requirement,
    RequirementKind,
    Settings,
    State,
    Usage,
    Window,
    check_code,
    normalize_code,
    paid_with_coupon,
    state,
)
from tests.core.test_promotions import (
    NEW_YORK,
    NOW,
    PACKAGES,
    PRODUCTS,
    SESSION,
    SESSION_FEES,
    amount_off,
    applied_ids,
    auto,
    booking,
    coded,
    discounts,
    free,
    line,
    percent,
    reason,
    run,
    set_price,
)

FACIAL = Qualified(items=("DETOX",), label="Detox Facial")
GOLD = line("GOLD", "package", 20000)
DETOX = line("DETOX", "service", 6000)
SERUM = line("SERUM", "product", 2500)
MASK = line("MASK", "product", 1500)


def buys(*requirements: Requirement) -> tuple[Requirement, ...]:
    return requirements


def one_package() -> Requirement:
    return Requirement(RequirementKind.ITEMS, 1, PACKAGES)


# Seed 004: MyTime package promotions --------------------------------------------------------


def test_seed_004_buy_a_package_get_a_facial_free() -> None:
    offer = auto(
        requirements=buys(one_package()),
        benefit=free(apply_to=ApplyTo.OTHER_ITEMS, up_to=1, qualified=FACIAL),
    )
    outcome = run([GOLD, DETOX, SERUM], [offer])
    assert discounts(outcome) == [0, 6000, 0]
    assert reason(run([DETOX], [offer]), 1) == "Needs a package in the booking."


def test_seed_004_buy_a_package_get_a_product_free_takes_the_cheapest_product() -> None:
    offer = auto(
        requirements=buys(one_package()),
        benefit=free(apply_to=ApplyTo.OTHER_ITEMS, up_to=1, qualified=PRODUCTS),
    )
    assert discounts(run([GOLD, SERUM, MASK], [offer])) == [0, 0, 1500]
    highest = run([GOLD, SERUM, MASK], [offer], settings=Settings(highest_first=True))
    assert discounts(highest) == [0, 2500, 0]


def test_seed_004_buy_a_package_get_a_product_at_half_price() -> None:
    offer = auto(
        requirements=buys(one_package()),
        benefit=percent(50, apply_to=ApplyTo.OTHER_ITEMS, up_to=1, qualified=PRODUCTS),
    )
    assert discounts(run([GOLD, SERUM, MASK], [offer])) == [0, 0, 750]


def test_seed_004_two_identical_packages_get_a_product_at_50() -> None:
    # "BUY 2 IDENTICAL PACKAGES & GET A PRODUCT AT $50": the product costs $50.
    offer = auto(
        requirements=buys(Requirement(RequirementKind.IDENTICAL_ITEMS, 2, PACKAGES)),
        benefit=set_price(5000, apply_to=ApplyTo.OTHER_ITEMS, up_to=1, qualified=PRODUCTS),
    )
    lamp = line("LAMP", "product", 8000)
    outcome = run([line("GOLD", "package", 20000, quantity=2), lamp], [offer])
    assert discounts(outcome) == [0, 3000]
    assert outcome.lines[1].amount == 5000
    mixed = run([GOLD, line("SILVER", "package", 15000), lamp], [offer])
    assert reason(mixed, 1) == "Needs 2 identical packages in the booking."


def test_seed_004_a_package_and_a_facial_give_10_percent_off_a_product() -> None:
    offer = auto(
        requirements=buys(one_package(), Requirement(RequirementKind.ITEMS, 1, FACIAL)),
        benefit=percent(10, apply_to=ApplyTo.OTHER_ITEMS, up_to=1, qualified=PRODUCTS),
    )
    assert discounts(run([GOLD, DETOX, SERUM], [offer])) == [0, 0, 250]
    assert reason(run([GOLD, SERUM], [offer]), 1) == "Needs Detox Facial in the booking."


def test_seed_004_a_package_worth_80_gets_10_off() -> None:
    offer = auto(
        requirements=buys(Requirement(RequirementKind.VALUE, 8000, PACKAGES)),
        benefit=amount_off(1000, apply_to=ApplyTo.EACH_ITEM, up_to=1),
    )
    assert discounts(run([line("BRONZE", "package", 8000), SERUM], [offer])) == [1000, 0]
    cheaper = run([line("TIN", "package", 7000)], [offer])
    assert reason(cheaper, 1) == "Needs packages worth at least $80.00 in the booking."


def _tiers(low: tuple[int, int], high: tuple[int, int], kind: str) -> list[Offer]:
    made: list[Offer] = []
    for id, (threshold, value) in enumerate((low, high), start=1):
        benefit = amount_off(value, up_to=1) if kind == "amount" else percent(value, up_to=1)
        made.append(
            auto(
                id,
                benefit,
                name=f"Tier {id}",
                requirements=buys(Requirement(RequirementKind.VALUE, threshold, PACKAGES)),
            )
        )
    return made


@pytest.mark.parametrize(
    ("prices", "winner", "expected"),
    [
        ([15000], 1, [3000]),  # above $100, below $300: $30 off
        ([6000, 7000], 1, [3000, 0]),  # several packages: $30 off the least expensive
        ([35000], 2, [7500]),  # $300 and above: $75 off
        ([20000, 15000], 2, [0, 7500]),  # several: $75 off the least expensive
    ],
)
def test_seed_004_tier_case_1_30_off_over_100_or_75_off_over_300(
    prices: list[int], winner: int, expected: list[int]
) -> None:
    offers = _tiers((10000, 3000), (30000, 7500), "amount")
    outcome = run([line(f"P{p}", "package", p) for p in prices], offers)
    assert applied_ids(outcome) == [winner]
    assert discounts(outcome) == expected
    if winner == 2:
        assert reason(outcome, 1) == "Tier 2 saves you more."


@pytest.mark.parametrize(
    ("prices", "winner", "expected"),
    [
        ([6000], 1, [600]),  # above $50, below $100: 10 %
        ([4000, 3000], 1, [0, 300]),  # several: 10 % off the least expensive
        ([12000], 2, [2400]),  # $100 and above: 20 %
        ([7000, 5000], 2, [0, 1000]),  # several: 20 % off the least expensive
    ],
)
def test_seed_004_tier_case_2_10_percent_over_50_or_20_percent_over_100(
    prices: list[int], winner: int, expected: list[int]
) -> None:
    offers = _tiers((5000, 10), (10000, 20), "percent")
    outcome = run([line(f"P{p}", "package", p) for p in prices], offers)
    assert applied_ids(outcome) == [winner]
    assert discounts(outcome) == expected


def test_seed_004_tiers_do_not_depend_on_the_order_they_were_created() -> None:
    low, high = _tiers((10000, 3000), (30000, 7500), "amount")
    cart = [line("P", "package", 35000)]
    first = run(cart, [low, high])
    second = run(cart, [high, low])
    assert first == second


def test_seed_004_a_promotion_that_cannot_be_used_with_others_blocks_them() -> None:
    alone = auto(1, percent(50), name="Half off", combinable=False)
    outcome = run([SESSION], [alone, coded(id=2, benefit=amount_off(1000))])
    assert applied_ids(outcome) == [1]
    assert reason(outcome, 2) == "Cannot be combined with Half off."


# Seed 003: SuperSaaS promotional coupons ----------------------------------------------------


def test_seed_003_codes_are_not_case_sensitive_and_may_hold_spaces() -> None:
    assert normalize_code("happy hour") == normalize_code("HAPPY Hour") == "HAPPY HOUR"


def test_seed_003_first_date_range_is_checked_against_the_booking_date() -> None:
    offer = coded(redeem=Window(first_day=date(2026, 11, 1), last_day=date(2026, 11, 20)))
    outcome = run([SESSION], [offer])  # booked 23 November, for 28 November
    assert reason(outcome, 1) == "Expired on November 20, 2026."


def test_seed_003_second_date_range_is_checked_against_the_appointment_date() -> None:
    event = Window(first_day=date(2026, 11, 28), last_day=date(2026, 11, 28))
    assert discounts(run([SESSION], [coded(appointment=event)])) == [1000]
    sunday = booking(slot_start=datetime(2026, 11, 29, 15, tzinfo=UTC))
    assert run([SESSION], [coded(appointment=event)], facts=sunday).applied == ()


def test_seed_003_date_fields_may_carry_a_time_for_one_event_of_a_day() -> None:
    morning = Window(
        first_day=date(2026, 11, 28),
        from_time=time(10, 0),
        last_day=date(2026, 11, 28),
        until_time=time(11, 0),
    )
    assert discounts(run([SESSION], [coded(appointment=morning)])) == [1000]
    afternoon = booking(slot_start=datetime(2026, 11, 28, 19, tzinfo=UTC))
    assert run([SESSION], [coded(appointment=morning)], facts=afternoon).applied == ()


def test_seed_003_a_time_without_a_date_makes_a_happy_hour_coupon() -> None:
    offer = coded("HAPPY HOUR", hours=Hours(time(9, 0), time(11, 0)))
    for day in (23, 24, 25, 26, 27, 28, 29):  # every day of the week at 10:00
        slot = booking(slot_start=datetime(2026, 11, day, 15, tzinfo=UTC))
        assert discounts(run([SESSION], [offer], facts=slot)) == [1000]


def test_seed_003_weekday_boxes_make_a_weekend_only_coupon() -> None:
    offer = coded(weekdays=(5, 6))
    monday = booking(slot_start=datetime(2026, 11, 30, 15, tzinfo=UTC))
    assert reason(run([SESSION], [offer], facts=monday), 1) == (
        "Valid only on Saturdays and Sundays."
    )


def test_seed_003_once_covers_every_date_of_one_repeating_booking() -> None:
    offer = coded(once=True)
    series = run(
        [line("CLASS", "session_fee", 2000, quantity=3)], [offer], None, booking(appointments=3)
    )
    assert series.discount == 600
    assert series.applied[0].uses == 3  # the Used column shows 3
    again = coded(once=True, usage=Usage(uses=3, bookings=1))
    assert reason(run([SESSION], [again]), 1) == "Already used."


def test_seed_003_one_times_refuses_a_repeating_booking() -> None:
    offer = coded(max_uses=1)
    outcome = run([SESSION], [offer], facts=booking(appointments=3))
    assert reason(outcome, 1) == "Can be used only 1 more time; this booking has 3 appointments."
    assert discounts(run([SESSION], [offer])) == [1000]


def test_seed_003_x_times_counts_repeats() -> None:
    offer = coded(max_uses=5, usage=Usage(uses=3, bookings=1))
    assert run([SESSION], [offer], facts=booking(appointments=2)).applied[0].uses == 2
    assert run([SESSION], [offer], facts=booking(appointments=3)).applied == ()


def test_seed_003_discount_is_a_percentage_or_a_flat_amount() -> None:
    assert run([SESSION], [coded(benefit=percent(25))]).total == 7500
    assert run([SESSION], [coded(benefit=amount_off(2500))]).total == 7500


def test_seed_003_a_100_percent_coupon_skips_checkout_paid_with_coupon() -> None:
    outcome = run([SESSION], [coded("FREE", benefit=percent(100))])
    assert outcome.total == 0
    assert paid_with_coupon(outcome)


def test_seed_003_a_0_percent_coupon_gives_no_discount_but_is_noted() -> None:
    outcome = run([SESSION], [coded("TSHIRT", benefit=percent(0))])
    assert [a.code for a in outcome.applied] == ["TSHIRT"]
    assert outcome.total == 10000
    assert not paid_with_coupon(outcome)


def test_seed_003_a_coupon_worth_more_than_the_price_loses_the_surplus() -> None:
    outcome = run([line("MINI", "session_fee", 3000)], [coded(benefit=amount_off(5000))])
    assert outcome.total == 0
    assert outcome.discount == 3000


def test_seed_003_once_per_user_and_first_appointment_need_a_logged_in_user() -> None:
    for rule in ("once_per_client", "first_appointment_only"):
        answer = check_code(coded(**{rule: True}), [SESSION], None, booking())
        assert answer.message == "Log in to use this promotion."


def test_seed_003_first_appointment_only() -> None:
    answer = check_code(
        coded(first_appointment_only=True), [SESSION], ClientFacts(earlier_bookings=2), booking()
    )
    assert answer.message == "Only for your first appointment."


def test_seed_003_limit_to_a_resource_or_service() -> None:
    # $limit: the promotion is valid only for the named resource; elsewhere it reads as unknown.
    offer = coded(resource_ids=(7,))
    assert discounts(run([SESSION], [offer], facts=booking(resource_id=7))) == [1000]
    answer = check_code(offer, [SESSION], None, booking(resource_id=1))
    assert answer.message == "This code is not valid for this booking."


def test_seed_003_each_code_of_a_batch_is_used_once() -> None:
    used = coded("GRPN 001", max_uses=1, usage=Usage(uses=1, bookings=1))
    fresh = coded("GRPN 002", max_uses=1)
    assert reason(run([SESSION], [used]), 1) == "Already used."
    assert discounts(run([SESSION], [fresh])) == [1000]


def test_seed_003_expired_or_used_up_coupons_show_as_inactive() -> None:
    used = coded(max_uses=1).promotion
    assert state(used, Usage(uses=1, bookings=1), NOW, NEW_YORK) is State.USED_UP
    assert state(used, Usage(), NOW, NEW_YORK) is State.ACTIVE
    old = coded(redeem=Window(last_day=date(2026, 1, 31))).promotion
    assert state(old, Usage(), NOW, NEW_YORK) is State.EXPIRED


def test_seed_003_a_released_use_makes_a_single_use_code_usable_again() -> None:
    # Cancelling the booking that used it releases the redemption: the caller counts 0 again.
    offer = coded(max_uses=1, usage=Usage(uses=0, bookings=0))
    assert discounts(run([SESSION], [offer])) == [1000]


def test_seed_003_a_coupon_takes_precedence_over_a_permanent_discount() -> None:
    client = ClientFacts(standing_discount=Decimal(30))
    assert run([SESSION], [], client).total == 7000
    outcome = run([SESSION], [coded(benefit=percent(10))], client)
    assert outcome.total == 9000
    zero = run([SESSION], [coded(benefit=percent(0))], client)
    assert zero.total == 10000


# Seed 000: myStratus promo codes on a session type --------------------------------------------


def test_seed_000_fsf_makes_the_next_session_fee_free() -> None:
    offer = coded("FSF", benefit=free(qualified=SESSION_FEES))
    outcome = run([SESSION, line("8X10", "product", 2500)], [offer])
    assert discounts(outcome) == [10000, 0]


def test_seed_000_october_session_fees_25_percent_with_oct2019() -> None:
    october = Window(first_day=date(2026, 10, 1), last_day=date(2026, 10, 31))
    offer = coded("OCT2019", benefit=percent(25, qualified=SESSION_FEES), appointment=october)
    in_october = booking(slot_start=datetime(2026, 10, 17, 15, tzinfo=UTC))
    assert discounts(run([SESSION], [offer], facts=in_october)) == [2500]
    assert run([SESSION], [offer]).applied == ()


@pytest.mark.parametrize("code", ["FREE810", "PLUS1"])
def test_seed_000_a_bonus_handled_in_the_studio_is_listed_on_the_invoice(code: str) -> None:
    answer = check_code(coded(code, benefit=percent(0)), [SESSION], None, booking())
    assert answer.applied
    assert answer.message == f"Code {code} applied; it is noted on your invoice."


def test_seed_000_a_code_only_for_another_session_type_reads_as_unknown() -> None:
    offer = coded("FSF", service_type_ids=(9,))
    answer = check_code(offer, [SESSION], None, booking())
    assert answer.message == check_code(None, [SESSION], None, booking()).message
