"""Fixtures for the web tests."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import PaymentOption, PriceCategory, PriceListItem, ServiceTypeItem
from tests.conftest import WebClient
from tests.factories import PASSWORD
from tests.web.helpers import at, log_in_client


@pytest.fixture
def staff_web(web: WebClient, make: Any) -> WebClient:
    """`web` with a staff member logged in (following the redirect picks up a fresh CSRF token)."""
    staff = make.staff()
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)
    return web


@pytest.fixture
def priced_offer(make: Any) -> Any:
    """A factory: a type with a $150 session fee and 2 × $20 prints, on one open slot."""

    def build(option: PaymentOption | None, amount: int | None = None, **kw: Any) -> Any:
        fee = make._save(
            PriceListItem(
                code=f"SF{option}",
                name="Session fee",
                category=PriceCategory.SESSION_FEE,
                price=15000,
            )
        )
        prints = make._save(
            PriceListItem(
                code=f"PR{option}", name="5x7 print", category=PriceCategory.PRODUCT, price=2000
            )
        )
        settings = {
            "auto_create_invoice": True,
            "online_payment_required": option is not None,
            "payment_option": option,
            "payment_amount": amount,
            "slug": "fam",
        }
        service_type = make.service_type(**{**settings, **kw})
        service_type.items = [
            ServiceTypeItem(item=fee, quantity=1, position=0),
            ServiceTypeItem(item=prints, quantity=2, position=1),
        ]
        make.session.commit()
        return make.slot(at(2026, 12, 3, 15), service_types=[service_type])

    return build


def to_review(web: WebClient, make: Any, slot: Any) -> Any:
    """Log a new client in, hold `slot` (of the type with slug "fam") and open the review."""
    log_in_client(web, make.client())
    web.post("/book/fam/hold", {"slot_id": slot.id})
    return web.get("/book/checkout")
