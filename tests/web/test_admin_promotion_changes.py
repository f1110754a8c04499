"""Staff apply, change and remove the promo code of a booking on its invoice page; the client
page lists the client's promotion uses; clients cannot change a code once booked."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from core.models import (
    BookedVia,
    Booking,
    DiscountKind,
    Invoice,
    PaymentOption,
    Redemption,
)
from core.services import billing
from core.services.booking import book, cancel
from core.services.invoicing import summarize
from tests.conftest import NOW, WebClient
from tests.services.test_billing import make_invoice
from tests.services.test_promotions_store import promotion
from tests.web.conftest import to_review
from tests.web.helpers import count_queries, text_of
from tests.web.test_widget_promo import apply, free_session_fee, show_promo_field

FULL = 19000  # a $150 session fee and two $20 prints


@pytest.fixture
def offer(priced_offer: Any) -> Any:
    """An open slot of a type whose invoice totals $190.00."""
    return priced_offer(None)


@pytest.fixture
def codes(db_session: Any) -> None:
    promotion(db_session, "FSF")  # the session fee free: $150.00 off
    promotion(db_session, "TEN", name="Ten off", discount_kind=DiscountKind.AMOUNT, amount=1000)
    promotion(db_session, "ONCE", name="One time", max_uses=1)


def booked(db_session: Any, make: Any, slot: Any, code: str = "", **kw: Any) -> Booking:
    return book(
        db_session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        client_id=kw.pop("client", None) or make.client().id,
        now=NOW,
        via=BookedVia.STAFF,
        promo_code=code,
        **kw,
    )


def second_slot(make: Any, slot: Any, days: int = 1) -> Any:
    return make.slot(slot.start_at + timedelta(days=days), service_types=slot.service_types)


def invoice_of(db_session: Any, booking: Booking) -> Invoice:
    db_session.expire_all()
    invoice = db_session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert invoice is not None
    return invoice


def url(invoice: Invoice, *rest: str) -> str:
    return "/".join([f"/admin/invoices/{invoice.id}", *rest])


def live_codes(db_session: Any, booking: Booking) -> list[str]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(Redemption.code).where(
                Redemption.booking_id == booking.id, Redemption.released_at.is_(None)
            )
        )
    )


def field_error(response: Any) -> str:
    found = re.search(r'id="promo-code-error">([^<]*)<', response.get_data(as_text=True))
    return found.group(1) if found else ""


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["promotions", "promotions/1/remove"])
def test_anonymous_visitors_are_sent_to_log_in_and_nothing_changes(
    web: WebClient, db_session: Any, make: Any, offer: Any, codes: None, action: str
) -> None:
    invoice = invoice_of(db_session, booked(db_session, make, offer, "FSF"))

    response = web.post(url(invoice, action), {"promo-code": "TEN"})

    assert response.status_code == 303
    assert response.location.startswith("/admin/login")
    assert summarize(invoice_of(db_session, invoice.booking)).total == 4000


# --- the invoice page -----------------------------------------------------------------------------


def test_the_invoice_page_lists_the_bookings_promotions_with_remove(
    staff_web: WebClient, db_session: Any, make: Any, offer: Any, codes: None
) -> None:
    invoice = invoice_of(db_session, booked(db_session, make, offer, "FSF"))

    response = staff_web.get(url(invoice))
    page = text_of(response)

    assert "Promotions" in page
    assert "Free session fee FSF $150.00 Remove" in page
    assert "Change code" in page
    assert 'aria-label="Remove Free session fee"' in response.get_data(as_text=True)


def test_a_booking_without_promotions_offers_to_apply_a_code(
    staff_web: WebClient, db_session: Any, make: Any, offer: Any
) -> None:
    invoice = invoice_of(db_session, booked(db_session, make, offer))

    page = text_of(staff_web.get(url(invoice)))

    assert "No promotion on this booking." in page and "Apply a promo code" in page


def test_staff_apply_a_code_to_a_booking_that_had_none(
    staff_web: WebClient, db_session: Any, make: Any, offer: Any, codes: None
) -> None:
    booking = booked(db_session, make, offer)
    invoice = invoice_of(db_session, booking)

    response = staff_web.post(url(invoice, "promotions"), {"promo-code": " fsf "})

    assert response.status_code == 303 and response.location == url(invoice)
    page = text_of(staff_web.get(response.location))
    assert "Promo code FSF applied. The invoice total went from $190.00 to $40.00." in page
    assert "Promotion: Free session fee" in page
    assert summarize(invoice_of(db_session, booking)).total == 4000
    assert live_codes(db_session, booking) == ["FSF"]


def test_changing_the_code_gives_the_old_discount_back(
    staff_web: WebClient, db_session: Any, make: Any, offer: Any, codes: None
) -> None:
    booking = booked(db_session, make, offer, "FSF")
    invoice = invoice_of(db_session, booking)

    response = staff_web.post(url(invoice, "promotions"), {"promo-code": "TEN"})

    assert response.status_code == 303
    assert "went from $40.00 to $180.00" in text_of(staff_web.get(response.location))
    assert live_codes(db_session, booking) == ["TEN"]


def test_removing_a_single_use_code_lets_another_booking_use_it(
    staff_web: WebClient, db_session: Any, make: Any, offer: Any, codes: None
) -> None:
    first = booked(db_session, make, offer, "ONCE")
    second = booked(db_session, make, second_slot(make, offer))
    first_invoice, second_invoice = invoice_of(db_session, first), invoice_of(db_session, second)
    refused = staff_web.post(url(second_invoice, "promotions"), {"promo-code": "ONCE"})
    assert refused.status_code == 422
    used = db_session.scalars(select(Redemption)).one()

    response = staff_web.post(url(first_invoice, "promotions", str(used.id), "remove"))

    assert response.status_code == 303
    page = text_of(staff_web.get(response.location))
    assert "One time taken off this booking. The invoice total went from $40.00 to $190.00." in page
    assert "No promotion on this booking." in page
    assert [line.discount for line in invoice_of(db_session, first).lines] == [0, 0]
    again = staff_web.post(url(second_invoice, "promotions"), {"promo-code": "ONCE"})
    assert again.status_code == 303
    assert live_codes(db_session, second) == ["ONCE"]


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [
        ("", 400, "Enter the promo code to apply."),
        ("FSF!", 400, "That is not a promo code."),
        ("NOSUCH", 422, "NOSUCH cannot be used for this booking"),
        ("ONCE", 422, "ONCE cannot be used for this booking"),  # used up by another booking
    ],
)
def test_a_code_that_does_not_apply_is_a_message_and_changes_nothing(
    staff_web: WebClient,
    db_session: Any,
    make: Any,
    offer: Any,
    codes: None,
    typed: str,
    status: int,
    message: str,
) -> None:
    booked(db_session, make, second_slot(make, offer), "ONCE")
    booking = booked(db_session, make, offer, "FSF")
    invoice = invoice_of(db_session, booking)

    response = staff_web.post(url(invoice, "promotions"), {"promo-code": typed})

    assert response.status_code == status
    assert message in field_error(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert summarize(invoice_of(db_session, booking)).total == 4000
    assert live_codes(db_session, booking) == ["FSF"]


def test_a_cancelled_booking_refuses_changes_and_offers_none(
    staff_web: WebClient, db_session: Any, make: Any, offer: Any, codes: None
) -> None:
    booking = booked(db_session, make, offer)
    cancel(db_session, public_id=booking.public_id, now=NOW)
    invoice = invoice_of(db_session, booking)

    response = staff_web.post(url(invoice, "promotions"), {"promo-code": "FSF"})

    assert response.status_code == 409
    assert "This booking is cancelled: its promotions can no longer change." in text_of(response)
    assert db_session.scalar(select(func.count(Redemption.id))) == 0
    page = text_of(staff_web.get(url(invoice)))
    assert "its promotions can no longer change" in page and "Apply a promo code" not in page


def test_an_invoice_without_a_booking_takes_no_code(
    staff_web: WebClient, db_session: Any, make: Any, codes: None
) -> None:
    invoice = make_invoice(db_session, make.client())

    assert 'id="promotions-heading"' not in staff_web.get(url(invoice)).get_data(as_text=True)
    response = staff_web.post(url(invoice, "promotions"), {"promo-code": "FSF"})
    assert response.status_code == 409
    assert "This invoice is not for a booking" in text_of(response)


def test_removing_a_promotion_no_longer_on_the_booking_is_a_404(
    staff_web: WebClient, db_session: Any, make: Any, offer: Any, codes: None
) -> None:
    invoice = invoice_of(db_session, booked(db_session, make, offer, "FSF"))

    response = staff_web.post(url(invoice, "promotions", "999", "remove"))

    assert response.status_code == 404
    assert "That promotion is not on this booking any more." in text_of(response)


def test_a_paid_booking_keeps_its_payment_and_shows_the_overpayment(
    staff_web: WebClient, db_session: Any, make: Any, offer: Any, codes: None
) -> None:
    booking = booked(db_session, make, offer)
    invoice = invoice_of(db_session, booking)
    billing.record_manual_payment(
        db_session,
        invoice_id=invoice.id,
        amount=FULL,
        method_id=None,
        note="",
        staff_id=None,
        now=NOW,
    )

    response = staff_web.post(url(invoice, "promotions"), {"promo-code": "FSF"})

    page = text_of(staff_web.get(response.location))
    assert "It is overpaid by $150.00: refund it below." in page
    assert "Overpaid $150.00" in page


# --- the client page ------------------------------------------------------------------------------


def test_the_client_page_lists_promotion_uses_newest_first(
    staff_web: WebClient, db_session: Any, make: Any, offer: Any, codes: None, clock: Any
) -> None:
    client = make.client()
    booking = booked(db_session, make, offer, "FSF", client=client.id)
    invoice = invoice_of(db_session, booking)
    clock.travel(minutes=20)  # within the staff idle limit
    staff_web.post(url(invoice, "promotions"), {"promo-code": "TEN"})

    page = text_of(staff_web.get(f"/admin/clients/{client.id}"))

    uses = page[page.index("Promotion uses") :]
    assert uses.index("Ten off TEN $10.00 In use") < uses.index(
        "Free session fee FSF $150.00 Given back"
    )


def test_the_client_page_reads_promotion_uses_in_constant_queries(
    staff_web: WebClient, db_session: Any, make: Any, offer: Any, codes: None, app_engine: Any
) -> None:
    client = make.client()
    booked(db_session, make, offer, "FSF", client=client.id)
    with count_queries(app_engine) as few:
        staff_web.get(f"/admin/clients/{client.id}")
    for days in range(1, 6):
        booked(db_session, make, second_slot(make, offer, days), "TEN", client=client.id)
    with count_queries(app_engine) as many:
        response = staff_web.get(f"/admin/clients/{client.id}")

    assert text_of(response).count("Ten off TEN") == 5
    assert len(many) == len(few)


# --- clients cannot change a code once booked ----------------------------------------------------


def test_a_client_cannot_change_the_code_of_a_booking_made(
    web: WebClient, db_session: Any, make: Any, priced_offer: Any
) -> None:
    show_promo_field(make)
    free_session_fee(make)
    promotion(db_session, "TEN", name="Ten off", discount_kind=DiscountKind.AMOUNT, amount=1000)
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT, online_payment_required=False))
    apply(web, "FSF")
    confirmed = web.post("/book/confirm")
    assert "/book/confirmed/" in confirmed.location
    booking = db_session.scalars(select(Booking)).one()

    for page in (web.get(confirmed.location), web.get("/account/bookings")):
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert 'name="promo_code"' not in html and "/book/promo" not in html
    for form in ({"promo_code": "TEN"}, {"action": "remove"}):
        web.post("/book/promo", form)

    assert live_codes(db_session, booking) == ["FSF"]
    assert summarize(invoice_of(db_session, booking)).total == 4000
