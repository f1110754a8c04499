"""Refunds of payments: through the card processor for card payments, as a record for payments
staff took by hand."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models import Payment, PaymentRefund, PaymentStatus
from core.services.billing._shared import (
    MANUAL,
    MAX_ID,
    InvalidAmount,
    NotRefundable,
    lock,
    money_text,
    sum_of,
    transaction,
)
from core.services.errors import NotFound
from core.services.payments import (
    Gateway,
    GatewayUnavailable,
    IdempotencyConflict,
    RefundRefused,
)

_TAKEN = (PaymentStatus.SUCCEEDED, PaymentStatus.PENDING)
PENDING_MESSAGE = (
    "The card processor did not answer, so this refund is pending. Ask the processor again "
    "from the invoice in a moment: it never refunds twice."
)


def refundable(payment: Payment) -> int:
    """What can still be refunded on a payment: its amount less refunds made or pending."""
    if payment.status is not PaymentStatus.SUCCEEDED:
        return 0
    return payment.amount - sum(r.amount for r in payment.refunds if r.status in _TAKEN)


def refund_payment(
    session: Session,
    gateway: Gateway,
    *,
    payment_id: int,
    amount: int,
    reason: str,
    staff_id: int | None,
    now: datetime,
) -> PaymentRefund:
    """Give back all or part of a payment; returns the refund row, SUCCEEDED.

    A card payment is refunded through `gateway` in two transactions: the refund row is
    committed PENDING with a fresh idempotency key before the processor is asked, then settled.
    A crash in between leaves a visible pending row, which `retry_refund` settles with the same
    key: never a silent double refund. A payment staff recorded by hand ("manual") gets a
    SUCCEEDED refund row at once: the money goes back the way it came, outside the processor.

    Raises NotFound, InvalidAmount, NotRefundable (not a succeeded payment, another processor's,
    or more than is left), RefundRefused (the processor said no: the row is FAILED) or
    GatewayUnavailable (no answer: the row stays PENDING, to retry).
    """
    if amount <= 0:
        raise InvalidAmount()
    with transaction(session):
        payment = lock(session, Payment, payment_id)
        if payment is None:
            raise NotFound("We could not find that payment.")
        _check_refundable(session, gateway, payment, amount)
        manual = payment.gateway == MANUAL
        refund = PaymentRefund(
            payment_id=payment.id,
            idempotency_key=f"refund-{payment.public_id}-{secrets.token_hex(8)}",
            amount=amount,
            status=PaymentStatus.SUCCEEDED if manual else PaymentStatus.PENDING,
            reason=reason,
            recorded_by_id=staff_id,
            created_at=now,
        )
        session.add(refund)
    if manual:
        return refund
    return _settle(session, gateway, refund.id)


def _check_refundable(session: Session, gateway: Gateway, payment: Payment, amount: int) -> None:
    if payment.status is not PaymentStatus.SUCCEEDED:
        raise NotRefundable("Only a payment that went through can be refunded.")
    if payment.gateway != MANUAL and (payment.gateway != gateway.name or not payment.reference):
        raise NotRefundable(
            f"This payment was taken through “{payment.gateway}”, not the card processor in use "
            "now, so refund it there."
        )
    taken = session.scalar(
        select(sum_of(PaymentRefund.amount)).where(
            PaymentRefund.payment_id == payment.id, PaymentRefund.status.in_(_TAKEN)
        )
    )
    left = payment.amount - int(taken or 0)
    if left <= 0:
        raise NotRefundable("This payment has already been refunded in full.")
    if amount > left:
        most = money_text(session, left, payment.currency)
        raise NotRefundable(f"Only {most} of this payment can still be refunded.")


def retry_refund(session: Session, gateway: Gateway, refund_id: int) -> PaymentRefund:
    """Ask the processor again about a PENDING refund, with the refund's own idempotency key (so
    it is never refunded twice), and settle it. Raises NotFound, NotRefundable (not pending),
    RefundRefused or GatewayUnavailable as refund_payment does."""
    refund = session.get(PaymentRefund, refund_id) if refund_id <= MAX_ID else None
    if refund is None:
        raise NotFound("We could not find that refund.")
    if refund.status is not PaymentStatus.PENDING:
        raise NotRefundable("This refund is already settled.")
    return _settle(session, gateway, refund_id)


def _settle(session: Session, gateway: Gateway, refund_id: int) -> PaymentRefund:
    """Ask the processor for a committed PENDING refund, then record its answer."""
    refund = session.get_one(PaymentRefund, refund_id)
    charge_reference, amount, key = refund.payment.reference, refund.amount, refund.idempotency_key
    session.rollback()  # no transaction open while the processor works (SQLite would block it)
    try:
        answer = gateway.refund(charge_reference, amount, key)
    except (RefundRefused, IdempotencyConflict) as error:
        _finish(session, refund_id, PaymentStatus.FAILED, "", failure_message=str(error))
        raise
    except GatewayUnavailable as error:
        # No answer: it may or may not have happened, so it stays pending, to ask again.
        raise GatewayUnavailable(PENDING_MESSAGE) from error
    _finish(session, refund_id, PaymentStatus.SUCCEEDED, answer.reference)
    return session.get_one(PaymentRefund, refund_id)


def _finish(
    session: Session,
    refund_id: int,
    status: PaymentStatus,
    reference: str,
    failure_message: str = "",
) -> None:
    # Conditional: of two settlements racing (a retry and the original), the first answer stands.
    with transaction(session):
        session.execute(
            update(PaymentRefund)
            .where(PaymentRefund.id == refund_id, PaymentRefund.status == PaymentStatus.PENDING)
            .values(status=status, reference=reference, failure_message=failure_message)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
