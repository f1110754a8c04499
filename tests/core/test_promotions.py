"""The promotions engine rule by rule: validity, restrictions, criteria, benefits, choice, codes.

The builders at the top are shared with test_promotions_seeds.py and test_promotions_properties.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest

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
    State,
    Usage,
    Window,
    apply_promotions,
    check_code,
    generate_code,
    is_well_formed,
    normalize_code,
    nothing_to_pay,
    paid_with_coupon,
    state,
    unknown_code,
)
from core.rules.promotions import messages as msg

NEW_YORK = "America/New_York"
# Monday 23 November 2026, 10:00 in New York: when the booking is made.
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
# Saturday 28 November 2026, 10:00 in New York: the appointment.
SATURDAY_10AM = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
PACKAGES = Qualified(categories=("package",))
PRODUCTS = Qualified(categories=("product",))
SESSION_FEES = Qualified(categories=("session_fee",))


def line(item: str, category: str, price: int, quantity: int = 1) -> CartLine:
    return CartLine(item=item, category=category, quantity=quantity, unit_price=price)


SESSION = line("SESSION", "session_fee", 10000)


def booking(**changes: Any) -> BookingFacts:
    facts = BookingFacts(
        service_type_id=1,
        location_id=1,
        resource_id=1,
        slot_start=SATURDAY_10AM,
        booked_at=NOW,
        timezone=NEW_YORK,
    )
    return replace(facts, **changes)


def percent(value: str | int, **changes: Any) -> Benefit:
    return Benefit(DiscountKind.PERCENT, percent=Decimal(value), **changes)


def amount_off(minor_units: int, **changes: Any) -> Benefit:
    return Benefit(DiscountKind.AMOUNT, amount=minor_units, **changes)


def free(**changes: Any) -> Benefit:
    return Benefit(DiscountKind.FREE, **changes)


def set_price(minor_units: int, **changes: Any) -> Benefit:
    return Benefit(DiscountKind.SET_PRICE, amount=minor_units, **changes)


def promotion(id: int = 1, benefit: Benefit | None = None, **changes: Any) -> Promotion:
    changes.setdefault("name", f"Promotion {id}")
    return Promotion(id=id, benefit=benefit or percent(10), **changes)


def auto(
    id: int = 1, benefit: Benefit | None = None, usage: Usage | None = None, **kw: Any
) -> Offer:
    return Offer(promotion(id, benefit, auto_apply=True, **kw), usage or Usage())


def coded(
    code: str = "SAVE",
    id: int = 1,
    benefit: Benefit | None = None,
    usage: Usage | None = None,
    **kw: Any,
) -> Offer:
    return Offer(promotion(id, benefit, **kw), usage or Usage(), code=code)


def run(
    cart: Sequence[CartLine],
    offers: Sequence[Offer],
    client: ClientFacts | None = None,
    facts: BookingFacts | None = None,
    settings: Settings | None = None,
) -> Outcome:
    return apply_promotions(
        cart, client or ClientFacts(), facts or booking(), offers, settings or Settings()
    )


def discounts(outcome: Outcome) -> list[int]:
    return [priced.discount for priced in outcome.lines]


def applied_ids(outcome: Outcome) -> list[int | None]:
    return [applied.promotion_id for applied in outcome.applied]


def reason(outcome: Outcome, promotion_id: int | None) -> str:
    (found,) = [n.reason for n in outcome.not_applied if n.promotion_id == promotion_id]
    return found


# Validity -----------------------------------------------------------------------------------


def test_a_promotion_with_no_limits_applies_to_every_line() -> None:
    outcome = run([SESSION, line("PRINT", "product", 2000)], [auto()])
    assert discounts(outcome) == [1000, 200]
    assert outcome.total == 10800


def test_redeem_window_refuses_a_booking_made_after_its_last_day() -> None:
    offer = coded(redeem=Window(last_day=date(2026, 11, 22)))
    outcome = run([SESSION], [offer], settings=Settings(locale="en_GB"))
    assert reason(outcome, 1) == "Expired on 22 November 2026."
    assert outcome.total == 10000


def test_redeem_window_includes_the_whole_of_its_last_day_in_the_studio_timezone() -> None:
    # 23:30 on 22 November in New York is already 23 November in UTC.
    late = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    offer = coded(redeem=Window(last_day=date(2026, 11, 22)))
    assert discounts(run([SESSION], [offer], facts=booking(booked_at=late))) == [1000]


def test_redeem_window_with_a_time_ends_at_that_local_time() -> None:
    window = Window(last_day=date(2026, 11, 23), until_time=time(10, 0))
    outcome = run([SESSION], [coded(redeem=window)])  # booked at 10:00 exactly
    assert reason(outcome, 1) == "Expired on November 23, 2026 at 10:00\u202fAM."
    earlier = booking(booked_at=datetime(2026, 11, 23, 14, 59, tzinfo=UTC))
    assert discounts(run([SESSION], [coded(redeem=window)], facts=earlier)) == [1000]


def test_redeem_window_not_started_says_from_when() -> None:
    offer = coded(redeem=Window(first_day=date(2026, 12, 1)))
    outcome = run([SESSION], [offer], settings=Settings(locale="en_GB"))
    assert reason(outcome, 1) == "Valid from 1 December 2026."


def test_appointment_window_is_checked_against_the_slot_not_the_booking_moment() -> None:
    december = Window(first_day=date(2026, 12, 1), last_day=date(2026, 12, 24))
    outcome = run([SESSION], [coded(appointment=december)], settings=Settings(locale="en_GB"))
    assert reason(outcome, 1) == (
        "Valid only for appointments from 1 December 2026 to 24 December 2026."
    )
    in_december = booking(slot_start=datetime(2026, 12, 5, 15, tzinfo=UTC))
    assert discounts(run([SESSION], [coded(appointment=december)], facts=in_december)) == [1000]


def test_appointment_window_with_times_picks_one_event_of_a_day() -> None:
    evening = Window(
        first_day=date(2026, 11, 28),
        from_time=time(18, 0),
        last_day=date(2026, 11, 28),
        until_time=time(19, 0),
    )
    six_pm = booking(slot_start=datetime(2026, 11, 28, 23, 0, tzinfo=UTC))
    seven_pm = booking(slot_start=datetime(2026, 11, 29, 0, 0, tzinfo=UTC))
    assert discounts(run([SESSION], [coded(appointment=evening)], facts=six_pm)) == [1000]
    outcome = run([SESSION], [coded(appointment=evening)], facts=seven_pm)
    assert reason(outcome, 1) == (
        "Valid only for appointments from November 28, 2026 at 6:00\u202fPM "
        "until November 28, 2026 at 7:00\u202fPM."
    )


def test_appointment_window_open_at_the_start_says_until() -> None:
    window = Window(last_day=date(2026, 11, 27))
    outcome = run([SESSION], [coded(appointment=window)], settings=Settings(locale="en_GB"))
    assert reason(outcome, 1) == "Valid only for appointments until 27 November 2026."


def test_happy_hour_applies_every_day_between_its_times() -> None:
    happy = Hours(time(9, 0), time(11, 0))
    assert discounts(run([SESSION], [coded(hours=happy)])) == [1000]
    noon = booking(slot_start=datetime(2026, 11, 28, 17, 0, tzinfo=UTC))
    outcome = run([SESSION], [coded(hours=happy)], facts=noon, settings=Settings("en_GB"))
    assert reason(outcome, 1) == "Valid only for appointments between 09:00 and 11:00."


def test_happy_hour_end_is_outside_it() -> None:
    happy = Hours(time(8, 0), time(10, 0))
    assert reason(run([SESSION], [coded(hours=happy)]), 1).startswith("Valid only for")


def test_happy_hour_may_run_past_midnight() -> None:
    late = Hours(time(22, 0), time(2, 0))
    one_am = booking(slot_start=datetime(2026, 11, 28, 6, 0, tzinfo=UTC))
    assert discounts(run([SESSION], [coded(hours=late)], facts=one_am)) == [1000]
    assert run([SESSION], [coded(hours=late)]).applied == ()


def test_weekday_limit_reads_the_local_day_of_the_appointment() -> None:
    weekend = coded(weekdays=(5, 6))
    assert discounts(run([SESSION], [weekend])) == [1000]
    # Friday 27 November, 21:00 in New York is Saturday in UTC: still a Friday appointment.
    friday_night = booking(slot_start=datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
    outcome = run([SESSION], [weekend], facts=friday_night)
    assert reason(outcome, 1) == "Valid only on Saturdays and Sundays."


def test_happy_hour_follows_the_wall_clock_across_the_dst_change() -> None:
    # New York leaves summer time on 1 November 2026: 14:00 UTC is 10:00 before, 09:00 after.
    nine_to_ten = coded(hours=Hours(time(9, 0), time(10, 0)))
    before = booking(slot_start=datetime(2026, 10, 30, 14, 0, tzinfo=UTC))
    after = booking(slot_start=datetime(2026, 11, 2, 14, 0, tzinfo=UTC))
    assert run([SESSION], [nine_to_ten], facts=before).applied == ()
    assert discounts(run([SESSION], [nine_to_ten], facts=after)) == [1000]


def test_weekday_message_lists_several_days() -> None:
    outcome = run([SESSION], [coded(weekdays=(0, 2, 4))])
    assert reason(outcome, 1) == "Valid only on Mondays, Wednesdays and Fridays."


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ({"service_type_ids": (2,)}, msg.NOT_FOR_SERVICE_TYPE),
        ({"resource_ids": (2,)}, msg.NOT_FOR_RESOURCE),
        ({"location_ids": (2,)}, msg.NOT_AT_LOCATION),
    ],
)
def test_limits_to_service_types_resources_and_locations(
    limit: dict[str, Any], expected: str
) -> None:
    outcome = run([SESSION], [auto(**limit)])
    assert reason(outcome, 1) == expected
    matching = dict.fromkeys(limit, (1, 2))
    assert discounts(run([SESSION], [auto(**matching)])) == [1000]


@pytest.mark.parametrize(
    "limit", [{"service_type_ids": (2,)}, {"resource_ids": (2,)}, {"location_ids": (2,)}]
)
def test_a_typed_code_for_elsewhere_reads_like_an_unknown_code(limit: dict[str, Any]) -> None:
    outcome = run([SESSION], [coded(**limit)])
    assert reason(outcome, 1) == unknown_code() == msg.CODE_NOT_VALID


def test_a_switched_off_promotion_is_no_longer_available() -> None:
    outcome = run([SESSION], [coded(active=False)])
    assert reason(outcome, 1) == "This promotion is no longer available."


# Restrictions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "online", "expected"),
    [
        (Channel.ONLINE, False, "Valid only for bookings made online."),
        (Channel.STUDIO, True, "Valid only for bookings made in the studio."),
    ],
)
def test_online_or_studio_only(channel: Channel, online: bool, expected: str) -> None:
    outcome = run([SESSION], [coded(channel=channel)], facts=booking(online=online))
    assert reason(outcome, 1) == expected
    other = run([SESSION], [coded(channel=channel)], facts=booking(online=not online))
    assert discounts(other) == [1000]


def test_new_clients_only() -> None:
    offer = coded(new_clients_only=True)
    assert reason(run([SESSION], [offer], ClientFacts(is_new=False)), 1) == "Only for new clients."
    assert discounts(run([SESSION], [offer], ClientFacts(is_new=True))) == [1000]


def test_first_appointment_only() -> None:
    offer = coded(first_appointment_only=True)
    returning = ClientFacts(earlier_bookings=1)
    assert reason(run([SESSION], [offer], returning), 1) == "Only for your first appointment."
    assert discounts(run([SESSION], [offer], ClientFacts(earlier_bookings=0))) == [1000]


def test_membership_required() -> None:
    offer = auto(membership_required=True)
    assert reason(run([SESSION], [offer], ClientFacts(is_member=False)), 1) == "Only for members."
    assert discounts(run([SESSION], [offer], ClientFacts(is_member=True))) == [1000]


def test_once_per_client() -> None:
    offer = coded(once_per_client=True, usage=Usage(uses=5, bookings=5, client_uses=1))
    assert reason(run([SESSION], [offer]), 1) == "You have already used this promotion."
    others_used_it = coded(once_per_client=True, usage=Usage(uses=5, bookings=5, client_uses=0))
    assert discounts(run([SESSION], [others_used_it])) == [1000]


@pytest.mark.parametrize(
    "restriction",
    ["once_per_client", "first_appointment_only", "new_clients_only", "membership_required"],
)
def test_client_restrictions_ask_to_log_in_first(restriction: str) -> None:
    outcome = apply_promotions([SESSION], None, booking(), [coded(**{restriction: True})])
    assert reason(outcome, 1) == "Log in to use this promotion."


def test_a_promotion_without_client_restrictions_works_before_logging_in() -> None:
    assert discounts(apply_promotions([SESSION], None, booking(), [coded()])) == [1000]


def test_n_times_stops_after_n_uses() -> None:
    assert discounts(run([SESSION], [coded(max_uses=3, usage=Usage(uses=2, bookings=2))])) == [1000]
    outcome = run([SESSION], [coded(max_uses=3, usage=Usage(uses=3, bookings=3))])
    assert reason(outcome, 1) == "Already used."


def test_n_times_counts_every_appointment_of_a_repeating_booking() -> None:
    offer = coded(max_uses=3, usage=Usage(uses=1, bookings=1))
    outcome = run([SESSION], [offer], facts=booking(appointments=3))
    assert reason(outcome, 1) == "Can be used only 2 more times; this booking has 3 appointments."
    fits = run([SESSION], [offer], facts=booking(appointments=2))
    assert fits.applied[0].uses == 2


def test_one_use_per_booking_keeps_only_the_best_code_of_a_batch() -> None:
    ten, twenty = (
        coded(code, benefit=amount_off(value), one_use_per_booking=True)
        for code, value in (("AAA", 1000), ("BBB", 2000))
    )
    outcome = run([SESSION], [ten, twenty])
    assert [a.code for a in outcome.applied] == ["BBB"]
    assert outcome.not_applied[0].code == "AAA"
    assert outcome.not_applied[0].reason == "Can be used only once per booking."


def test_two_vouchers_of_a_batch_both_apply_without_one_use_per_booking() -> None:
    vouchers = [coded(code, benefit=amount_off(2000)) for code in ("AAA", "BBB")]
    assert discounts(run([SESSION], vouchers)) == [4000]


def test_the_same_code_twice_counts_once() -> None:
    outcome = run([SESSION], [coded("AAA"), coded("AAA")])
    assert discounts(outcome) == [1000]
    assert reason(outcome, 1) == "You have already entered this code."


# Criteria -----------------------------------------------------------------------------------


def test_number_of_qualified_items_counts_quantities() -> None:
    offer = auto(requirements=(Requirement(RequirementKind.ITEMS, 3, PACKAGES),))
    short = run([line("GOLD", "package", 5000, quantity=2)], [offer])
    assert reason(short, 1) == "Needs 3 packages in the booking."
    enough = run([line("GOLD", "package", 5000, 2), line("SILVER", "package", 3000)], [offer])
    assert enough.discount == 1300


def test_number_of_identical_items_does_not_mix_items() -> None:
    offer = auto(requirements=(Requirement(RequirementKind.IDENTICAL_ITEMS, 2, PACKAGES),))
    mixed = run([line("GOLD", "package", 5000), line("SILVER", "package", 3000)], [offer])
    assert reason(mixed, 1) == "Needs 2 identical packages in the booking."
    # The same item on two lines still counts as identical.
    same = run([line("GOLD", "package", 5000), line("GOLD", "package", 5000)], [offer])
    assert discounts(same) == [500, 500]


def test_value_of_qualified_items_sums_the_qualified_lines_only() -> None:
    offer = auto(requirements=(Requirement(RequirementKind.VALUE, 10000, PACKAGES),))
    cart = [line("GOLD", "package", 6000), line("PRINT", "product", 9000)]
    outcome = run(cart, [offer])
    assert reason(outcome, 1) == "Needs packages worth at least $100.00 in the booking."
    cart.append(line("SILVER", "package", 4000))
    assert discounts(run(cart, [offer])) == [600, 0, 400]


def test_qualified_items_by_item_code() -> None:
    facial = Qualified(items=("DETOX",), label="Detox Facial")
    offer = auto(requirements=(Requirement(RequirementKind.ITEMS, 1, facial),))
    outcome = run([SESSION], [offer])
    assert reason(outcome, 1) == "Needs Detox Facial in the booking."
    two = auto(requirements=(Requirement(RequirementKind.ITEMS, 2, facial),))
    assert reason(run([SESSION], [two]), 1) == "Needs 2 × Detox Facial in the booking."
    cart = [SESSION, line("DETOX", "service", 6000)]
    assert discounts(run(cart, [offer])) == [0, 600]


def test_requirement_message_names_several_categories() -> None:
    either = Qualified(categories=("product", "package"))
    offer = auto(requirements=(Requirement(RequirementKind.ITEMS, 1, either),))
    assert reason(run([SESSION], [offer]), 1) == "Needs a package or product in the booking."


def test_several_requirements_need_distinct_items() -> None:
    any_item = Qualified()
    offer = auto(
        requirements=(
            Requirement(RequirementKind.ITEMS, 1, PACKAGES),
            Requirement(RequirementKind.ITEMS, 1, any_item),
        )
    )
    only_package = [line("GOLD", "package", 5000)]
    assert reason(run(only_package, [offer]), 1) == "Needs an item in the booking."
    assert run([*only_package, SESSION], [offer]).discount == 1500


def test_value_requirement_in_another_currency_and_locale() -> None:
    offer = auto(requirements=(Requirement(RequirementKind.VALUE, 8000, PACKAGES),))
    settings = Settings(locale="de_DE", currency="EUR")
    outcome = run([SESSION], [offer], settings=settings)
    assert reason(outcome, 1) == "Needs packages worth at least 80,00\xa0€ in the booking."


# Benefits -----------------------------------------------------------------------------------


def test_percent_rounds_half_up_per_line() -> None:
    # 15 % of 999 is 149.85 → 150; of 3 × 333 = 999 on one line, the same 150, not 3 × 50.
    cart = [line("A", "product", 999), line("B", "product", 333, quantity=3)]
    assert discounts(run(cart, [auto(benefit=percent(15))])) == [150, 150]


def test_fractional_percent() -> None:
    # 12.5 % of 1004 = 125.5 → 126.
    assert discounts(run([line("A", "product", 1004)], [auto(benefit=percent("12.5"))])) == [126]


def test_amount_off_never_takes_a_line_below_zero() -> None:
    outcome = run([line("A", "product", 3000)], [coded(benefit=amount_off(5000))])
    assert discounts(outcome) == [3000]
    assert outcome.total == 0


def test_free_makes_the_items_cost_nothing() -> None:
    outcome = run(
        [SESSION, line("P", "product", 500)], [coded(benefit=free(qualified=SESSION_FEES))]
    )
    assert discounts(outcome) == [10000, 0]


def test_set_price_lowers_each_item_to_the_price_and_never_raises_it() -> None:
    offer = coded(benefit=set_price(4000, apply_to=ApplyTo.EACH_ITEM))
    cart = [line("A", "product", 6000), line("B", "product", 3000)]
    outcome = run(cart, [offer])
    assert discounts(outcome) == [2000, 0]


def test_set_price_on_the_criteria_items_together() -> None:
    offer = coded(benefit=set_price(5000))
    cart = [line("A", "product", 4000), line("B", "product", 3000)]
    assert run(cart, [offer]).total == 5000


def test_amount_off_the_criteria_items_together_spreads_cheapest_first() -> None:
    cart = [line("A", "package", 4000), line("B", "package", 1000)]
    offer = coded(benefit=amount_off(3000))
    assert discounts(run(cart, [offer])) == [2000, 1000]


def test_amount_off_each_item_up_to_n() -> None:
    cart = [line("A", "package", 4000, quantity=3)]
    offer = coded(benefit=amount_off(500, apply_to=ApplyTo.EACH_ITEM, up_to=2))
    assert discounts(run(cart, [offer])) == [1000]


def test_up_to_n_takes_the_cheapest_items_by_default() -> None:
    cart = [line("A", "product", 3000), line("B", "product", 1000), line("C", "product", 2000)]
    offer = coded(benefit=free(up_to=2))
    assert discounts(run(cart, [offer])) == [0, 1000, 2000]


def test_up_to_n_takes_the_highest_items_when_the_studio_prefers() -> None:
    cart = [line("A", "product", 3000), line("B", "product", 1000), line("C", "product", 2000)]
    outcome = run(cart, [coded(benefit=free(up_to=2))], settings=Settings(highest_first=True))
    assert discounts(outcome) == [3000, 0, 2000]


def test_buy_two_get_the_cheapest_free_keeps_the_criteria_items_paid() -> None:
    sessions = Qualified(items=("MINI",))
    offer = auto(
        requirements=(Requirement(RequirementKind.ITEMS, 2, sessions),),
        benefit=free(apply_to=ApplyTo.OTHER_ITEMS, up_to=1, qualified=sessions),
    )
    two = [line("MINI", "session_fee", 5000, quantity=2)]
    assert reason(run(two, [offer]), 1) == "Nothing in this booking qualifies."
    three = [line("MINI", "session_fee", 5000, quantity=3)]
    assert discounts(run(three, [offer])) == [5000]


def test_buy_two_get_one_free_highest_first_frees_the_most_expensive() -> None:
    sessions = Qualified(categories=("session_fee",))
    offer = auto(
        requirements=(Requirement(RequirementKind.ITEMS, 2, sessions),),
        benefit=free(apply_to=ApplyTo.OTHER_ITEMS, up_to=1, qualified=sessions),
    )
    cart = [line(code, "session_fee", price) for code, price in (("S", 1000), ("M", 2000))]
    cart.append(line("L", "session_fee", 3000))
    assert discounts(run(cart, [offer])) == [1000, 0, 0]
    highest = run(cart, [offer], settings=Settings(highest_first=True))
    assert discounts(highest) == [0, 0, 3000]


def test_up_to_n_counts_items_within_one_line() -> None:
    cart = [line("PRINT", "product", 1000, quantity=3)]
    assert discounts(run(cart, [coded(benefit=percent(50, up_to=2))])) == [1000]


def test_set_price_each_up_to_n() -> None:
    cart = [line("PRINT", "product", 3000, quantity=3)]
    offer = coded(benefit=set_price(1000, apply_to=ApplyTo.EACH_ITEM, up_to=2))
    assert run(cart, [offer]).total == 1000 + 1000 + 3000


def test_identical_items_message_with_a_label() -> None:
    prints = Qualified(items=("P8X10", "P5X7"), label="prints")
    offer = auto(requirements=(Requirement(RequirementKind.IDENTICAL_ITEMS, 3, prints),))
    assert reason(run([SESSION], [offer]), 1) == "Needs 3 of the same item (prints) in the booking."


def test_other_items_benefit_needs_an_item_to_discount() -> None:
    offer = auto(
        requirements=(Requirement(RequirementKind.ITEMS, 1, PACKAGES),),
        benefit=free(apply_to=ApplyTo.OTHER_ITEMS, up_to=1, qualified=PRODUCTS),
    )
    assert reason(run([line("GOLD", "package", 5000)], [offer]), 1) == (
        "Nothing in this booking qualifies."
    )


def test_a_zero_percent_promotion_is_applied_and_noted() -> None:
    outcome = run([SESSION], [coded("TSHIRT", benefit=percent(0))])
    assert [(a.name, a.discount) for a in outcome.applied] == [("Promotion 1", 0)]
    assert outcome.total == 10000


def test_a_promotion_that_would_save_nothing_is_not_applied() -> None:
    outcome = run([line("A", "product", 3000)], [coded(benefit=set_price(5000))])
    assert reason(outcome, 1) == "Gives no discount on this booking."


def test_fully_discounted_booking_is_paid_with_coupon() -> None:
    outcome = run([SESSION], [coded(benefit=percent(100))])
    assert nothing_to_pay(outcome)
    assert paid_with_coupon(outcome)


def test_a_free_booking_without_promotion_is_not_paid_with_coupon() -> None:
    outcome = run([line("FREE", "session_fee", 0)], [])
    assert nothing_to_pay(outcome)
    assert not paid_with_coupon(outcome)
    assert not nothing_to_pay(run([SESSION], [coded(benefit=percent(50))]))


# Choice -------------------------------------------------------------------------------------


def test_codes_and_auto_promotions_combine_one_after_another() -> None:
    # 10 % auto, then $20 off what is left: 10000 → 9000 → 7000.
    outcome = run([SESSION], [auto(1), coded(id=2, benefit=amount_off(2000))])
    assert applied_ids(outcome) == [1, 2]
    assert [a.discount for a in outcome.applied] == [1000, 2000]
    assert outcome.total == 7000


def test_stacked_promotions_never_take_a_line_below_zero() -> None:
    outcome = run([SESSION], [auto(1, free()), coded(id=2, benefit=amount_off(2000))])
    assert outcome.total == 0
    assert [a.discount for a in outcome.applied] == [10000, 0]


def test_auto_promotions_on_the_same_items_compete_and_the_best_wins() -> None:
    outcome = run([SESSION], [auto(1, percent(10)), auto(2, percent(25), name="Big")])
    assert applied_ids(outcome) == [2]
    assert reason(outcome, 1) == "Big saves you more."


def test_auto_promotions_on_different_items_both_apply() -> None:
    cart = [SESSION, line("P", "product", 2000)]
    offers = [auto(1, percent(10, qualified=SESSION_FEES)), auto(2, free(qualified=PRODUCTS))]
    outcome = run(cart, offers)
    assert applied_ids(outcome) == [1, 2]
    assert discounts(outcome) == [1000, 2000]


def test_auto_choice_finds_the_best_combination_not_the_biggest_single() -> None:
    cart = [line("A", "product", 1000), line("B", "product", 1000)]
    both = auto(1, amount_off(1500), name="Both")  # $15 over both items
    first = auto(2, free(qualified=Qualified(items=("A",))), name="First")
    second = auto(3, free(qualified=Qualified(items=("B",))), name="Second")
    outcome = run(cart, [both, first, second])
    assert sorted(applied_ids(outcome)) == [2, 3]
    assert outcome.total == 0
    assert reason(outcome, 1) in ("First saves you more.", "Second saves you more.")


def test_a_non_combinable_code_stands_alone_when_it_saves_more() -> None:
    offers = [auto(1, percent(10)), coded(id=2, benefit=percent(30), combinable=False, name="Solo")]
    outcome = run([SESSION], offers)
    assert applied_ids(outcome) == [2]
    assert reason(outcome, 1) == "Cannot be combined with Solo."


def test_a_non_combinable_code_that_saves_less_is_explained() -> None:
    offers = [auto(1, percent(30)), coded(id=2, benefit=percent(10), combinable=False)]
    outcome = run([SESSION], offers)
    assert applied_ids(outcome) == [1]
    assert reason(outcome, 2) == (
        "Cannot be combined with your other promotions, which save you more."
    )


def test_a_tie_between_a_non_combinable_code_and_autos_goes_to_the_code() -> None:
    offers = [auto(1, percent(20)), coded(id=2, benefit=percent(20), combinable=False)]
    assert applied_ids(run([SESSION], offers)) == [2]


def test_standing_discount_applies_when_no_code_does() -> None:
    client = ClientFacts(standing_discount=Decimal(15))
    outcome = run([SESSION], [], client)
    assert [(a.name, a.discount, a.promotion_id) for a in outcome.applied] == [
        ("Client discount", 1500, None)
    ]


def test_standing_discount_stacks_after_auto_promotions() -> None:
    client = ClientFacts(standing_discount=Decimal(50))
    outcome = run([SESSION], [auto(1, percent(10))], client)
    assert [a.discount for a in outcome.applied] == [1000, 4500]


def test_a_typed_code_beats_the_standing_discount_even_when_smaller() -> None:
    client = ClientFacts(standing_discount=Decimal(20))
    outcome = run([SESSION], [coded(benefit=percent(0))], client)
    assert applied_ids(outcome) == [1]
    assert outcome.total == 10000
    assert reason(outcome, None) == "Your promotion code replaces your client discount."


def test_an_invalid_code_leaves_the_standing_discount_in_place() -> None:
    client = ClientFacts(standing_discount=Decimal(20))
    outcome = run([SESSION], [coded(active=False)], client)
    assert outcome.total == 8000


def test_a_non_combinable_auto_promotion_excludes_the_standing_discount() -> None:
    client = ClientFacts(standing_discount=Decimal(20))
    outcome = run([SESSION], [auto(1, percent(50), combinable=False, name="Half")], client)
    assert applied_ids(outcome) == [1]
    assert reason(outcome, None) == "Cannot be combined with Half."


def test_result_lists_every_considered_promotion_once() -> None:
    offers = [auto(1), auto(2, percent(20)), coded(id=3, active=False), coded("X", id=4)]
    outcome = run([SESSION], offers)
    seen = sorted([*applied_ids(outcome), *(n.promotion_id for n in outcome.not_applied)])
    assert seen == [1, 2, 3, 4]


# The widget's answer to a typed code ---------------------------------------------------------


def test_check_code_for_an_unknown_code_says_the_generic_message() -> None:
    answer = check_code(None, [SESSION], ClientFacts(), booking())
    assert (answer.applied, answer.message) == (False, "This code is not valid for this booking.")


def test_check_code_says_how_much_it_saves() -> None:
    answer = check_code(coded("FALL", benefit=amount_off(1500)), [SESSION], None, booking())
    assert (answer.applied, answer.message) == (True, "Code FALL applied: $15.00 off.")
    assert answer.outcome is not None and answer.outcome.total == 8500


def test_check_code_says_the_amount_in_the_studio_currency() -> None:
    settings = Settings(locale="en_GB", currency="GBP")
    answer = check_code(coded("TEN", benefit=percent(10)), [SESSION], None, booking(), (), settings)
    assert answer.message == "Code TEN applied: £10.00 off."


def test_check_code_for_a_zero_percent_code_says_it_is_noted() -> None:
    answer = check_code(coded("TSHIRT", benefit=percent(0)), [SESSION], None, booking())
    assert answer.message == "Code TSHIRT applied; it is noted on your invoice."


def test_check_code_gives_the_reason_it_was_left_out() -> None:
    others = [auto(2, percent(50))]
    offer = coded("SMALL", benefit=percent(10), combinable=False)
    answer = check_code(offer, [SESSION], None, booking(), others)
    assert not answer.applied
    assert answer.message == "Cannot be combined with your other promotions, which save you more."


def test_check_code_for_a_code_for_nothing_in_the_cart_reads_like_an_unknown_one() -> None:
    offer = coded("PRINTS", benefit=free(qualified=PRODUCTS))
    answer = check_code(offer, [SESSION], None, booking())
    assert answer.message == check_code(None, [SESSION], None, booking()).message


# Codes and states ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("summer 25", "SUMMER 25"), ("  Summer   25 ", "SUMMER 25"), ("fsf", "FSF")],
)
def test_codes_are_case_insensitive_and_ignore_extra_spaces(typed: str, stored: str) -> None:
    assert normalize_code(typed) == stored


@pytest.mark.parametrize(
    ("code", "ok"),
    [("OCT2019", True), ("FREE 810", True), ("", False), ("50%OFF", False), ("É", False)],
)
def test_codes_are_letters_digits_and_spaces(code: str, ok: bool) -> None:
    assert is_well_formed(code) is ok


def test_a_code_longer_than_a_price_list_code_is_refused() -> None:
    assert not is_well_formed("A" * 41)
    assert is_well_formed("A" * 40)


def test_generated_codes_are_well_formed_and_avoid_look_alike_characters() -> None:
    import random

    rng = random.Random(5)
    codes = {generate_code(choose=rng.choice) for _ in range(200)}
    assert len(codes) == 200
    assert all(is_well_formed(c) and len(c) == 8 and not set(c) & set("0O1IL5S") for c in codes)


@pytest.mark.parametrize(
    ("changes", "usage", "expected"),
    [
        ({}, Usage(), State.ACTIVE),
        ({"active": False}, Usage(), State.OFF),
        ({"redeem": Window(last_day=date(2026, 11, 22))}, Usage(), State.EXPIRED),
        ({"redeem": Window(first_day=date(2026, 11, 24))}, Usage(), State.SCHEDULED),
        ({"max_uses": 2}, Usage(uses=2, bookings=1), State.USED_UP),
        ({"once": True}, Usage(uses=3, bookings=1), State.USED_UP),
    ],
)
def test_staff_see_expired_and_used_up_promotions_as_inactive(
    changes: dict[str, Any], usage: Usage, expected: State
) -> None:
    assert state(promotion(**changes), usage, NOW, NEW_YORK) is expected


# Inputs no row could hold -------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: CartLine("A", "product", 0, 100),
        lambda: CartLine("A", "product", 1, -1),
        lambda: percent(101),
        lambda: percent(-1),
        lambda: amount_off(-5),
        lambda: free(up_to=0),
        lambda: Requirement(RequirementKind.ITEMS, 0),
        lambda: Window(first_day=date(2026, 2, 1), last_day=date(2026, 1, 1)),
        lambda: Window(from_time=time(9)),
        lambda: Hours(time(9), time(9)),
        lambda: promotion(weekdays=(7,)),
        lambda: promotion(max_uses=0),
        lambda: ClientFacts(standing_discount=Decimal(120)),
        lambda: booking(slot_start=datetime(2026, 11, 28, 10)),
        lambda: booking(appointments=0),
        lambda: booking(timezone="Mars/Olympus_Mons"),
        lambda: Offer(promotion(auto_apply=True), code="X"),
        lambda: Offer(promotion(auto_apply=False)),
    ],
)
def test_inputs_no_row_could_hold_are_refused(make: Any) -> None:
    with pytest.raises(ValueError):
        make()


def test_auto_promotions_on_different_items_each_keep_their_own_items() -> None:
    # "$20 off B" leaves B at $10, cheaper than A; "cheapest product free" still frees A, as it
    # would alone, instead of stacking on B.
    cart = [line("A", "product", 1500), line("B", "product", 3000)]
    offers = [
        auto(1, amount_off(2000, qualified=Qualified(items=("B",))), name="B deal"),
        auto(2, free(up_to=1, qualified=PRODUCTS), name="Cheapest free"),
    ]
    outcome = run(cart, offers)
    assert discounts(outcome) == [1500, 2000]
    assert applied_ids(outcome) == [1, 2]
