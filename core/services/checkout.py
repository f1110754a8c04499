"""Paying and booking together: the price shown is the price charged, a payment attempt moves
money at most once, and money is never kept without a booking.

An attempt is a Payment row written PENDING (unique idempotency key) and committed before the
processor is asked; so a double click, a retry after a network error or 20 concurrent submits
of one form make one charge. After the charge, the booking, its invoice and the payment's
outcome commit together. If that write fails, the charge is refunded at once; if even that
cannot be recorded, `reconcile_pending` (a CLI for cron) settles the attempt later.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from core.models import (
    Booking,
    Deposit,
    Invoice,
    Payment,
    PaymentRefund,
    PaymentStatus,
    ServiceType,
    SlotState,
    TimeSlot,
)
from core.rules import invoicing as rules
from core.rules.invoicing import DueKind, DueNow, Line
from core.services import booking_mail, booking_notices, invoicing
from core.services import promotions as promotion_store
from core.services.booking import Hold, add_booking
from core.services.errors import BookingError, HoldExpired, NotFound, SlotTaken
from core.services.payments import (
    CardDetails,
    Charge,
    ChargeRequest,
    Gateway,
    GatewayUnavailable,
    PaymentDeclined,
)
from core.services.questions import GivenAnswer

log = logging.getLogger(__name__)


class NotBookableOnline(BookingError):
    status_code = 409
    default_message = (
        "This session type cannot be booked online right now. Please contact the studio."
    )


class PriceChanged(BookingError):
    status_code = 409
    default_message = (
        "The amount to pay changed since you saw it. Please check the new amount and confirm again."
    )


class PaymentInProgress(BookingError):
    status_code = 409
    default_message = (
        "This payment is already being processed. Please wait a moment and check My bookings."
    )


class BookingNotCompleted(BookingError):
    status_code = 409
    default_message = (
        "We could not complete your booking, so your payment was refunded in full. "
        "Please choose a time again."
    )


@dataclass(frozen=True)
class Quote:
    """What booking a service type costs: the invoice it would create and what is due now."""

    lines: list[Line]
    total: int
    due: DueNow
    currency: str
    creates_invoice: bool
    promotions: promotion_store.Priced | None = None  # what the promotions did, when priced

    @property
    def discount(self) -> int:
        return sum(line.discount for line in self.lines)

    @property
    def paid_with_coupon(self) -> bool:
        """Promotions took the whole invoice: nothing to pay (seed 003)."""
        return self.creates_invoice and self.discount > 0 and self.total == 0


def quote(
    session: Session,
    service_type: ServiceType,
    *,
    slot: TimeSlot | None = None,
    client_id: int | None = None,
    code: str = "",
    now: datetime | None = None,
) -> Quote:
    """The invoice preview and the amount due online; with the slot and the moment, after the
    promotions the booking gets (the typed `code`, auto-applied ones, the client's standing
    discount). Raises NotBookableOnline for a type whose billing settings contradict each other."""
    lines = invoicing.lines_for(session, service_type) if service_type.auto_create_invoice else []
    priced = None
    if lines and slot is not None and now is not None:
        priced = promotion_store.price(
            session,
            lines,
            slot=slot,
            service_type=service_type,
            client_id=client_id,
            code=code,
            now=now,
        )
        lines = priced.lines
    total = rules.total(lines)
    try:
        due = rules.due_now(
            online_payment_required=service_type.online_payment_required,
            payment_option=service_type.payment_option.value
            if service_type.payment_option
            else None,
            payment_amount=service_type.payment_amount,
            auto_create_invoice=service_type.auto_create_invoice,
            invoice_total=total,
        )
    except rules.BillingSetupError as error:
        log.warning("service type %s: %s", service_type.slug, error)
        raise NotBookableOnline() from None
    currency = invoicing.studio_currency(session)
    return Quote(lines, total, due, currency, service_type.auto_create_invoice, priced)


def nothing_due_online(service_type: ServiceType) -> bool:
    """Whether booking `service_type` can ask no online payment, whatever its price: then the
    amount due needs no quote (`rules.due_now` charges nothing when none is required)."""
    return not service_type.online_payment_required


@dataclass(frozen=True)
class PaymentSource:
    """What the client paid with: a card (test mode) or a processor token (Stripe.js)."""

    card: CardDetails | None = None
    payment_method: str | None = None


def pay_and_book(
    session: Session,
    gateway: Gateway,
    *,
    hold: Hold,
    client_id: int,
    idempotency_key: str,
    expected_amount: int,
    source: PaymentSource,
    method: str,
    now: datetime,
    notes: str = "",
    reason_id: int | None = None,
    description: str = "",
    booked_by_id: int | None = None,
    answers: Sequence[GivenAnswer] = (),
    promo_code: str = "",
    mailer: booking_mail.BookingMailer | None = None,
    attribution: Mapping[str, object] | None = None,
) -> Booking:
    """Charge what is due for the held slot and book it, exactly once per `idempotency_key`;
    the booking gets the client's notes, reason, answers and attribution, and the kind's
    description and booker (a replayed attempt returns the booking it made: nothing is written
    twice). The client's confirmation and receipt are queued with the booking (with `mailer`).

    Raises PriceChanged (the amount is not the one shown), HoldExpired / SlotTaken (nothing
    charged), PaymentDeclined (hold kept), PaymentInProgress (the same attempt is running),
    GatewayUnavailable, or BookingNotCompleted (charged, then refunded).
    """
    replayed = _replay(session, idempotency_key)
    if replayed is not None:
        return replayed
    service_type = session.get(ServiceType, hold.service_type_id)
    if service_type is None:
        raise NotFound("That session type no longer exists.")
    _check_hold(session, hold, now)
    slot = session.get(TimeSlot, hold.slot_id)
    due = quote(session, service_type, slot=slot, client_id=client_id, code=promo_code, now=now).due
    if due.amount != expected_amount:
        raise PriceChanged()
    payment = Payment(
        idempotency_key=idempotency_key,
        client_id=client_id,
        amount=due.amount,
        currency=invoicing.studio_currency(session),
        status=PaymentStatus.PENDING,
        gateway=gateway.name,
        method=method,
        slot_id=hold.slot_id,
        service_type_id=hold.service_type_id,
        created_at=now,
    )
    session.add(payment)
    try:
        session.commit()
    except IntegrityError:  # the same attempt, submitted concurrently: it won the insert
        session.rollback()
        replayed = _replay(session, idempotency_key)
        if replayed is not None:
            return replayed
        raise PaymentInProgress() from None
    charge = _charge(session, gateway, payment, service_type, source, now)
    given = _Answers(
        notes, reason_id, description, booked_by_id, tuple(answers), promo_code, attribution
    )
    return _complete_or_refund(session, gateway, payment, charge, hold, due, now, given, mailer)


def booking_for_attempt(session: Session, idempotency_key: str, client_id: int) -> Booking | None:
    """The booking an attempt of this client's already made, if it made one."""
    return session.scalar(
        select(Booking)
        .join(Payment, Payment.booking_id == Booking.id)
        .where(Payment.idempotency_key == idempotency_key, Payment.client_id == client_id)
    )


def _replay(session: Session, idempotency_key: str) -> Booking | None:
    """The outcome of an attempt already made with this key: its booking, or its error."""
    payment = session.scalar(select(Payment).where(Payment.idempotency_key == idempotency_key))
    if payment is None:
        return None
    if payment.status is PaymentStatus.SUCCEEDED and payment.booking is not None:
        return payment.booking
    if payment.status is PaymentStatus.PENDING:
        raise PaymentInProgress()
    if payment.status is PaymentStatus.FAILED:
        raise PaymentDeclined(payment.failure_message or None)
    raise BookingNotCompleted()  # charged and refunded: this attempt is over


def _check_hold(session: Session, hold: Hold, now: datetime) -> None:
    """Refuse before charging anything if the hold is no longer the client's (ran out: the
    slot may be open again by now, see waitlist_openings)."""
    if hold.held_until <= now:
        raise HoldExpired()
    held = session.scalar(
        select(TimeSlot.id).where(
            and_(
                TimeSlot.id == hold.slot_id,
                TimeSlot.state == SlotState.HELD,
                TimeSlot.hold_token == hold.token,
            )
        )
    )
    if held is None:
        raise SlotTaken()


def _charge(
    session: Session,
    gateway: Gateway,
    payment: Payment,
    service_type: ServiceType,
    source: PaymentSource,
    now: datetime,
) -> Charge:
    request = ChargeRequest(
        amount=payment.amount,
        currency=payment.currency,
        idempotency_key=payment.idempotency_key,
        description=f"{service_type.public_name} booking",
        card=source.card,
        payment_method=source.payment_method,
    )
    try:
        return gateway.charge(request)
    except PaymentDeclined as error:
        _settle_failed(session, payment, str(error), now)
        raise
    except GatewayUnavailable:
        known = _ask(gateway, payment.idempotency_key)
        if known is None or known.status != "succeeded":
            _settle_failed(session, payment, "Processor error", now)
            raise
        return known  # the processor did charge before failing to answer


def _ask(gateway: Gateway, idempotency_key: str) -> Charge | None:
    try:
        return gateway.find_charge(idempotency_key)
    except GatewayUnavailable:
        return None


def _settle_failed(session: Session, payment: Payment, message: str, now: datetime) -> None:
    """Mark the attempt failed and tell staff (issue 7), in one commit."""
    payment.failure_message = message
    booking_notices.notify(session, booking_notices.failed_payment(session, payment), now=now)
    _settle(session, payment, PaymentStatus.FAILED)


def _settle(session: Session, payment: Payment, status: PaymentStatus, **fields: str) -> None:
    payment.status = status
    for name, value in fields.items():
        setattr(payment, name, value)
    session.commit()


@dataclass(frozen=True)
class _Answers:
    """What the booking records besides the slot: the client's answers, the kind's defaults."""

    notes: str
    reason_id: int | None
    description: str
    booked_by_id: int | None
    questions: tuple[GivenAnswer, ...] = ()
    promo_code: str = ""
    attribution: Mapping[str, object] | None = None


def _complete_or_refund(
    session: Session,
    gateway: Gateway,
    payment: Payment,
    charge: Charge,
    hold: Hold,
    due: DueNow,
    now: datetime,
    answers: _Answers,
    mailer: booking_mail.BookingMailer | None = None,
) -> Booking:
    payment_id = payment.id
    try:
        booking = _complete(session, payment, charge, hold, due, now, answers)
        booking_mail.booked(session, booking, now=now, mailer=mailer)
        booking_mail.paid(session, payment, now=now, mailer=mailer)
        session.commit()
        return booking
    except (BookingError, SQLAlchemyError) as error:
        session.rollback()
        log.warning("payment %s charged but not booked (%s); refunding", payment_id, error)
    try:
        _refund_whole(session, gateway, payment_id, charge, now)
    except (BookingError, SQLAlchemyError):
        session.rollback()  # the attempt stays PENDING: reconcile_pending refunds it later
        raise BookingNotCompleted(
            "We could not complete your booking. The amount charged will be refunded "
            "automatically; please choose a time again."
        ) from None
    raise BookingNotCompleted()


def _complete(
    session: Session,
    payment: Payment,
    charge: Charge,
    hold: Hold,
    due: DueNow,
    now: datetime,
    answers: _Answers,
) -> Booking:
    """In the caller's transaction: book the slot, link the money to the invoice or a deposit."""
    payment.status = PaymentStatus.SUCCEEDED
    payment.reference = charge.reference
    payment.card_brand = charge.card_brand
    payment.last4 = charge.last4
    booking = add_booking(
        session,
        slot_id=hold.slot_id,
        service_type_id=hold.service_type_id,
        client_id=payment.client_id,
        now=now,
        hold=hold,
        notes=answers.notes,
        reason_id=answers.reason_id,
        description=answers.description,
        booked_by_id=answers.booked_by_id,
        answers=answers.questions,
        promo_code=answers.promo_code,
        attribution=answers.attribution,
    )
    payment.booking = booking
    if due.kind is DueKind.INVOICE:
        session.flush()
        payment.invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    elif due.kind is DueKind.DEPOSIT:
        session.add(
            Deposit(
                client_id=payment.client_id,
                payment=payment,
                booking=booking,
                amount=payment.amount,
                currency=payment.currency,
                description="Deposit paid when booking online",
                created_at=now,
            )
        )
    return booking


def _refund_whole(
    session: Session, gateway: Gateway, payment_id: int, charge: Charge, now: datetime
) -> None:
    """Give the whole charge back and record it; left PENDING for reconcile if that fails."""
    payment = session.get(Payment, payment_id)
    assert payment is not None
    refund = gateway.refund(charge.reference, charge.amount, f"{payment.idempotency_key}:void")
    payment.status = PaymentStatus.SUCCEEDED
    payment.reference = charge.reference
    payment.card_brand = charge.card_brand
    payment.last4 = charge.last4
    payment.failure_message = "Booking not completed; refunded in full."
    session.add(
        PaymentRefund(
            payment=payment,
            idempotency_key=f"{payment.idempotency_key}:void",
            amount=charge.amount,
            status=PaymentStatus.SUCCEEDED,
            reference=refund.reference,
            reason="Booking not completed",
            created_at=now,
        )
    )
    session.commit()


@dataclass
class ReconcileReport:
    failed: int = 0  # never charged: marked failed
    refunded: int = 0  # charged without a booking: refunded
    still_pending: int = 0  # the processor could not be asked: try again later


def reconcile_pending(
    session: Session, gateway: Gateway, *, now: datetime, older_than: timedelta
) -> ReconcileReport:
    """Settle attempts left PENDING by a crash: never-charged ones fail, charged ones (which
    have no booking, or they would not be pending) are refunded. Safe to run twice or on two
    hosts: each refund carries the attempt's key."""
    report = ReconcileReport()
    stale = session.scalars(
        select(Payment.id).where(
            Payment.status == PaymentStatus.PENDING, Payment.created_at <= now - older_than
        )
    ).all()
    for payment_id in stale:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        try:
            charge = gateway.find_charge(payment.idempotency_key)
        except GatewayUnavailable:
            report.still_pending += 1
            continue
        if charge is None or charge.status != "succeeded":
            _settle(session, payment, PaymentStatus.FAILED, failure_message="Not charged")
            report.failed += 1
        else:
            _refund_whole(session, gateway, payment_id, charge, now)
            report.refunded += 1
    return report


@dataclass(frozen=True)
class Receipt:
    payment: Payment | None
    deposit: Deposit | None
    invoice: Invoice | None
    invoice_summary: invoicing.InvoiceSummary | None


def receipt(session: Session, booking: Booking) -> Receipt:
    """What the booking's confirmation shows: the payment, the deposit it made, the invoice."""
    payment = session.scalar(
        select(Payment).where(
            Payment.booking_id == booking.id, Payment.status == PaymentStatus.SUCCEEDED
        )
    )
    deposit = (
        session.scalar(select(Deposit).where(Deposit.payment_id == payment.id)) if payment else None
    )
    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    summary = invoicing.summarize(invoice) if invoice else None
    return Receipt(payment, deposit, invoice, summary)
