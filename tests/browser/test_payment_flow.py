"""A client pays by card in the widget (test mode) and sees the receipt."""

from __future__ import annotations

import re

import pytest

from tests.browser.steps import to_review

pytestmark = pytest.mark.browser


def test_a_client_pays_the_full_amount_by_card_and_gets_a_receipt(page, demo_server, shots):
    to_review(page, demo_server, "alex@example.com")
    assert "Due now: $150.00" in page.inner_text("main")
    shots(page, "review-with-price")
    page.get_by_label("Outfit changes").select_option("1")  # the demo's required question
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("heading", name="Pay $150.00").wait_for()
    page.get_by_label("Name on card").fill("Alex Rivera")
    page.get_by_label("Card number").fill("4000 0000 0000 9995")
    page.get_by_label("Expiry (MM / YY)").fill("12 / 30")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name=re.compile("Pay \\$150.00")).click()
    page.get_by_text("Your card was declined: insufficient funds.").wait_for()
    shots(page, "declined")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name=re.compile("Pay \\$150.00")).click()
    page.get_by_role("heading", name="You're booked!").wait_for()
    receipt = " ".join(page.inner_text(".receipt").split())
    assert "Paid $150.00 by Credit card (Visa ending 4242)" in receipt
    assert "Balance $0.00" in receipt
    shots(page, "receipt")
