"""Promotions kept in the database: codes, pricing a booking, redemptions and their limits."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
    PriceCategory,
    PriceListItem,
    Promotion,
    PromotionCode,
    PromotionQualifier,
    Redemption,
    ServiceType,
    ServiceTypeItem,
    TimeSlot,
)
from core.services import invoicing, promotion_codes, promotions
from core.services.errors import InvalidDetails
from tests.concurrency import race, racing_engine_for
from tests.conftest import NOW
from tests.factories import Factory

MONDAY = datetime(2026, 11, 30, 15, 0, tzinfo=NOW.tzinfo)  # 10:00 in New York
SATURDAY = MONDAY + timedelta(days=5)


@pytest.fixture
def priced_type(make: Factory, session: Session) -> ServiceType:
    """A session type whose invoice holds a $50 session fee and a $20 print."""
    make.studio()
    service_type = make.service_type(auto_create_invoice=True)
    fee = PriceListItem(
        code="SF", name="Session fee", category=PriceCategory.SESSION_FEE, price=5000
    )
    print_ = PriceListItem(
        code="P810", name="8x10 print", category=PriceCategory.PRODUCT, price=2000
    )
    session.add_all([fee, print_])
    session.flush()
    session.add_all(
        [
            ServiceTypeItem(service_type_id=service_type.id, item_id=fee.id, position=0),
            ServiceTypeItem(service_type_id=service_type.id, item_id=print_.id, position=1),
        ]
    )
    session.commit()
    return service_type


def promotion(
    session: Session,
    *codes: str,
    qualify: PriceCategory | None = PriceCategory.SESSION_FEE,
    **kw: Any,
) -> Promotion:
    """A coded promotion: by default session fees free ("FSF": free session fee)."""
    defaults: dict[str, Any] = {
        "name": "Free session fee",
        "external_id": f"EXT{session.scalar(select(func.count(Promotion.id))) or 0}",
        "discount_kind": DiscountKind.FREE,
        "created_at": NOW,
    }
    row = Promotion(**{**defaults, **kw})
    session.add(row)
    session.flush()
    if qualify is not None:
        session.add(PromotionQualifier(promotion_id=row.id, category=qualify))
    for code in codes:
        session.add(PromotionCode(promotion_id=row.id, code=code, created_at=NOW))
    session.commit()
    session.expire(row)
    return row


def quote(
    session: Session,
    service_type: ServiceType,
    slot: TimeSlot,
    code: str,
    client_id: int | None = None,
) -> promotions.Priced:
    lines = invoicing.lines_for(session, service_type)
    return promotions.price(
        session,
        lines,
        slot=slot,
        service_type=service_type,
        client_id=client_id,
        code=code,
        now=NOW,
    )


def booking_with_invoice(
    session: Session, slot: TimeSlot, service_type: ServiceType, client_id: int
) -> tuple[Booking, Invoice]:
    booking = Booking(
        client_id=client_id,
        slot_id=slot.id,
        service_type_id=service_type.id,
        booked_via=BookedVia.WIDGET,
        created_at=NOW,
    )
    session.add(booking)
    session.flush()
    invoice = invoicing.create_invoice_for_booking(session, booking, now=NOW)
    session.flush()
    return booking, invoice


def test_a_typed_code_takes_the_session_fee_off_and_leaves_the_print(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    promotion(session, "FSF")
    slot = make.slot(MONDAY, service_types=[priced_type])

    priced = quote(session, priced_type, slot, "  fsf ")

    assert priced.check is not None and priced.check.applied
    assert [line.discount for line in priced.lines] == [5000, 0]
    assert priced.total == 2000
    assert priced.code == "FSF"


def test_an_unknown_code_and_a_code_for_another_type_get_the_same_message(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    other = make.service_type()
    limited = promotion(session, "OTHER")
    limited.service_types.append(other)
    session.commit()
    slot = make.slot(MONDAY, service_types=[priced_type])

    unknown = quote(session, priced_type, slot, "NOPE")
    elsewhere = quote(session, priced_type, slot, "OTHER")

    assert unknown.check is not None and elsewhere.check is not None
    assert not unknown.check.applied and not elsewhere.check.applied
    assert unknown.check.message == elsewhere.check.message
    assert unknown.total == elsewhere.total == 7000


def test_a_weekend_code_says_why_on_a_monday(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    promotion(session, "WEEKEND", weekdays="56")
    monday = make.slot(MONDAY, service_types=[priced_type])
    saturday = make.slot(SATURDAY, service_types=[priced_type])

    refused = quote(session, priced_type, monday, "weekend")
    accepted = quote(session, priced_type, saturday, "weekend")

    assert refused.check is not None and not refused.check.applied
    assert "Saturday" in refused.check.message and "Sunday" in refused.check.message
    assert accepted.total == 2000


def test_a_type_that_takes_no_codes_refuses_every_code(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    promotion(session, "FSF")
    priced_type.accepts_promo_codes = False
    session.commit()
    slot = make.slot(MONDAY, service_types=[priced_type])

    priced = quote(session, priced_type, slot, "FSF")

    assert priced.check is not None and not priced.check.applied
    assert priced.total == 7000


def test_redeeming_discounts_the_invoice_and_notes_the_promotion(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    promotion(session, "FSF")
    client = make.client()
    slot = make.slot(MONDAY, service_types=[priced_type])
    booking, invoice = booking_with_invoice(session, slot, priced_type, client.id)

    promotions.redeem(session, booking=booking, invoice=invoice, code="fsf", now=NOW)
    session.commit()

    assert [(line.code, line.discount) for line in invoice.lines] == [
        ("SF", 5000),
        ("P810", 0),
        ("FSF", 0),
    ]
    assert invoice.lines[-1].description == "Promotion: Free session fee"
    redemption = session.scalars(select(Redemption)).one()
    assert (redemption.code, redemption.discount, redemption.booking_id) == (
        "FSF",
        5000,
        booking.id,
    )


def test_a_single_use_code_is_used_up_and_comes_back_when_the_booking_is_cancelled(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    promotion(session, "ONCE", max_uses=1)
    first = make.client()
    second = make.client()
    slot = make.slot(MONDAY, service_types=[priced_type])
    later = make.slot(MONDAY + timedelta(days=1), service_types=[priced_type])
    booking, invoice = booking_with_invoice(session, slot, priced_type, first.id)
    promotions.redeem(session, booking=booking, invoice=invoice, code="ONCE", now=NOW)
    session.commit()

    used_up = quote(session, priced_type, later, "ONCE", client_id=second.id)
    assert used_up.check is not None and not used_up.check.applied
    assert used_up.total == 7000

    assert promotions.release_for_booking(session, booking.id, NOW) == 1
    session.commit()

    again = quote(session, priced_type, later, "ONCE", client_id=second.id)
    assert again.check is not None and again.check.applied


def test_redeeming_a_code_used_up_since_the_review_step_is_refused(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    promotion(session, "ONCE", max_uses=1)
    slots = [make.slot(MONDAY + timedelta(hours=h), service_types=[priced_type]) for h in (0, 2)]
    clients = [make.client(), make.client()]
    first, first_invoice = booking_with_invoice(session, slots[0], priced_type, clients[0].id)
    promotions.redeem(session, booking=first, invoice=first_invoice, code="ONCE", now=NOW)
    session.commit()
    second, second_invoice = booking_with_invoice(session, slots[1], priced_type, clients[1].id)

    with pytest.raises(promotions.CodeNoLongerValid) as refused:
        promotions.redeem(session, booking=second, invoice=second_invoice, code="ONCE", now=NOW)
    assert "Remove the code" in str(refused.value)


def test_once_per_client_lets_other_clients_use_it(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    promotion(session, "HELLO", once_per_client=True)
    regular = make.client()
    newcomer = make.client()
    slot = make.slot(MONDAY, service_types=[priced_type])
    later = make.slot(MONDAY + timedelta(days=1), service_types=[priced_type])
    booking, invoice = booking_with_invoice(session, slot, priced_type, regular.id)
    promotions.redeem(session, booking=booking, invoice=invoice, code="HELLO", now=NOW)
    session.commit()

    assert not quote(session, priced_type, later, "HELLO", client_id=regular.id).check.applied  # type: ignore[union-attr]
    assert quote(session, priced_type, later, "HELLO", client_id=newcomer.id).check.applied  # type: ignore[union-attr]


def test_a_standing_client_discount_applies_without_a_code_and_a_code_beats_it(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    promotion(session, "FSF")
    client = make.client(standing_discount=Decimal(10))
    slot = make.slot(MONDAY, service_types=[priced_type])

    plain = quote(session, priced_type, slot, "", client_id=client.id)
    coded = quote(session, priced_type, slot, "FSF", client_id=client.id)

    assert plain.total == 6300  # 10 % off both lines
    assert coded.total == 2000  # the code, and no standing discount on top


def test_pasted_codes_are_all_or_nothing_and_name_the_bad_lines(
    session: Session, priced_type: ServiceType
) -> None:
    row = promotion(session, "TAKEN")
    session.add(
        PriceListItem(code="FREE810", name="Free 8x10", category=PriceCategory.PROMOTIONAL, price=0)
    )
    session.commit()

    with pytest.raises(InvalidDetails) as refused:
        promotion_codes.add_codes(
            session, row, ["good one", "bad-code!", "GOOD ONE", "taken", "free810"], now=NOW
        )
    message = refused.value.errors["codes"]
    assert "Line 2" in message and "Line 3: GOOD ONE is already on line 1" in message
    assert "Line 4: TAKEN is already in use" in message and "Line 5: FREE810" in message
    session.rollback()
    assert session.scalar(select(func.count(PromotionCode.id))) == 1

    added = promotion_codes.add_codes(session, row, ["good one", "", "Spring 26"], now=NOW)
    assert [c.code for c in added] == ["GOOD ONE", "SPRING 26"]


def test_generated_vouchers_are_distinct_and_mass_delete_spares_bookings(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    row = promotion(session, max_uses=1)
    vouchers = promotion_codes.generate_codes(session, row, 200, now=NOW)
    session.commit()
    assert len({v.code for v in vouchers}) == 200
    client = make.client()
    slot = make.slot(MONDAY, service_types=[priced_type])
    booking, invoice = booking_with_invoice(session, slot, priced_type, client.id)
    used = vouchers[0].code
    promotions.redeem(session, booking=booking, invoice=invoice, code=used, now=NOW)
    session.commit()

    assert promotion_codes.mass_delete(session, row.id, only_used=True) == 1
    session.commit()
    assert session.scalar(select(func.count(PromotionCode.id))) == 199
    redemption = session.scalars(select(Redemption)).one()
    assert (redemption.code, redemption.code_id, redemption.released_at) == (used, None, None)
    assert invoice.lines[0].discount == 5000

    assert promotion_codes.mass_delete(session, row.id, only_used=False) == 199
    session.commit()
    assert session.scalar(select(func.count(PromotionCode.id))) == 0


def test_staff_taking_a_promotion_off_gives_the_discount_back(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    promotion(session, "FSF")
    client = make.client()
    slot = make.slot(MONDAY, service_types=[priced_type])
    booking, invoice = booking_with_invoice(session, slot, priced_type, client.id)
    promotions.redeem(session, booking=booking, invoice=invoice, code="FSF", now=NOW)
    session.commit()

    redemption = session.scalars(select(Redemption)).one()
    promotions.release(session, redemption, NOW)
    session.commit()

    assert invoice.lines[0].discount == 0
    assert redemption.released_at is not None


def test_dates_in_a_window_are_the_locations_own(
    make: Factory, session: Session, priced_type: ServiceType
) -> None:
    # The appointment window ends on 30 November: a slot at 23:30 New York time on the 30th is
    # inside it, though it is already 1 December in UTC.
    promotion(session, "NOV", appointment_last_day=date(2026, 11, 30))
    late = make.slot(datetime(2026, 12, 1, 4, 30, tzinfo=NOW.tzinfo), service_types=[priced_type])
    assert quote(session, priced_type, late, "NOV").check.applied  # type: ignore[union-attr]


@pytest.mark.postgres
def test_thirty_clients_racing_for_a_single_use_code_one_wins(
    make: Factory, session: Session, priced_type: ServiceType, clean_db: Engine
) -> None:
    promotion(session, "LUCKY", max_uses=1)
    threads = 30
    slots = [
        make.slot(MONDAY + timedelta(hours=n), service_types=[priced_type]).id
        for n in range(threads)
    ]
    clients = [make.client().id for _ in range(threads)]
    engine = racing_engine_for(clean_db.url.render_as_string(hide_password=False), threads)

    def attempt(racer: Session, n: int) -> None:
        slot = racer.get(TimeSlot, slots[n])
        service_type = racer.get(ServiceType, priced_type.id)
        assert slot is not None and service_type is not None
        booking, invoice = booking_with_invoice(racer, slot, service_type, clients[n])
        promotions.redeem(racer, booking=booking, invoice=invoice, code="LUCKY", now=NOW)
        racer.commit()

    try:
        outcomes = race(engine, attempt, threads=threads)
    finally:
        engine.dispose()

    assert outcomes == {"won": 1, "CodeNoLongerValid": threads - 1}
    assert session.scalar(select(func.count(Redemption.id))) == 1
