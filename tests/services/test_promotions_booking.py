"""Promotions through the real booking paths: free and paid booking, cancel, reschedule."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import (
    BookedVia,
    DiscountKind,
    Invoice,
    Payment,
    PaymentOption,
    Redemption,
)
from core.services import checkout, promotions
from core.services.booking import book, cancel, hold_slot
from core.services.checkout import PaymentSource
from core.services.invoicing import summarize
from core.services.payments import TestModeGateway
from core.services.rescheduling import reschedule
from tests.conftest import NOW
from tests.services.test_checkout import VISA, priced_type
from tests.services.test_promotions_store import promotion

HOLD = timedelta(minutes=10)


@pytest.fixture
def gateway(engine: Any, clean_db: Any) -> TestModeGateway:
    return TestModeGateway(engine, clock=lambda: NOW)


def _hold(session: Session, slot: Any, service_type: Any) -> Any:
    return hold_slot(
        session, slot_id=slot.id, service_type_id=service_type.id, now=NOW, hold_for=HOLD
    )


def test_the_quote_shows_the_discount_and_the_lower_amount_due(session, core_make):
    core_make.studio()
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    promotion(session, "FSF")
    slot = core_make.slot(NOW + timedelta(days=3), service_types=[service_type])

    plain = checkout.quote(session, service_type, slot=slot, now=NOW)
    coded = checkout.quote(session, service_type, slot=slot, code="fsf", now=NOW)

    assert (plain.total, plain.due.amount) == (19000, 19000)
    assert (coded.total, coded.due.amount, coded.discount) == (4000, 4000, 15000)
    assert coded.promotions is not None and coded.promotions.check.applied


def test_paying_with_a_code_charges_the_discounted_amount_and_records_the_use(
    session, core_make, gateway
):
    core_make.studio()
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    promotion(session, "FSF")
    client = core_make.client()
    slot = core_make.slot(NOW + timedelta(days=3), service_types=[service_type])

    booking = checkout.pay_and_book(
        session,
        gateway,
        hold=_hold(session, slot, service_type),
        client_id=client.id,
        idempotency_key=secrets.token_urlsafe(16),
        expected_amount=4000,
        source=PaymentSource(card=VISA),
        method="Credit card",
        now=NOW,
        promo_code="FSF",
    )

    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert summarize(invoice).total == 4000 and summarize(invoice).balance == 0
    assert session.scalar(select(Payment.amount)) == 4000
    assert session.scalar(select(Redemption.code)) == "FSF"


def test_a_fully_discounted_booking_is_paid_with_coupon(session, core_make):
    core_make.studio()
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    promotion(session, "ALLFREE", qualify=None)
    client = core_make.client()
    slot = core_make.slot(NOW + timedelta(days=3), service_types=[service_type])

    quote = checkout.quote(
        session, service_type, slot=slot, client_id=client.id, code="ALLFREE", now=NOW
    )
    assert quote.due.amount == 0 and quote.paid_with_coupon

    booking = book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=client.id,
        now=NOW,
        hold=_hold(session, slot, service_type),
        promo_code="ALLFREE",
    )
    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert summarize(invoice).total == 0 and summarize(invoice).balance == 0


def test_cancelling_gives_a_single_use_code_back_and_rescheduling_keeps_it(session, core_make):
    core_make.studio()
    service_type = priced_type(core_make, None)
    promotion(session, "ONCE", max_uses=1)
    client = core_make.client()
    first = core_make.slot(NOW + timedelta(days=3), service_types=[service_type])
    second = core_make.slot(NOW + timedelta(days=4), service_types=[service_type])
    third = core_make.slot(NOW + timedelta(days=5), service_types=[service_type])
    booking = book(
        session,
        slot_id=first.id,
        service_type_id=service_type.id,
        client_id=client.id,
        now=NOW,
        via=BookedVia.STAFF,
        promo_code="ONCE",
    )

    moved = reschedule(session, public_id=booking.public_id, new_slot_id=second.id, now=NOW)
    session.commit()
    redemption = session.scalars(select(Redemption)).one()
    assert redemption.booking_id == moved.id and redemption.released_at is None
    assert not checkout.quote(
        session, service_type, slot=third, code="ONCE", now=NOW
    ).promotions.check.applied

    cancel(session, public_id=moved.public_id, now=NOW)
    session.refresh(redemption)
    assert redemption.released_at is not None
    assert checkout.quote(
        session, service_type, slot=third, code="ONCE", now=NOW
    ).promotions.check.applied


def test_an_auto_applied_promotion_needs_no_code(session, core_make):
    core_make.studio()
    service_type = priced_type(core_make, None)
    promotion(
        session, auto_apply=True, discount_kind=DiscountKind.PERCENT, percent=20, name="Winter"
    )
    slot = core_make.slot(NOW + timedelta(days=3), service_types=[service_type])
    client = core_make.client()

    booking = book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=client.id,
        now=NOW,
        via=BookedVia.STAFF,
    )

    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert summarize(invoice).total == 19000 - 3000  # 20 % off the $150 session fee
    assert [r.code for r in promotions.live_redemptions(session, [booking.id])[booking.id]] == [""]
