"""The Stripe gateway against localstripe, a stateful Stripe stand-in run as a subprocess."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from core.services.payments import (
    ChargeRequest,
    GatewayUnavailable,
    PaymentDeclined,
    RefundRefused,
    StripeGateway,
)
from tests.localstripe import API_KEY, free_port, needs_localstripe

pytestmark = needs_localstripe

DECLINING_METHOD = "pm_card_chargeCustomerFail"  # localstripe's card 4000 0000 0000 0341


@pytest.fixture
def gateway(localstripe: str) -> Iterator[StripeGateway]:
    gateway = StripeGateway(API_KEY, api_base=localstripe, max_network_retries=0)
    yield gateway
    gateway.close()


def request(payment_method: str = "pm_card_visa", amount: int = 12500) -> ChargeRequest:
    return ChargeRequest(
        amount=amount,
        currency="USD",
        idempotency_key=f"attempt-{uuid.uuid4().hex}",
        description="Family portrait session",
        payment_method=payment_method,
    )


def test_a_visa_test_method_is_charged(gateway: StripeGateway) -> None:
    charge = gateway.charge(request(amount=12500))

    assert charge.status == "succeeded"
    assert charge.reference.startswith("pi_")
    assert (charge.amount, charge.currency) == (12500, "USD")
    assert (charge.card_brand, charge.last4) == ("visa", "4242")


def test_a_declining_test_method_is_declined_with_the_processors_message(
    gateway: StripeGateway,
) -> None:
    attempt = request(DECLINING_METHOD)

    with pytest.raises(PaymentDeclined) as declined:
        gateway.charge(attempt)

    assert str(declined.value) == "Your card was declined."
    assert declined.value.status_code == 402
    found = gateway.find_charge(attempt.idempotency_key)
    assert found is not None
    assert (found.status, found.failure_message) == ("failed", "Your card was declined.")


def test_find_charge_finds_the_charge_made_with_a_key(gateway: StripeGateway) -> None:
    attempt = request()
    charge = gateway.charge(attempt)
    gateway.charge(request())  # another key, another intent

    assert gateway.find_charge(attempt.idempotency_key) == charge
    assert gateway.find_charge("attempt-never-made") is None


def test_a_full_refund_leaves_nothing_to_refund(gateway: StripeGateway) -> None:
    charge = gateway.charge(request(amount=12500))

    refund = gateway.refund(charge.reference, 12500, f"refund-{uuid.uuid4().hex}")

    assert (refund.charge_reference, refund.amount) == (charge.reference, 12500)
    assert refund.reference.startswith("re_")
    with pytest.raises(RefundRefused, match="already been refunded in full"):
        gateway.refund(charge.reference, 100, f"refund-{uuid.uuid4().hex}")


def test_partial_refunds_stop_at_what_is_left(gateway: StripeGateway) -> None:
    charge = gateway.charge(request(amount=12500))
    gateway.refund(charge.reference, 5000, f"refund-{uuid.uuid4().hex}")
    gateway.refund(charge.reference, 5000, f"refund-{uuid.uuid4().hex}")

    with pytest.raises(RefundRefused) as refused:
        gateway.refund(charge.reference, 5000, f"refund-{uuid.uuid4().hex}")

    assert str(refused.value) == (
        "Only $25.00 of this payment can still be refunded, less than the $50.00 asked for."
    )
    assert gateway.refund(charge.reference, 2500, f"refund-{uuid.uuid4().hex}").amount == 2500


def test_a_refund_key_replays_the_same_refund(gateway: StripeGateway) -> None:
    charge = gateway.charge(request(amount=12500))
    key = f"refund-{uuid.uuid4().hex}"

    first = gateway.refund(charge.reference, 5000, key)
    again = gateway.refund(charge.reference, 5000, key)

    assert again == first
    # Only 5000 went back, so 7500 still can.
    assert gateway.refund(charge.reference, 7500, f"refund-{uuid.uuid4().hex}").amount == 7500


def test_a_declined_or_unknown_payment_cannot_be_refunded(gateway: StripeGateway) -> None:
    attempt = request(DECLINING_METHOD)
    with pytest.raises(PaymentDeclined):
        gateway.charge(attempt)
    declined = gateway.find_charge(attempt.idempotency_key)
    assert declined is not None

    with pytest.raises(RefundRefused, match="did not go through"):
        gateway.refund(declined.reference, 100, f"refund-{uuid.uuid4().hex}")
    with pytest.raises(RefundRefused, match="no payment with that reference"):
        gateway.refund("pi_unknown", 100, f"refund-{uuid.uuid4().hex}")


def test_a_processor_that_does_not_answer_is_unavailable() -> None:
    gateway = StripeGateway(
        API_KEY, api_base=f"http://127.0.0.1:{free_port()}", max_network_retries=0, timeout=2
    )
    try:
        with pytest.raises(GatewayUnavailable, match="You have not been charged"):
            gateway.charge(request())
        with pytest.raises(GatewayUnavailable):
            gateway.find_charge("attempt-1")
        with pytest.raises(GatewayUnavailable, match="No refund was made"):
            gateway.refund("pi_x", 100, "refund-1")
    finally:
        gateway.close()
