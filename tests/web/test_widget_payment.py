"""The widget's price, payment and receipt steps, for each of the three payment options."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.models import (
    Booking,
    Payment,
    PaymentOption,
    SlotState,
    TimeSlot,
)
from core.services.payments.testmode import LedgerCharge
from tests.web.conftest import to_review
from tests.web.helpers import log_in_client, text_of

VISA = {"name": "Ada Client", "number": "4242 4242 4242 4242", "expiry": "12 / 30", "cvc": "123"}


def pay_form(web):
    page = web.get("/book/pay")
    html = page.get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="([^"]+)"', html).group(1)
    amount = re.search(r'name="expected_amount" value="(\d+)"', html).group(1)
    return page, {"attempt": attempt, "expected_amount": amount}


def test_review_shows_the_invoice_lines_total_and_what_is_due_now(web, make, priced_offer):
    review = text_of(to_review(web, make, priced_offer(PaymentOption.LISTED_AMOUNT, 5000)))
    assert "Session fee 1 $150.00" in review and "5x7 print 2 $40.00" in review
    assert "Total $190.00" in review
    assert "Due now: $50.00" in review and "the rest is due at the studio" in review
    assert "Continue to payment" in review


def test_paying_by_card_books_and_shows_a_receipt(web, make, priced_offer, db_session):
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    assert web.post("/book/confirm").location.endswith("/book/pay")
    _, hidden = pay_form(web)
    assert hidden["expected_amount"] == "19000"
    response = web.post("/book/pay", {**VISA, **hidden})
    assert response.status_code == 303
    receipt = text_of(web.get(response.location))
    assert "Paid $190.00 by Credit card (Visa ending 4242)" in receipt
    assert "Balance $0.00" in receipt


def test_a_listed_amount_leaves_a_balance_due_at_the_studio(web, make, priced_offer):
    to_review(web, make, priced_offer(PaymentOption.LISTED_AMOUNT, 5000))
    _, hidden = pay_form(web)
    response = web.post("/book/pay", {**VISA, **hidden})
    assert "Balance $140.00 due at the studio" in text_of(web.get(response.location))


def test_a_deposit_is_paid_and_kept_on_the_account(web, make, priced_offer):
    to_review(web, make, priced_offer(PaymentOption.DEPOSIT, 7500))
    _, hidden = pay_form(web)
    response = web.post("/book/pay", {**VISA, **hidden})
    receipt = text_of(web.get(response.location))
    assert "Paid $75.00" in receipt and "Deposit $75.00 kept on your account" in receipt


def test_nothing_to_pay_skips_the_payment_step(web, make, priced_offer, db_session):
    to_review(web, make, priced_offer(None))
    response = web.post("/book/confirm")
    assert "/book/confirmed/" in response.location
    assert db_session.scalar(select(func.count()).select_from(Payment)) == 0
    assert "Balance $190.00" in text_of(web.get(response.location))


def test_the_pay_page_is_skipped_when_nothing_is_due(web, make, priced_offer):
    to_review(web, make, priced_offer(None))
    assert web.get("/book/pay").location.endswith("/book/checkout")


def test_a_declined_card_says_why_keeps_the_hold_and_offers_a_new_attempt(
    web, make, priced_offer, db_session
):
    slot = priced_offer(PaymentOption.FULL_AMOUNT)
    to_review(web, make, slot)
    _, hidden = pay_form(web)
    response = web.post("/book/pay", {**VISA, "number": "4000 0000 0000 9995", **hidden})
    assert response.status_code == 402
    assert "Your card was declined: insufficient funds." in text_of(response)
    assert f'value="{hidden["attempt"]}"' not in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(TimeSlot, slot.id).state is SlotState.HELD
    assert 'value="Ada Client"' in response.get_data(as_text=True)  # what was typed stays


def test_a_tampered_amount_is_refused_and_nothing_is_charged(web, make, priced_offer, db_session):
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    _, hidden = pay_form(web)
    response = web.post("/book/pay", {**VISA, **hidden, "expected_amount": "100"})
    assert response.status_code == 409 and "amount to pay changed" in text_of(response)
    assert db_session.scalar(select(func.count()).select_from(LedgerCharge)) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("number", "", "Enter your card number."),
        ("number", "4242 abcd", "digits only"),
        ("expiry", "13/30", "MM / YY"),
        ("cvc", "12", "3 or 4 digits"),
    ],
)
def test_an_incomplete_card_form_is_a_400_next_to_the_field(
    web, make, priced_offer, field, value, message
):
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    _, hidden = pay_form(web)
    response = web.post("/book/pay", {**VISA, **hidden, field: value})
    assert response.status_code == 400 and message in text_of(response)


def test_an_expired_card_is_declined_before_any_charge(web, make, priced_offer, db_session):
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    _, hidden = pay_form(web)
    response = web.post("/book/pay", {**VISA, **hidden, "expiry": "01 / 20"})
    assert response.status_code == 402 and "expired" in text_of(response)


def test_resubmitting_a_paid_attempt_charges_once(app, web, make, priced_offer, db_session):
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    _, hidden = pay_form(web)
    cookie = web.raw.get_cookie("studiobook", domain="studio.test")
    first = web.post("/book/pay", {**VISA, **hidden})
    # The network dropped the answer: the browser sends the same form with its old cookie.
    web.raw.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    second = web.post("/book/pay", {**VISA, **hidden})
    assert second.location == first.location
    assert db_session.scalar(select(func.count()).select_from(LedgerCharge)) == 1
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 1


def test_the_pay_page_needs_a_held_time(web, make):
    log_in_client(web, make.client())
    assert web.get("/book/pay").location.endswith("/book")


def test_resubmitting_after_the_confirmation_shows_it_again(web, make, priced_offer, db_session):
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    _, hidden = pay_form(web)
    first = web.post("/book/pay", {**VISA, **hidden})
    again = web.post("/book/pay", {**VISA, **hidden})
    assert again.status_code == 303 and again.location == first.location
    assert db_session.scalar(select(func.count()).select_from(LedgerCharge)) == 1
