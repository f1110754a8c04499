"""The payment step: pay what the session type asks for online, then the booking is final."""

from __future__ import annotations

import secrets

from flask import current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from core.services import checkout
from core.services.checkout import PaymentSource, PriceChanged
from core.services.errors import BookingError, InvalidDetails
from core.services.invoicing import preferences
from core.services.payments import DEMO_CARDS, CardDetails, PaymentDeclined
from web.auth import current_client
from web.booking_mail import booking_mailer
from web.clock import now
from web.extensions import db
from web.payments import gateway
from widget import bp
from widget.embedding import visit_attribution
from widget.forms import CardForm, StripeForm
from widget.holds import current_hold, forget_hold
from widget.promo import code_to_redeem, forget_code
from widget.views import forget_answers, held_booking_context, remembered_answers

Page = str | tuple[str, int] | Response


def _stripe_mode() -> bool:
    return bool(current_app.config["PAYMENT_GATEWAY"] == "stripe")


def _render(context: dict[str, object], form: CardForm | StripeForm, status: int = 200) -> Page:
    """The pay page with a fresh attempt key: a new key is a new attempt (after a decline)."""
    form.attempt.data = secrets.token_urlsafe(24)
    form.expected_amount.data = context["quote"].due.amount  # type: ignore[attr-defined]
    return render_template(
        "widget/pay.html",
        form=form,
        demo_cards=DEMO_CARDS,
        stripe_mode=_stripe_mode(),
        stripe_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        **context,
    ), status


@bp.get("/book/pay")
def pay() -> Page:
    """Step 4b: the card form, when the session type asks for payment online."""
    context = held_booking_context()
    if not isinstance(context, dict):
        return context
    if context["quote"].due.amount == 0:  # type: ignore[attr-defined]
        return redirect(url_for(".checkout"), 303)
    return _render(context, StripeForm() if _stripe_mode() else CardForm())


@bp.post("/book/pay")
def pay_submit() -> Page:
    """Charge once per attempt key and book; a decline keeps the hold and says why."""
    client = current_client()
    done = client and checkout.booking_for_attempt(
        db.session, request.form.get("attempt", ""), client.id
    )
    if done:  # a resubmit of a form that already paid: show its confirmation again
        return redirect(url_for(".confirmed", public_id=done.public_id), 303)
    context = held_booking_context()
    if not isinstance(context, dict):
        return context
    form: CardForm | StripeForm = StripeForm() if _stripe_mode() else CardForm()
    if not form.validate():
        return _render(context, form, 400)
    try:
        answers = remembered_answers(context)
    except InvalidDetails:  # the review step's questions were not answered: back there
        return redirect(url_for(".checkout"), 303)
    try:
        booking = checkout.pay_and_book(
            db.session,
            gateway(),
            hold=current_hold(),
            client_id=current_client().id,  # type: ignore[arg-type, union-attr]
            idempotency_key=form.attempt.data,
            expected_amount=form.expected_amount.data,
            source=_source(form),
            method=_method_name(),
            now=now(),
            notes=answers.notes,
            reason_id=answers.reason_id,
            description=answers.description,
            booked_by_id=answers.booked_by_id,
            answers=answers.questions,
            promo_code=code_to_redeem(context["service_type"], context["quote"]),  # type: ignore[arg-type]
            mailer=booking_mailer(),
            attribution=visit_attribution(),
        )
    except (PaymentDeclined, PriceChanged) as error:
        form.form_errors.append(str(error))
        return _render(held_booking_context(), form, error.status_code)  # type: ignore[arg-type]
    except BookingError as error:
        forget_hold()
        slug = context["service_type"].slug  # type: ignore[attr-defined]
        return render_template(
            "widget/problem.html",
            message=str(error),
            back_url=url_for(".book_type", slug=slug),
            back_label="Choose a time",
        ), error.status_code
    forget_hold()
    forget_answers()
    forget_code()
    return redirect(url_for(".confirmed", public_id=booking.public_id), 303)


def _source(form: CardForm | StripeForm) -> PaymentSource:
    if isinstance(form, StripeForm):
        return PaymentSource(payment_method=form.payment_method.data)
    month, year = form.expiry_month_year()
    card = CardDetails(
        number=form.number.data,
        exp_month=month,
        exp_year=year,
        cvc=form.cvc.data,
        name=form.name.data or "",
    )
    return PaymentSource(card=card)


def _method_name() -> str:
    """The Invoices preference's default payment method, recorded on the payment."""
    method = preferences(db.session).default_payment_method
    return method.name if method is not None else "Credit card"
