"""The promotions of an invoice's booking: staff apply a promo code, change it, or take one
promotion off (issue 5). Clients cannot change a code once booked; only these routes can."""

from __future__ import annotations

from flask import flash
from werkzeug.wrappers import Response

from admin import bp
from admin.forms import PromoCodeForm
from admin.views_common import show_error, staff_required
from admin.views_invoices import ID, INVOICE, _done, _invoice_page, _money
from core.rules.promotions import normalize_code
from core.services import billing, promotion_changes
from core.services.errors import BookingError
from core.services.invoicing import summarize
from core.services.promotion_changes import Change, NotChangeable
from web.clock import now
from web.extensions import db

_NO_BOOKING = "This invoice is not for a booking: promo codes discount bookings."


def _changed(invoice_id: int, change: Change, done: str) -> Response:
    """Back to the invoice, saying what the total became (and that money is owed back)."""
    message = promotion_changes.change_message(db.session, change, done)
    balance = summarize(billing.get_invoice(db.session, invoice_id)).balance
    if balance < 0:
        message += f" It is overpaid by {_money(-balance, change.currency)}: refund it below."
    return _done(invoice_id, message)


@bp.post(INVOICE + "/promotions")
@staff_required
def change_promo_code(invoice_id: int) -> Response | tuple[str, int]:
    """Apply a promo code to the booking (in the studio), instead of the code it has."""
    invoice = billing.get_invoice(db.session, invoice_id)
    form = PromoCodeForm(prefix="promo")
    form.validate()  # nothing to check here (the core does): it readies the fields' errors
    typed = form.code.data or ""
    try:
        if invoice.booking_id is None:
            raise NotChangeable(_NO_BOOKING)
        change = promotion_changes.change_code(
            db.session, booking_id=invoice.booking_id, code=typed, now=now()
        )
    except NotChangeable as error:  # the page offers no form: the message goes on top
        flash(str(error), "error")
        return _invoice_page(invoice_id, error.status_code)
    except BookingError as error:
        return _invoice_page(invoice_id, show_error(form, error, form.code), promo=form)
    return _changed(invoice_id, change, f"Promo code {normalize_code(typed)} applied.")


@bp.post(INVOICE + "/promotions/" + ID.format("redemption_id") + "/remove")
@staff_required
def remove_promotion(invoice_id: int, redemption_id: int) -> Response | tuple[str, int]:
    """Take one promotion off the booking: its use counts again, its discount comes off."""
    invoice = billing.get_invoice(db.session, invoice_id)
    try:
        if invoice.booking_id is None:
            raise NotChangeable(_NO_BOOKING)
        change = promotion_changes.remove_promotion(
            db.session, booking_id=invoice.booking_id, redemption_id=redemption_id, now=now()
        )
    except BookingError as error:
        flash(str(error), "error")
        return _invoice_page(invoice_id, error.status_code)
    return _changed(invoice_id, change, f"{change.removed} taken off this booking.")
