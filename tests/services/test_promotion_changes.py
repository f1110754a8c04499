"""Staff apply, change and remove the promo code of a booking already made; a client's uses."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import (
    BookedVia,
    Booking,
    DiscountKind,
    Invoice,
    Payment,
    PaymentOption,
    PromotionChannel,
    Redemption,
)
from core.services import billing, promotion_changes
from core.services.booking import book, cancel
from core.services.errors import NotFound
from core.services.invoicing import summarize
from core.services.promotion_changes import (
    CodeNotApplicable,
    InvalidCode,
    NotChangeable,
    change_code,
    remove_promotion,
)
from tests.concurrency import race, racing_engine_for
from tests.conftest import NOW
from tests.services.test_checkout import priced_type
from tests.services.test_promo_items import promo_item
from tests.services.test_promotions_store import promotion

LATER = NOW + timedelta(days=1)  # staff change the booking a day after it was made
FULL = 19000  # a $150 session fee and two $20 prints


@pytest.fixture
def service_type(core_make: Any) -> Any:
    core_make.studio()
    return priced_type(core_make, PaymentOption.FULL_AMOUNT)


def booked(
    session: Session,
    make: Any,
    service_type: Any,
    code: str = "",
    via: BookedVia = BookedVia.STAFF,
    client: Any = None,
    days: int = 3,
) -> Booking:
    slot = make.slot(NOW + timedelta(days=days), service_types=[service_type])
    return book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=(client or make.client()).id,
        now=NOW,
        via=via,
        promo_code=code,
    )


def invoice_of(session: Session, booking: Booking) -> Invoice:
    session.expire_all()
    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert invoice is not None
    return invoice


def notes(invoice: Invoice) -> list[str]:
    return [line.description for line in invoice.lines if line.description.startswith("Promo")]


def live(session: Session, booking: Booking) -> list[str]:
    return list(
        session.scalars(
            select(Redemption.code)
            .where(Redemption.booking_id == booking.id, Redemption.released_at.is_(None))
            .order_by(Redemption.id)
        )
    )


def test_staff_apply_a_code_to_a_booking_that_had_none(session, core_make, service_type):
    promotion(session, "FSF")
    booking = booked(session, core_make, service_type)

    change = change_code(session, booking_id=booking.id, code=" fsf ", now=LATER)

    assert (change.total_before, change.total_after) == (FULL, 4000)
    assert change.promotions == ["Free session fee"]
    invoice = invoice_of(session, booking)
    assert summarize(invoice).total == 4000
    assert notes(invoice) == ["Promotion: Free session fee"]
    redemption = session.scalars(select(Redemption)).one()
    assert (redemption.code, redemption.discount, redemption.created_at) == ("FSF", 15000, LATER)


def test_changing_the_code_gives_the_old_discount_back_and_takes_the_new(
    session, core_make, service_type
):
    promotion(session, "FSF")
    promotion(session, "TEN", name="Ten off", discount_kind=DiscountKind.AMOUNT, amount=1000)
    booking = booked(session, core_make, service_type, "FSF")

    change_code(session, booking_id=booking.id, code="TEN", now=LATER)

    invoice = invoice_of(session, booking)
    assert summarize(invoice).total == FULL - 1000
    assert [line.discount for line in invoice.lines if line.unit_price] == [1000, 0]
    assert notes(invoice) == ["Promotion: Ten off"]
    assert live(session, booking) == ["TEN"]
    released = session.scalar(select(Redemption).where(Redemption.code == "FSF"))
    assert released is not None and released.released_at == LATER


def test_removing_a_single_use_code_gives_the_discount_back_and_frees_the_code(
    session, core_make, service_type
):
    promotion(session, "ONCE", max_uses=1)
    first = booked(session, core_make, service_type, "ONCE")
    second = booked(session, core_make, service_type, days=4)
    with pytest.raises(CodeNotApplicable, match="ONCE cannot be used for this booking"):
        change_code(session, booking_id=second.id, code="ONCE", now=LATER)

    used = session.scalars(select(Redemption)).one()
    change = remove_promotion(session, booking_id=first.id, redemption_id=used.id, now=LATER)

    assert (change.total_before, change.total_after, change.promotions) == (4000, FULL, [])
    assert change.removed == "Free session fee"
    invoice = invoice_of(session, first)
    assert [line.discount for line in invoice.lines] == [0, 0]
    assert notes(invoice) == []
    change_code(session, booking_id=second.id, code="ONCE", now=LATER)
    assert summarize(invoice_of(session, second)).total == 4000
    assert live(session, first) == [] and live(session, second) == ["ONCE"]


def test_a_code_that_does_not_apply_changes_nothing(session, core_make, service_type):
    promotion(session, "FSF")
    promotion(session, "SAT", weekdays="5", name="Saturdays")  # the slot is on a Thursday
    booking = booked(session, core_make, service_type, "FSF")
    before = [(line.description, line.discount) for line in invoice_of(session, booking).lines]

    for code, reason in [("NOPE", "not valid"), ("SAT", "Saturday")]:
        with pytest.raises(CodeNotApplicable, match=reason) as refused:
            change_code(session, booking_id=booking.id, code=code, now=LATER)
        assert refused.value.status_code == 422

    after = [(line.description, line.discount) for line in invoice_of(session, booking).lines]
    assert after == before
    assert live(session, booking) == ["FSF"]
    assert session.scalar(select(func.count(Redemption.id))) == 1


@pytest.mark.parametrize("typed", ["", "   ", "FSF!", "X" * 41])
def test_a_blank_or_malformed_code_is_refused(session, core_make, service_type, typed):
    booking = booked(session, core_make, service_type)

    with pytest.raises(InvalidCode):
        change_code(session, booking_id=booking.id, code=typed, now=LATER)


def test_a_cancelled_booking_keeps_its_promotions_as_they_were(session, core_make, service_type):
    promotion(session, "FSF")
    booking = booked(session, core_make, service_type)
    cancel(session, public_id=booking.public_id, now=NOW)

    with pytest.raises(NotChangeable, match="cancelled") as refused:
        change_code(session, booking_id=booking.id, code="FSF", now=LATER)

    assert refused.value.status_code == 409
    assert session.scalar(select(func.count(Redemption.id))) == 0


def test_a_booking_without_an_invoice_takes_no_code(session, core_make):
    core_make.studio()
    promotion(session, "FSF")
    plain = core_make.service_type()  # creates no invoice
    booking = booked(session, core_make, plain)

    with pytest.raises(NotChangeable, match="no invoice"):
        change_code(session, booking_id=booking.id, code="FSF", now=LATER)


def test_unknown_bookings_and_promotions_are_not_found(session, core_make, service_type):
    booking = booked(session, core_make, service_type)

    with pytest.raises(NotFound):
        change_code(session, booking_id=booking.id + 1, code="FSF", now=LATER)
    with pytest.raises(NotFound):
        remove_promotion(session, booking_id=booking.id, redemption_id=2**40, now=LATER)


def test_staff_may_use_a_studio_only_code_on_an_online_booking(session, core_make, service_type):
    promotion(session, "DESK", channel=PromotionChannel.STUDIO)
    booking = booked(session, core_make, service_type, via=BookedVia.WIDGET)

    change_code(session, booking_id=booking.id, code="DESK", now=LATER)

    assert live(session, booking) == ["DESK"]


def test_a_code_is_checked_at_the_moment_staff_apply_it(session, core_make, service_type):
    promotion(session, "OLD", redeem_last_day=date(2026, 11, 23))  # over before LATER
    booking = booked(session, core_make, service_type)

    with pytest.raises(CodeNotApplicable, match="Expired on November 23, 2026"):
        change_code(session, booking_id=booking.id, code="OLD", now=LATER)


def test_automatic_promotions_stay_as_they_were_when_booked(session, core_make, service_type):
    # Online only and over by the time staff change the code: the booking keeps it all the same.
    promotion(
        session,
        name="Online November",
        auto_apply=True,
        discount_kind=DiscountKind.PERCENT,
        percent=Decimal(10),
        qualify=None,
        channel=PromotionChannel.ONLINE,
        redeem_last_day=date(2026, 11, 23),
    )
    promotion(session, "TEN", name="Ten off", discount_kind=DiscountKind.AMOUNT, amount=1000)
    booking = booked(session, core_make, service_type, via=BookedVia.WIDGET)
    assert summarize(invoice_of(session, booking)).total == FULL - 1900

    change = change_code(session, booking_id=booking.id, code="TEN", now=LATER)

    assert sorted(change.promotions) == ["Online November", "Ten off"]
    assert live(session, booking) == ["", "TEN"]


def test_removing_a_code_brings_back_the_clients_standing_discount(
    session, core_make, service_type
):
    promotion(session, "FSF")
    client = core_make.client(standing_discount=Decimal(10))
    booking = booked(session, core_make, service_type, "FSF", client=client)
    assert summarize(invoice_of(session, booking)).total == 4000  # the code replaced it

    used = session.scalars(select(Redemption)).one()
    remove_promotion(session, booking_id=booking.id, redemption_id=used.id, now=LATER)

    invoice = invoice_of(session, booking)
    assert summarize(invoice).total == FULL - 1900
    assert notes(invoice) == ["Promotion: Client discount"]

    change_code(session, booking_id=booking.id, code="FSF", now=LATER)  # and it goes again
    invoice = invoice_of(session, booking)
    assert summarize(invoice).total == 4000
    assert notes(invoice) == ["Promotion: Free session fee"]


def test_removing_an_automatic_promotion_takes_only_it_off(session, core_make, service_type):
    promotion(
        session,
        name="Winter",
        auto_apply=True,
        discount_kind=DiscountKind.PERCENT,
        percent=Decimal(20),
    )
    promotion(session, "TEN", name="Ten off", discount_kind=DiscountKind.AMOUNT, amount=1000)
    booking = booked(session, core_make, service_type, "TEN")
    assert summarize(invoice_of(session, booking)).total == FULL - 3000 - 1000
    winter = session.scalar(select(Redemption).where(Redemption.code == ""))
    assert winter is not None

    remove_promotion(session, booking_id=booking.id, redemption_id=winter.id, now=LATER)

    invoice = invoice_of(session, booking)
    assert summarize(invoice).total == FULL - 1000
    assert notes(invoice) == ["Promotion: Ten off"]
    assert live(session, booking) == ["TEN"]


def test_a_promo_item_code_is_applied_and_taken_off_with_its_line(session, core_make, service_type):
    promo_item(session, "SPRING25", 2500, service_type, name="Spring credit")
    booking = booked(session, core_make, service_type)

    change_code(session, booking_id=booking.id, code="spring25", now=LATER)
    invoice = invoice_of(session, booking)
    assert summarize(invoice).total == FULL - 2500
    assert [line.code for line in invoice.lines] == ["SF", "P5X7", "SPRING25"]

    used = session.scalars(select(Redemption)).one()
    change = remove_promotion(session, booking_id=booking.id, redemption_id=used.id, now=LATER)

    assert (change.removed, change.total_after) == ("Spring credit", FULL)
    assert [line.code for line in invoice_of(session, booking).lines] == ["SF", "P5X7"]


def test_a_paid_invoice_keeps_its_payment_and_shows_it_overpaid(session, core_make, service_type):
    promotion(session, "FSF")
    booking = booked(session, core_make, service_type)
    invoice = invoice_of(session, booking)
    billing.record_manual_payment(
        session,
        invoice_id=invoice.id,
        amount=FULL,
        method_id=None,
        note="",
        staff_id=None,
        now=NOW,
    )

    change_code(session, booking_id=booking.id, code="FSF", now=LATER)

    invoice = invoice_of(session, booking)
    assert summarize(invoice).balance == 4000 - FULL  # overpaid: staff refund it
    assert session.scalar(select(Payment.amount)) == FULL


def test_a_clients_uses_are_listed_newest_first_with_given_back_ones(
    session, core_make, service_type
):
    promotion(session, "FSF")
    promotion(session, "TEN", name="Ten off", discount_kind=DiscountKind.AMOUNT, amount=1000)
    client = core_make.client()
    booking = booked(session, core_make, service_type, "FSF", client=client)
    booked(session, core_make, service_type, "FSF", client=core_make.client(), days=4)
    change_code(session, booking_id=booking.id, code="TEN", now=LATER)

    uses = promotion_changes.client_uses(session, client.id)

    assert [(u.name, u.redemption.code, u.redemption.discount) for u in uses] == [
        ("Ten off", "TEN", 1000),
        ("Free session fee", "FSF", 15000),
    ]
    assert [u.redemption.released_at for u in uses] == [None, LATER]
    assert {u.booking.id for u in uses} == {booking.id} and uses[0].currency == "USD"


@pytest.mark.postgres
def test_two_bookings_racing_for_a_single_use_code_through_staff_one_wins(
    session, core_make, service_type, clean_db: Engine
):
    promotion(session, "LUCKY", max_uses=1)
    bookings = [booked(session, core_make, service_type, days=3 + n).id for n in range(6)]
    engine = racing_engine_for(clean_db.url.render_as_string(hide_password=False), 6)

    def attempt(racer: Session, n: int) -> None:
        change_code(racer, booking_id=bookings[n], code="LUCKY", now=LATER)

    try:
        outcomes = race(engine, attempt, threads=6)
    finally:
        engine.dispose()

    assert outcomes == {"won": 1, "CodeNotApplicable": 5}
    assert session.scalar(select(func.count(Redemption.id))) == 1


@pytest.mark.postgres
def test_two_staff_changing_one_booking_at_once_leave_one_code_on_it(
    session, core_make, service_type, clean_db: Engine
):
    promotion(session, "FSF")
    promotion(session, "TEN", name="Ten off", discount_kind=DiscountKind.AMOUNT, amount=1000)
    booking = booked(session, core_make, service_type)
    engine = racing_engine_for(clean_db.url.render_as_string(hide_password=False), 4)

    def attempt(racer: Session, n: int) -> None:
        change_code(racer, booking_id=booking.id, code=["FSF", "TEN"][n % 2], now=LATER)

    try:
        outcomes = race(engine, attempt, threads=4)
    finally:
        engine.dispose()

    assert outcomes == {"won": 4}
    assert len(live(session, booking)) == 1
    invoice = invoice_of(session, booking)
    assert summarize(invoice).total in (4000, FULL - 1000)
    assert len(notes(invoice)) == 1
