"""Card payments: one Gateway interface, a test mode on the app's database, and Stripe."""

from __future__ import annotations

from typing import Any

from core.services.payments.gateway import (
    CardDetails,
    Charge,
    ChargeRequest,
    Gateway,
    GatewayUnavailable,
    IdempotencyConflict,
    PaymentDeclined,
    Refund,
    RefundRefused,
)
from core.services.payments.stripe_gateway import StripeGateway
from core.services.payments.testmode import DEMO_CARDS, TestModeGateway

__all__ = [
    "DEMO_CARDS",
    "CardDetails",
    "Charge",
    "ChargeRequest",
    "Gateway",
    "GatewayUnavailable",
    "IdempotencyConflict",
    "PaymentDeclined",
    "Refund",
    "RefundRefused",
    "StripeGateway",
    "TestModeGateway",
    "make_gateway",
]


def make_gateway(name: str, **settings: Any) -> Gateway:
    """The gateway called `name`, built from its settings.

    "test": TestModeGateway(engine=..., clock=optional);
    "stripe": StripeGateway(api_key=..., api_base=optional, and StripeGateway's other options).
    Raises ValueError for another name, KeyError for a missing required setting.
    """
    if name == "test":
        return TestModeGateway(settings["engine"], clock=settings.get("clock"))
    if name == "stripe":
        options = {k: v for k, v in settings.items() if k != "api_key"}
        return StripeGateway(settings["api_key"], **options)
    raise ValueError(f"unknown payment gateway {name!r}: use 'test' or 'stripe'")
