"""A promo item's code (seed 000: a promotional price list item the type offers) typed on the
widget's review step: applied in place like a promotion code, then on the booking's invoice."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import insert, select

from core.models import (
    Invoice,
    PaymentOption,
    PriceCategory,
    PriceListItem,
    Redemption,
    service_type_promo_item,
)
from core.services.invoicing import summarize
from tests.web.conftest import to_review
from tests.web.helpers import text_of
from tests.web.test_widget_promo import HTMX, apply, show_promo_field


def offer_item(make: Any, slot: Any, code: str, price: int, name: str) -> PriceListItem:
    """A promotional item offered by the slot's type."""
    item = make._save(
        PriceListItem(code=code, name=name, category=PriceCategory.PROMOTIONAL, price=price)
    )
    make.session.execute(
        insert(service_type_promo_item).values(
            service_type_id=slot.service_types[0].id, item_id=item.id
        )
    )
    make.session.commit()
    return item  # type: ignore[no-any-return]


def message_of(response: Any) -> str:
    found = re.search(r'id="promo-message"[^>]*>([^<]*)<', response.get_data(as_text=True))
    assert found is not None
    return found.group(1).strip()


def test_a_promo_item_code_takes_its_value_off_in_place(web, make, priced_offer):
    show_promo_field(make)
    slot = priced_offer(PaymentOption.FULL_AMOUNT)
    offer_item(make, slot, "SPRING25", 2500, "Spring credit")
    to_review(web, make, slot)

    response = apply(web, "spring25", **HTMX)

    summary = text_of(response)
    assert response.status_code == 200
    assert "Spring credit (SPRING25) −$25.00" in summary
    assert "Total $165.00" in summary and "Due now: $165.00" in summary
    assert message_of(response) == "Code SPRING25 applied: $25.00 off."


def test_a_free_item_is_noted_and_the_price_stays(web, make, priced_offer):
    show_promo_field(make)
    slot = priced_offer(PaymentOption.FULL_AMOUNT)
    offer_item(make, slot, "FREE810", 0, "Free 8x10 print")
    to_review(web, make, slot)

    response = apply(web, "free810", **HTMX)

    assert response.status_code == 200
    assert "Free 8x10 print (FREE810) noted" in text_of(response)
    assert "Total $190.00" in text_of(response)


def test_an_item_the_type_does_not_offer_reads_like_an_unknown_code(web, make, priced_offer):
    show_promo_field(make)
    slot = priced_offer(PaymentOption.FULL_AMOUNT)
    make._save(
        PriceListItem(
            code="ELSEWHERE", name="Other", category=PriceCategory.PROMOTIONAL, price=2500
        )
    )
    to_review(web, make, slot)

    not_offered = apply(web, "ELSEWHERE", **HTMX)
    unknown = apply(web, "NOSUCH", **HTMX)

    assert not_offered.status_code == unknown.status_code == 422
    assert message_of(not_offered) == message_of(unknown)
    assert "Total $190.00" in text_of(not_offered)


def test_paying_with_a_promo_item_puts_its_line_on_the_invoice(web, make, priced_offer, db_session):
    show_promo_field(make)
    slot = priced_offer(PaymentOption.FULL_AMOUNT)
    item = offer_item(make, slot, "SPRING25", 2500, "Spring credit")
    to_review(web, make, slot)
    apply(web, "Spring25")

    assert web.post("/book/confirm").location.endswith("/book/pay")
    page = web.get("/book/pay").get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
    amount = re.search(r'name="expected_amount" value="(\d+)"', page).group(1)
    assert amount == "16500"
    card = {"name": "Ada", "number": "4242 4242 4242 4242", "expiry": "12 / 30", "cvc": "123"}
    response = web.post("/book/pay", {**card, "attempt": attempt, "expected_amount": amount})

    assert response.status_code == 303
    invoice = db_session.scalars(select(Invoice)).one()
    assert summarize(invoice).total == 16500 and summarize(invoice).balance == 0
    assert [(line.code, line.description, line.amount) for line in invoice.lines[-1:]] == [
        ("SPRING25", "Spring credit", 0)
    ]
    redemption = db_session.scalars(select(Redemption)).one()
    assert (redemption.promo_item_id, redemption.promotion_id) == (item.id, None)
