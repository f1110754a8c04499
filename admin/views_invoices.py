"""Invoices: the list, one invoice with its history, and the money operations staff make on it
(record a payment, apply a deposit, refund a payment, change the status); a client's deposits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision
from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import Field

from admin import bp
from admin.forms import (
    ApplyDepositForm,
    InvoiceStatusForm,
    ManualPaymentForm,
    PromoCodeForm,
    RefundForm,
)
from admin.views_common import show_error, staff_required
from core.models import Invoice, ListKind, Location
from core.money import format_money, to_minor_units
from core.services import billing, promotions
from core.services.billing import ExceedsBalance, ExceedsDeposit, InvalidAmount, NotRefundable
from core.services.errors import BookingError, NotFound
from core.services.invoicing import preferences, summarize
from core.services.payments import RefundRefused
from web import payments
from web.auth import current_staff
from web.clock import now
from web.extensions import db
from web.formatting import studio

# Refusals about the amount typed: shown next to the amount field.
_AMOUNT_ERRORS = (InvalidAmount, ExceedsBalance, ExceedsDeposit, NotRefundable, RefundRefused)


def in_units(minor_units: int, currency: str) -> Decimal:
    """Minor units as the amount staff type (12550 -> 125.50)."""
    return Decimal(minor_units).scaleb(-get_currency_precision(currency))


def _minor_units(field: Field, currency: str) -> int | None:
    """The field's decimal amount in minor units; None, with a message on the field, if the
    currency has fewer decimals."""
    try:
        return to_minor_units(field.data, currency)
    except ValueError:
        places = get_currency_precision(currency)
        field.errors.append(f"Use at most {places} decimals for {currency}.")
        return None


def _money(minor_units: int, currency: str) -> str:
    """'$125.50': an amount in its own currency (an invoice's, a deposit's), studio's locale."""
    return format_money(minor_units, currency, studio().locale)


def _staff_id() -> int | None:
    staff = current_staff()
    return staff.id if staff else None


def _studio_timezone() -> str:
    """Dates without a place (when an invoice was made) read in the first location's zone."""
    timezone = db.session.scalar(select(Location.timezone).order_by(Location.id).limit(1))
    return timezone or "UTC"


@bp.context_processor
def invoice_helpers() -> dict[str, Any]:
    return {"money_in": _money, "refundable": billing.refundable}


@bp.get("/invoices")
@staff_required
def invoices() -> str:
    """Invoices, newest first, with total, paid and balance; search by client or number."""
    query = request.args.get("q", "").strip()[:200]
    rows = billing.list_invoices(db.session, query=query or None)
    return render_template(
        "admin/invoices.html", rows=rows, query=query, timezone=_studio_timezone()
    )


def _source(submitted: bool) -> dict[str, Any]:
    # Forms not submitted on this request must not read it: several share the page.
    return {} if submitted else {"formdata": None}


def _payment_form(invoice: Invoice, balance: int, submitted: bool = False) -> ManualPaymentForm:
    default = preferences(db.session).default_payment_method_id
    data = {"amount": in_units(balance, invoice.currency) if balance > 0 else None}
    form = ManualPaymentForm(
        prefix="payment", data={**data, "method": default}, **_source(submitted)
    )
    methods = billing.active_choices(db.session, ListKind.PAYMENT_METHOD)
    form.method.choices = [("", "Not specified"), *((m.id, m.name) for m in methods)]
    return form


def _deposit_form(invoice: Invoice, balance: int, submitted: bool = False) -> ApplyDepositForm:
    deposits = [d for d in billing.client_deposits(db.session, invoice.client_id) if d.remaining]
    amount = min(deposits[0].remaining, balance) if deposits else 0
    data = {"amount": in_units(amount, invoice.currency) if amount > 0 else None}
    form = ApplyDepositForm(prefix="deposit", data=data, **_source(submitted))
    form.deposit.choices = [
        (
            d.id,
            f"{d.description or 'Deposit'} of {_money(d.amount, d.currency)}"
            f" — {_money(d.remaining, d.currency)} left",
        )
        for d in deposits
    ]
    return form


def _refund_form(payment_id: int, left: int, currency: str, submitted: bool = False) -> RefundForm:
    data = {"amount": in_units(left, currency)}
    return RefundForm(prefix=f"refund-{payment_id}", data=data, **_source(submitted))


def _status_form(invoice: Invoice, submitted: bool = False) -> InvoiceStatusForm:
    form = InvoiceStatusForm(
        prefix="status", data={"status": invoice.status_id}, **_source(submitted)
    )
    statuses = billing.active_choices(db.session, ListKind.INVOICE_STATUS)
    if invoice.status is not None and invoice.status not in statuses:
        statuses.insert(0, invoice.status)  # a retired status stays selectable where it is set
    form.status.choices = [("", "No status"), *((s.id, s.name) for s in statuses)]
    return form


def _invoice_page(
    invoice_id: int,
    status: int = 200,
    *,
    refund: tuple[int, RefundForm] | None = None,
    **submitted: FlaskForm,
) -> tuple[str, int]:
    """The invoice page; a `submitted` form (payment, deposit, status, promo code, or a
    payment's refund) is shown as typed, with its errors."""
    invoice = billing.get_invoice(db.session, invoice_id)
    summary = summarize(invoice)
    refund_forms = {
        p.id: _refund_form(p.id, left, p.currency)
        for p in invoice.payments
        if (left := billing.refundable(p)) > 0
    }
    if refund is not None:
        refund_forms[refund[0]] = refund[1]
    booking_id = invoice.booking_id
    live = promotions.live_redemptions(db.session, [booking_id] if booking_id else [])
    page = render_template(
        "admin/invoice.html",
        invoice=invoice,
        summary=summary,
        timezone=_studio_timezone(),
        payment_form=submitted.get("payment") or _payment_form(invoice, summary.balance),
        deposit_form=submitted.get("deposit") or _deposit_form(invoice, summary.balance),
        status_form=submitted.get("invoice_status") or _status_form(invoice),
        refund_forms=refund_forms,
        booking_promotions=live.get(booking_id or 0, []),
        promo_form=submitted.get("promo") or PromoCodeForm(prefix="promo", formdata=None),
        now=now(),
    )
    return page, status


# max: an id the database could never hold is a 404 from routing, not an overflow in the query.
INVOICE = "/invoices/<int(max=2147483647):invoice_id>"
ID = "<int(max=2147483647):{}>"


@bp.get(INVOICE)
@staff_required
def invoice(invoice_id: int) -> tuple[str, int]:
    """One invoice: client, booking, lines, payments with refunds, deposits applied, balance."""
    return _invoice_page(invoice_id)


def _done(invoice_id: int, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("admin.invoice", invoice_id=invoice_id), 303)


@bp.post(INVOICE + "/payments")
@staff_required
def record_payment(invoice_id: int) -> Response | tuple[str, int]:
    """Record money received outside the card processor (cash, cheque, transfer)."""
    invoice = billing.get_invoice(db.session, invoice_id)
    form = _payment_form(invoice, summarize(invoice).balance, submitted=True)
    status = 400
    if form.validate() and (amount := _minor_units(form.amount, invoice.currency)) is not None:
        try:
            billing.record_manual_payment(
                db.session,
                invoice_id=invoice_id,
                amount=amount,
                method_id=form.method.data,
                note=form.note.data or "",
                staff_id=_staff_id(),
                now=now(),
            )
        except _AMOUNT_ERRORS as error:
            status = show_error(form, error, form.amount)
        except billing.InvalidChoice as error:
            status = show_error(form, error, form.method)
        else:
            return _done(invoice_id, f"Recorded a payment of {_money(amount, invoice.currency)}.")
    return _invoice_page(invoice_id, status, payment=form)


@bp.post(INVOICE + "/deposits")
@staff_required
def apply_deposit(invoice_id: int) -> Response | tuple[str, int]:
    """Apply part or all of one of the client's deposits to this invoice."""
    invoice = billing.get_invoice(db.session, invoice_id)
    form = _deposit_form(invoice, summarize(invoice).balance, submitted=True)
    status = 400
    if form.validate() and (amount := _minor_units(form.amount, invoice.currency)) is not None:
        try:
            billing.apply_deposit(
                db.session,
                deposit_id=form.deposit.data or 0,
                invoice_id=invoice_id,
                amount=amount,
                staff_id=_staff_id(),
                now=now(),
            )
        except _AMOUNT_ERRORS as error:
            status = show_error(form, error, form.amount)
        except (billing.DepositNotApplicable, NotFound) as error:
            status = show_error(form, error, form.deposit)
        else:
            applied = _money(amount, invoice.currency)
            return _done(invoice_id, f"Applied {applied} of the client’s deposit.")
    return _invoice_page(invoice_id, status, deposit=form)


@bp.post(INVOICE + "/payments/" + ID.format("payment_id") + "/refund")
@staff_required
def refund_payment(invoice_id: int, payment_id: int) -> Response | tuple[str, int]:
    """Refund part or all of a payment: card payments through the processor."""
    invoice = billing.get_invoice(db.session, invoice_id)
    payment = next((p for p in invoice.payments if p.id == payment_id), None)
    if payment is None:
        raise NotFound("We could not find that payment on this invoice.")
    form = _refund_form(payment_id, billing.refundable(payment), payment.currency, submitted=True)
    status = 400
    if form.validate() and (amount := _minor_units(form.amount, payment.currency)) is not None:
        try:
            billing.refund_payment(
                db.session,
                payments.gateway(),
                payment_id=payment_id,
                amount=amount,
                reason=form.reason.data or "",
                staff_id=_staff_id(),
                now=now(),
            )
        except _AMOUNT_ERRORS as error:
            status = show_error(form, error, form.amount)
        except BookingError as error:
            status = show_error(form, error)
        else:
            return _done(invoice_id, f"Refunded {_money(amount, payment.currency)}.")
    return _invoice_page(invoice_id, status, refund=(payment_id, form))


@bp.post(INVOICE + "/refunds/" + ID.format("refund_id") + "/retry")
@staff_required
def retry_refund(invoice_id: int, refund_id: int) -> Response | tuple[str, int]:
    """Ask the card processor again about a pending refund (never refunds twice)."""
    invoice = billing.get_invoice(db.session, invoice_id)
    if not any(r.id == refund_id for p in invoice.payments for r in p.refunds):
        raise NotFound("We could not find that refund on this invoice.")
    try:
        refund = billing.retry_refund(db.session, payments.gateway(), refund_id)
    except BookingError as error:
        flash(str(error), "error")
        return _invoice_page(invoice_id, error.status_code)
    return _done(
        invoice_id, f"The refund of {_money(refund.amount, refund.payment.currency)} went through."
    )


@bp.post(INVOICE + "/status")
@staff_required
def set_status(invoice_id: int) -> Response | tuple[str, int]:
    """Change the invoice's status."""
    invoice = billing.get_invoice(db.session, invoice_id)
    form = _status_form(invoice, submitted=True)
    status = 400
    if form.validate():
        try:
            changed = billing.set_invoice_status(db.session, invoice_id, form.status.data)
        except billing.InvalidChoice as error:
            status = show_error(form, error, form.status)
        else:
            name = changed.status.name if changed.status else "no status"
            return _done(invoice_id, f"{changed.number} now has {name}.")
    return _invoice_page(invoice_id, status, invoice_status=form)


@bp.get("/clients/" + ID.format("client_id") + "/deposits")
@staff_required
def client_deposits(client_id: int) -> str:
    """A client's deposits with what is left on each, where they were applied, and the
    client's invoices to apply them to."""
    client = billing.find_client(db.session, client_id)
    return render_template(
        "admin/deposits.html",
        client=client,
        deposits=billing.client_deposits(db.session, client_id),
        rows=billing.list_invoices(db.session, client_id=client_id),
        timezone=_studio_timezone(),
    )
