"""The promo code on the widget's review step: shown when the studio un-hides it, applied in
place, a clear reason when it does not apply, deep links carrying a code, rate limits."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from core.models import (
    Booking,
    DiscountKind,
    FieldMode,
    Invoice,
    KindPreferences,
    PaymentOption,
    PriceCategory,
    Promotion,
    PromotionCode,
    PromotionQualifier,
    Redemption,
    ServiceKind,
    SlotState,
    TimeSlot,
)
from core.services.invoicing import summarize
from tests.conftest import NOW
from tests.web.conftest import to_review
from tests.web.helpers import log_in_client, text_of


def show_promo_field(make: Any) -> None:
    make._save(KindPreferences(kind=ServiceKind.SESSION, promo_code_mode=FieldMode.OPTIONAL))


def free_session_fee(make: Any, code: str = "FSF", **kw: Any) -> Promotion:
    row = make._save(
        Promotion(
            name="Free session fee",
            external_id=f"X{code}",
            discount_kind=DiscountKind.FREE,
            created_at=NOW,
            **kw,
        )
    )
    make._save(PromotionQualifier(promotion_id=row.id, category=PriceCategory.SESSION_FEE))
    make._save(PromotionCode(promotion_id=row.id, code=code, created_at=NOW))
    return row


def apply(web: Any, code: str, **headers: str) -> Any:
    return web.post("/book/promo", {"promo_code": code}, headers=headers)


HTMX = {"HX-Request": "true", "HX-Target": "price-summary"}


def test_the_field_is_hidden_until_the_studio_shows_it(web, make, priced_offer):
    slot = priced_offer(PaymentOption.FULL_AMOUNT)
    assert "Promo code" not in text_of(to_review(web, make, slot))
    show_promo_field(make)
    assert "Promo code" in text_of(web.get("/book/checkout"))


def test_a_type_that_takes_no_codes_never_shows_the_field(web, make, priced_offer):
    show_promo_field(make)
    slot = priced_offer(PaymentOption.FULL_AMOUNT, accepts_promo_codes=False)
    assert "Promo code" not in text_of(to_review(web, make, slot))


def test_applying_a_code_updates_the_price_in_place(web, make, priced_offer):
    show_promo_field(make)
    free_session_fee(make)
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))

    response = apply(web, "fsf", **HTMX)

    summary = text_of(response)
    assert response.status_code == 200
    assert "Free session fee (FSF) −$150.00" in summary
    assert "Total $40.00" in summary and "Due now: $40.00" in summary
    assert "<h1" not in response.get_data(as_text=True)  # only the summary swaps


def test_a_code_that_does_not_apply_says_why_and_changes_nothing(web, make, priced_offer):
    show_promo_field(make)
    free_session_fee(make, "WEEKEND", weekdays="56")  # the slot is on a Thursday
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))

    weekend = apply(web, "weekend", **HTMX)
    unknown = apply(web, "NOSUCH", **HTMX)

    assert weekend.status_code == unknown.status_code == 422
    assert "Saturday" in text_of(weekend) and "Total $190.00" in text_of(weekend)
    assert 'aria-invalid="true"' in weekend.get_data(as_text=True)
    unknown_message = re.search(r'id="promo-message"[^>]*>([^<]+)<', unknown.get_data(as_text=True))
    assert unknown_message and unknown_message.group(1).strip()


def test_paying_with_a_code_charges_the_discounted_amount(web, make, priced_offer, db_session):
    show_promo_field(make)
    free_session_fee(make)
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    apply(web, "FSF")

    assert web.post("/book/confirm").location.endswith("/book/pay")
    page = web.get("/book/pay").get_data(as_text=True)
    attempt = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
    amount = re.search(r'name="expected_amount" value="(\d+)"', page).group(1)
    assert amount == "4000"
    card = {"name": "Ada", "number": "4242 4242 4242 4242", "expiry": "12 / 30", "cvc": "123"}
    response = web.post("/book/pay", {**card, "attempt": attempt, "expected_amount": amount})

    assert response.status_code == 303
    invoice = db_session.scalars(select(Invoice)).one()
    assert summarize(invoice).total == 4000 and summarize(invoice).balance == 0
    assert db_session.scalar(select(Redemption.code)) == "FSF"


def test_a_fully_discounted_booking_skips_payment(web, make, priced_offer, db_session):
    show_promo_field(make)
    row = make._save(
        Promotion(
            name="On the house", external_id="X1", discount_kind=DiscountKind.FREE, created_at=NOW
        )
    )
    make._save(PromotionCode(promotion_id=row.id, code="GIFT", created_at=NOW))
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))

    summary = text_of(apply(web, "gift", **HTMX))
    assert "Due now: $0.00" in summary and "Nothing to pay" in summary

    response = web.post("/book/confirm")
    assert "/book/confirmed/" in response.location
    assert db_session.scalar(select(Redemption.code)) == "GIFT"


def test_a_deep_link_carries_the_code_to_the_review_step(web, make, priced_offer):
    show_promo_field(make)
    free_session_fee(make)
    slot = priced_offer(PaymentOption.FULL_AMOUNT)
    web.get("/book/fam?code=fsf")
    log_in_client(web, make.client())
    web.post("/book/fam/hold", {"slot_id": slot.id})

    review = text_of(web.get("/book/checkout"))

    assert "Free session fee (FSF) −$150.00" in review and "Total $40.00" in review


def test_removing_the_code_restores_the_price(web, make, priced_offer):
    show_promo_field(make)
    free_session_fee(make)
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    apply(web, "FSF")

    removed = web.post("/book/promo", {"action": "remove"}, headers=HTMX)

    assert "Total $190.00" in text_of(removed)


def test_entering_codes_is_rate_limited(web, make, priced_offer, app):
    show_promo_field(make)
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    limit = int(app.config["PROMO_CODE_RATE_LIMIT"].split()[0])

    responses = [apply(web, f"GUESS{n}", **HTMX) for n in range(limit + 1)]

    assert [r.status_code for r in responses[:limit]] == [422] * limit
    assert responses[-1].status_code == 429
    assert "Too many codes tried. Please wait a minute" in text_of(responses[-1])


# --- nothing due online: the booking gets the price the review step showed ----------------------


def test_a_code_shown_applying_is_redeemed_when_nothing_is_due_online(
    web, make, priced_offer, db_session
):
    show_promo_field(make)
    free_session_fee(make)
    to_review(web, make, priced_offer(None))
    assert "Total $40.00" in text_of(apply(web, "fsf", **HTMX))

    response = web.post("/book/confirm")

    assert "/book/confirmed/" in response.location
    assert summarize(db_session.scalars(select(Invoice)).one()).total == 4000
    assert db_session.scalar(select(Redemption.code)) == "FSF"


def test_a_code_that_stopped_applying_since_the_review_keeps_the_time_and_shows_the_new_price(
    web, make, priced_offer, db_session
):
    show_promo_field(make)
    promotion = free_session_fee(make)
    slot = priced_offer(None)
    to_review(web, make, slot)
    assert "Total $40.00" in text_of(apply(web, "FSF", **HTMX))
    promotion.active = False  # the studio ends it while the client reads the review
    make.session.commit()

    refused = web.post("/book/confirm")

    assert refused.status_code == 409
    page = text_of(refused)
    assert "Remove the code or try another." in page
    assert "Total $190.00" in page and "Confirm booking" in page
    assert db_session.scalars(select(Booking)).all() == []
    assert db_session.get(TimeSlot, slot.id).state is SlotState.HELD
    # Confirming again books what the page now shows: the full price, no code.
    assert "/book/confirmed/" in web.post("/book/confirm").location
    assert summarize(db_session.scalars(select(Invoice)).one()).total == 19000
    assert db_session.scalars(select(Redemption)).all() == []


def test_confirming_without_opening_the_review_prices_the_booking_first(
    web, make, priced_offer, db_session
):
    """No price shown for the held time (the review step skipped): the typed code is checked
    before booking, as the review would have."""
    show_promo_field(make)
    free_session_fee(make)
    slot = priced_offer(None)
    web.get("/book/fam?code=fsf")
    log_in_client(web, make.client())
    web.post("/book/fam/hold", {"slot_id": slot.id})

    response = web.post("/book/confirm")

    assert "/book/confirmed/" in response.location
    assert db_session.scalar(select(Redemption.code)) == "FSF"
