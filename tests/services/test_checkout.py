"""Paying and booking: the price shown is charged once, and never kept without a booking."""

from __future__ import annotations

import secrets
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core.models import (
    Booking,
    Deposit,
    Invoice,
    Payment,
    PaymentOption,
    PaymentStatus,
    PriceCategory,
    PriceListItem,
    ServiceTypeItem,
    SlotState,
    TimeSlot,
)
from core.services import checkout
from core.services.booking import hold_slot
from core.services.checkout import (
    BookingNotCompleted,
    NotBookableOnline,
    PaymentInProgress,
    PaymentSource,
    PriceChanged,
)
from core.services.errors import HoldExpired
from core.services.invoicing import summarize
from core.services.payments import CardDetails, PaymentDeclined, TestModeGateway
from core.services.payments.testmode import LedgerCharge, LedgerRefund
from tests.conftest import NOW

VISA = CardDetails("4242 4242 4242 4242", 12, 2030, "123")
INSUFFICIENT_FUNDS = CardDetails("4000 0000 0000 9995", 12, 2030, "123")


@pytest.fixture
def gateway(engine: Any, clean_db: Any) -> TestModeGateway:
    return TestModeGateway(engine, clock=lambda: NOW)


def priced_type(make: Any, option: PaymentOption | None, amount: int | None = None, **kw: Any):
    """A type whose invoice holds a $150 session fee and two $20 prints."""
    fee = make._save(
        PriceListItem(
            code="SF", name="Session fee", category=PriceCategory.SESSION_FEE, price=15000
        )
    )
    prints = make._save(
        PriceListItem(code="P5X7", name="5x7 print", category=PriceCategory.PRODUCT, price=2000)
    )
    defaults = {
        "auto_create_invoice": True,
        "online_payment_required": option is not None,
        "payment_option": option,
        "payment_amount": amount,
    }
    service_type = make.service_type(**{**defaults, **kw})
    service_type.items = [
        ServiceTypeItem(item=fee, quantity=1, position=0),
        ServiceTypeItem(item=prints, quantity=2, position=1),
    ]
    make.session.commit()
    return service_type


def held(session: Session, make: Any, service_type: Any) -> Any:
    slot = make.slot(NOW + timedelta(days=3), service_types=[service_type])
    return hold_slot(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        now=NOW,
        hold_for=timedelta(minutes=10),
    )


def pay(
    session: Session,
    gateway: Any,
    hold: Any,
    client: Any,
    *,
    expected: int,
    card=VISA,
    key: str | None = None,
    now=NOW,
) -> Booking:
    return checkout.pay_and_book(
        session,
        gateway,
        hold=hold,
        client_id=client.id,
        idempotency_key=key or secrets.token_urlsafe(16),
        expected_amount=expected,
        source=PaymentSource(card=card),
        method="Credit card",
        now=now,
    )


def ledger(session: Session, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("option", "amount", "due"),
    [
        (PaymentOption.FULL_AMOUNT, None, 19000),
        (PaymentOption.LISTED_AMOUNT, 5000, 5000),
        (PaymentOption.LISTED_AMOUNT, 50000, 19000),  # capped at the invoice total
        (PaymentOption.DEPOSIT, 7500, 7500),
        (None, None, 0),
    ],
)
def test_the_quote_shows_the_invoice_and_what_is_due_now(session, core_make, option, amount, due):
    service_type = priced_type(core_make, option, amount)
    quote = checkout.quote(session, service_type)
    # Where nothing can be due online the confirm books without a quote: it must agree.
    assert checkout.nothing_due_online(service_type) is (option is None)
    assert [(line.code, line.quantity, line.amount) for line in quote.lines] == [
        ("SF", 1, 15000),
        ("P5X7", 2, 4000),
    ]
    assert quote.total == 19000
    assert quote.due.amount == due


def test_a_type_whose_payment_settings_contradict_cannot_be_booked_online(session, core_make):
    broken = priced_type(core_make, PaymentOption.FULL_AMOUNT, auto_create_invoice=False)
    with pytest.raises(NotBookableOnline):
        checkout.quote(session, broken)


def test_paying_the_full_amount_books_and_settles_the_invoice(session, core_make, gateway):
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    client = core_make.client()
    booking = pay(session, gateway, held(session, core_make, service_type), client, expected=19000)
    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert [line.amount for line in invoice.lines] == [15000, 4000]
    assert summarize(invoice).paid == 19000 and summarize(invoice).balance == 0
    payment = session.scalar(select(Payment))
    assert payment.status is PaymentStatus.SUCCEEDED and payment.invoice_id == invoice.id
    assert (payment.card_brand, payment.last4) == ("visa", "4242")
    assert session.get(TimeSlot, booking.slot_id).state is SlotState.BOOKED


def test_a_listed_amount_leaves_the_rest_of_the_invoice_due(session, core_make, gateway):
    service_type = priced_type(core_make, PaymentOption.LISTED_AMOUNT, 5000)
    booking = pay(
        session, gateway, held(session, core_make, service_type), core_make.client(), expected=5000
    )
    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert summarize(invoice).balance == 14000


def test_a_deposit_is_kept_on_the_clients_account_not_on_the_invoice(session, core_make, gateway):
    service_type = priced_type(core_make, PaymentOption.DEPOSIT, 7500)
    client = core_make.client()
    booking = pay(session, gateway, held(session, core_make, service_type), client, expected=7500)
    deposit = session.scalar(select(Deposit))
    assert (deposit.client_id, deposit.amount, deposit.remaining) == (client.id, 7500, 7500)
    assert deposit.booking_id == booking.id
    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert summarize(invoice).balance == 19000  # staff apply the deposit later


def test_a_declined_card_keeps_the_hold_and_says_why(session, core_make, gateway):
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    client = core_make.client()
    hold = held(session, core_make, service_type)
    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        pay(session, gateway, hold, client, expected=19000, card=INSUFFICIENT_FUNDS)
    assert session.scalar(select(Booking)) is None
    assert session.get(TimeSlot, hold.slot_id).state is SlotState.HELD
    assert session.scalar(select(Payment.status)) is PaymentStatus.FAILED
    assert pay(session, gateway, hold, client, expected=19000).slot_id == hold.slot_id


def test_the_same_attempt_twice_charges_once_and_returns_the_same_booking(
    session, core_make, gateway
):
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    client = core_make.client()
    hold = held(session, core_make, service_type)
    first = pay(session, gateway, hold, client, expected=19000, key="attempt-0123456789abcdef")
    again = pay(session, gateway, hold, client, expected=19000, key="attempt-0123456789abcdef")
    assert first.id == again.id
    assert ledger(session, LedgerCharge) == 1


def test_a_price_other_than_the_one_shown_is_refused_before_charging(session, core_make, gateway):
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    hold = held(session, core_make, service_type)
    with pytest.raises(PriceChanged):
        pay(session, gateway, hold, core_make.client(), expected=15000)
    assert ledger(session, LedgerCharge) == 0 and session.scalar(select(Payment)) is None


def test_an_expired_hold_is_refused_before_charging(session, core_make, gateway):
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    hold = held(session, core_make, service_type)
    with pytest.raises(HoldExpired):
        pay(
            session,
            gateway,
            hold,
            core_make.client(),
            expected=19000,
            now=NOW + timedelta(minutes=11),
        )
    assert ledger(session, LedgerCharge) == 0


def _failing_booking(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("INSERT INTO booking", {}, Exception("disk I/O error"))


def test_a_failed_write_after_the_charge_refunds_the_client(
    session, core_make, gateway, monkeypatch
):
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    hold = held(session, core_make, service_type)
    monkeypatch.setattr(checkout, "add_booking", _failing_booking)
    with pytest.raises(BookingNotCompleted, match="refunded"):
        pay(session, gateway, hold, core_make.client(), expected=19000)
    assert session.scalar(select(Booking)) is None
    assert session.scalar(select(LedgerRefund.amount)) == 19000  # no money kept
    payment = session.scalar(select(Payment))
    assert payment.refunded == payment.amount == 19000


def test_a_crash_leaving_an_attempt_pending_is_refunded_by_reconcile(
    session, core_make, gateway, monkeypatch
):
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    hold = held(session, core_make, service_type)
    monkeypatch.setattr(checkout, "add_booking", _failing_booking)
    monkeypatch.setattr(checkout, "_refund_whole", _failing_booking)  # the refund write fails too
    with pytest.raises(BookingNotCompleted, match="refunded automatically"):
        pay(session, gateway, hold, core_make.client(), expected=19000)
    monkeypatch.undo()
    assert session.scalar(select(Payment.status)) is PaymentStatus.PENDING
    assert ledger(session, LedgerRefund) == 0

    report = checkout.reconcile_pending(
        session, gateway, now=NOW + timedelta(minutes=10), older_than=timedelta(minutes=5)
    )
    assert (report.refunded, report.failed) == (1, 0)
    assert session.scalar(select(LedgerRefund.amount)) == 19000
    again = checkout.reconcile_pending(
        session, gateway, now=NOW + timedelta(minutes=20), older_than=timedelta(minutes=5)
    )
    assert (again.refunded, again.failed) == (0, 0) and ledger(session, LedgerRefund) == 1


def test_reconcile_marks_attempts_that_never_reached_the_processor_failed(
    session, core_make, gateway
):
    client = core_make.client()
    session.add(
        Payment(
            idempotency_key="never-charged-0001",
            client_id=client.id,
            amount=100,
            currency="USD",
            status=PaymentStatus.PENDING,
            gateway="test",
            created_at=NOW,
        )
    )
    session.commit()
    report = checkout.reconcile_pending(
        session, gateway, now=NOW + timedelta(minutes=10), older_than=timedelta(minutes=5)
    )
    assert report.failed == 1
    assert session.scalar(select(Payment.status)) is PaymentStatus.FAILED


def test_recent_pending_attempts_are_left_to_finish(session, core_make, gateway):
    client = core_make.client()
    session.add(
        Payment(
            idempotency_key="in-flight-0001",
            client_id=client.id,
            amount=100,
            currency="USD",
            status=PaymentStatus.PENDING,
            gateway="test",
            created_at=NOW,
        )
    )
    session.commit()
    report = checkout.reconcile_pending(
        session, gateway, now=NOW + timedelta(minutes=1), older_than=timedelta(minutes=5)
    )
    assert (report.failed, report.refunded) == (0, 0)


@pytest.mark.postgres
def test_twenty_concurrent_submits_of_one_payment_form_charge_once(engine, core_make, gateway):
    from sqlalchemy.orm import Session as OrmSession

    with OrmSession(engine) as setup:
        service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
        hold = held(setup, core_make, service_type)
        client = core_make.client()
    barrier = threading.Barrier(20)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def submit() -> None:
        with OrmSession(engine) as own:
            barrier.wait(timeout=10)
            try:
                result: Any = pay(
                    own, gateway, hold, client, expected=19000, key="one-form-0123456789"
                ).id
            except PaymentInProgress as error:
                result = type(error)
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with OrmSession(engine) as check:
        assert check.scalar(select(func.count()).select_from(LedgerCharge)) == 1
        assert check.scalar(select(func.count()).select_from(Booking)) == 1
        assert check.scalar(select(func.count()).select_from(Payment)) == 1
    booking_ids = {o for o in outcomes if isinstance(o, int)}
    assert len(outcomes) == 20 and len(booking_ids) == 1
    assert all(o in booking_ids or o is PaymentInProgress for o in outcomes)
