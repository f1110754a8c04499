"""The pay step in Stripe mode, against localstripe: the card never reaches our server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from core.models import Payment, PaymentOption
from core.services.payments import StripeGateway
from tests.localstripe import API_KEY, needs_localstripe
from tests.web.conftest import to_review
from tests.web.helpers import text_of

pytestmark = needs_localstripe


@pytest.fixture
def stripe_app(app: Any, localstripe: str) -> Iterator[Any]:
    gateway = StripeGateway(API_KEY, api_base=localstripe, max_network_retries=0)
    settings = {"PAYMENT_GATEWAY": "stripe", "STRIPE_PUBLISHABLE_KEY": "pk_test_local"}
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)
    app.extensions["studiobook_gateway"] = gateway
    yield app
    app.config.update(saved)
    del app.extensions["studiobook_gateway"]
    gateway.close()


def test_the_stripe_pay_page_asks_stripe_js_for_the_card_not_us(
    stripe_app, web, make, priced_offer
):
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    page = web.get("/book/pay")
    html = page.get_data(as_text=True)
    assert 'name="number"' not in html and 'name="cvc"' not in html
    assert 'data-stripe-key="pk_test_local"' in html and "js.stripe.com/v3" in html
    assert "https://js.stripe.com" in page.headers["Content-Security-Policy"]


def test_a_stripe_payment_method_books_and_is_recorded(
    stripe_app, web, make, priced_offer, db_session
):
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    html = web.get("/book/pay").get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="([^"]+)"', html).group(1)
    response = web.post(
        "/book/pay",
        {"payment_method": "pm_card_visa", "attempt": attempt, "expected_amount": "19000"},
    )
    assert response.status_code == 303
    assert "Paid $190.00 by Credit card (Visa ending 4242)" in text_of(web.get(response.location))
    payment = db_session.scalar(select(Payment))
    assert payment.gateway == "stripe" and payment.reference.startswith("pi_")
