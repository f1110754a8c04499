"""Invoices for staff: the list with totals, one invoice with its history, its status, and
payments staff record by hand."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, case, cast, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.sql.selectable import ScalarSelect

from core.models import (
    Booking,
    Client,
    DepositApplication,
    Invoice,
    InvoiceLine,
    ListChoice,
    ListKind,
    Payment,
    PaymentRefund,
    PaymentStatus,
    TimeSlot,
)
from core.services import settings
from core.services.billing._shared import (
    MANUAL,
    MAX_ID,
    ExceedsBalance,
    InvalidAmount,
    InvalidChoice,
    lock,
    money_text,
    sum_of,
    transaction,
)
from core.services.errors import NotFound
from core.services.invoicing import InvoiceSummary


def _totals(invoice_id: Any) -> list[ScalarSelect[Any]]:
    """Scalar subqueries for an invoice's total, paid, refunded and deposits applied: the same
    arithmetic as core.services.invoicing.summarize, done by the database."""
    gross = cast(InvoiceLine.quantity, BigInteger) * InvoiceLine.unit_price - InvoiceLine.discount
    total = select(sum_of(case((gross > 0, gross), else_=0))).where(
        InvoiceLine.invoice_id == invoice_id
    )
    paid = select(sum_of(Payment.amount)).where(
        Payment.invoice_id == invoice_id, Payment.status == PaymentStatus.SUCCEEDED
    )
    refunded = (
        select(sum_of(PaymentRefund.amount))
        .join(Payment, PaymentRefund.payment_id == Payment.id)
        .where(
            Payment.invoice_id == invoice_id,
            Payment.status == PaymentStatus.SUCCEEDED,
            PaymentRefund.status == PaymentStatus.SUCCEEDED,
        )
    )
    deposits = select(sum_of(DepositApplication.amount)).where(
        DepositApplication.invoice_id == invoice_id
    )
    return [q.scalar_subquery() for q in (total, paid, refunded, deposits)]


def _with_totals(stmt: Select[Any]) -> Select[Any]:
    total, paid, refunded, deposits = _totals(Invoice.id)
    return stmt.add_columns(
        total.label("total"),
        paid.label("paid"),
        refunded.label("refunded"),
        deposits.label("deposits_applied"),
    )


def _summary(row: Any) -> InvoiceSummary:
    return InvoiceSummary(
        total=int(row.total),
        paid=int(row.paid),
        refunded=int(row.refunded),
        deposits_applied=int(row.deposits_applied),
    )


def invoice_summary(session: Session, invoice_id: int) -> InvoiceSummary:
    """The invoice's totals as the database has them now (one query). Raises NotFound."""
    stmt = _with_totals(select(Invoice.id)).where(Invoice.id == invoice_id)
    row = session.execute(stmt).one_or_none() if invoice_id <= MAX_ID else None
    if row is None:
        raise NotFound("We could not find that invoice.")
    return _summary(row)


@dataclass(frozen=True)
class InvoiceRow:
    """One line of the invoice list: the invoice (client and status loaded) and its totals."""

    invoice: Invoice
    summary: InvoiceSummary


_NUMBER = re.compile(r"(?:inv)?[-#\s]*0*(\d{1,10})", re.IGNORECASE)


def _search(query: str) -> ColumnElement[bool]:
    """Client name or email containing `query`, or the invoice numbered 'INV-000123' or '123'."""
    conditions = [
        Client.name.icontains(query, autoescape=True),
        Client.email.icontains(query, autoescape=True),
    ]
    number = _NUMBER.fullmatch(query)
    if number and int(number.group(1)) <= MAX_ID:
        conditions.append(Invoice.id == int(number.group(1)))
    return or_(*conditions)


def list_invoices(
    session: Session, *, query: str | None = None, client_id: int | None = None, limit: int = 100
) -> list[InvoiceRow]:
    """Invoices newest first with their totals: one query, however many invoices there are.

    `query` matches the client's name or email, or the invoice number; `client_id` keeps one
    client's invoices.
    """
    stmt = (
        _with_totals(select(Invoice))
        .join(Invoice.client)
        .options(joinedload(Invoice.client), joinedload(Invoice.status))
        .order_by(Invoice.created_at.desc(), Invoice.id.desc())
        .limit(limit)
    )
    if query and query.strip():
        stmt = stmt.where(_search(query.strip()))
    if client_id is not None:
        stmt = stmt.where(Invoice.client_id == client_id)
    return [InvoiceRow(row.Invoice, _summary(row)) for row in session.execute(stmt)]


def get_invoice(session: Session, invoice_id: int) -> Invoice:
    """The invoice with client, booking, status, lines, payments with their refunds and the
    deposits applied loaded. Raises NotFound."""
    booking = joinedload(Invoice.booking)
    stmt = (
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .options(
            joinedload(Invoice.client),
            joinedload(Invoice.status),
            booking.joinedload(Booking.slot).joinedload(TimeSlot.location),
            booking.joinedload(Booking.service_type),
            selectinload(Invoice.lines),
            selectinload(Invoice.payments).selectinload(Payment.refunds),
            selectinload(Invoice.deposit_applications).joinedload(DepositApplication.deposit),
        )
    )
    invoice = session.scalar(stmt) if invoice_id <= MAX_ID else None
    if invoice is None:
        raise NotFound("We could not find that invoice.")
    return invoice


def active_choices(session: Session, kind: ListKind) -> list[ListChoice]:
    """A studio-editable list's active entries, in the studio's order."""
    return [choice for choice in settings.list_choices(session, kind) if choice.active]


def _choice(session: Session, choice_id: int, kind: ListKind, message: str) -> ListChoice:
    choice = session.get(ListChoice, choice_id) if choice_id <= MAX_ID else None
    if choice is None or choice.kind is not kind or not choice.active:
        raise InvalidChoice(message)
    return choice


def set_invoice_status(session: Session, invoice_id: int, status_id: int | None) -> Invoice:
    """Give the invoice an active status of the studio's list, or none (its current status may
    be kept even if retired). Raises NotFound or InvalidChoice."""
    with transaction(session):
        invoice = session.get(Invoice, invoice_id) if invoice_id <= MAX_ID else None
        if invoice is None:
            raise NotFound("We could not find that invoice.")
        if status_id is not None and status_id != invoice.status_id:
            _choice(session, status_id, ListKind.INVOICE_STATUS, "Choose a status from the list.")
        invoice.status_id = status_id
    return invoice


def locked_balance(session: Session, invoice_id: int) -> tuple[Invoice, int]:
    """The invoice, locked for the rest of the transaction, and what is owed on it now."""
    invoice = lock(session, Invoice, invoice_id)
    if invoice is None:
        raise NotFound("We could not find that invoice.")
    return invoice, invoice_summary(session, invoice_id).balance


def check_within_balance(session: Session, invoice: Invoice, amount: int, balance: int) -> None:
    """Raises ExceedsBalance if `amount` pays more than the `balance` owed on the invoice."""
    if balance <= 0:
        raise ExceedsBalance(f"Invoice {invoice.number} is paid in full: nothing is owed.")
    if amount > balance:
        owed = money_text(session, balance, invoice.currency)
        raise ExceedsBalance(
            f"That is more than the {owed} still owed on invoice {invoice.number}. "
            f"Enter {owed} or less."
        )


def record_manual_payment(
    session: Session,
    *,
    invoice_id: int,
    amount: int,
    method_id: int | None,
    note: str,
    staff_id: int | None,
    now: datetime,
) -> Payment:
    """Record money staff received outside the card processor (cash, cheque, bank transfer):
    a SUCCEEDED "manual" payment.

    `method_id` names an active payment method of the studio's list (None: not specified).
    Raises NotFound, InvalidAmount, InvalidChoice, or ExceedsBalance when it would pay more
    than is owed (the invoice is locked, so two staff recording at once cannot overpay it).
    """
    if amount <= 0:
        raise InvalidAmount()
    with transaction(session):
        method = ""
        if method_id is not None:
            message = "Choose a payment method from the list."
            method = _choice(session, method_id, ListKind.PAYMENT_METHOD, message).name
        invoice, balance = locked_balance(session, invoice_id)
        check_within_balance(session, invoice, amount, balance)
        payment = Payment(
            idempotency_key=f"manual-{secrets.token_urlsafe(24)}",
            client_id=invoice.client_id,
            invoice_id=invoice.id,
            booking_id=invoice.booking_id,
            amount=amount,
            currency=invoice.currency,
            status=PaymentStatus.SUCCEEDED,
            gateway=MANUAL,
            method=method,
            recorded_by_id=staff_id,
            note=note,
            created_at=now,
        )
        session.add(payment)
    return payment
