"""Steps 3 to 6 of the widget: hold, account, review, confirm, my bookings, cancel."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import Booking, BookingStatus, SlotState, TimeSlot
from tests.factories import PASSWORD
from tests.web.helpers import at, log_in_client, text_of


@pytest.fixture
def offer(make):
    """A studio offering one session type on one open slot, 3 Dec 2026 10:00 New York."""
    service_type = make.service_type(slug="fam", online_name="Family Portrait")
    location = make.location(display_name="Northlight Brooklyn", address="214 Wythe Avenue")
    slot = make.slot(
        at(2026, 12, 3, 15), service_types=[service_type], resource=make.resource(location)
    )
    return service_type, slot


def hold(web, slot, slug="fam"):
    return web.post(f"/book/{slug}/hold", {"slot_id": slot.id})


def state_of(session, slot):
    session.expire_all()
    return session.get(TimeSlot, slot.id).state


def test_choosing_a_time_holds_it_and_asks_to_log_in_or_register(web, offer, db_session):
    _, slot = offer
    response = hold(web, slot)
    assert response.status_code == 303 and response.location.endswith("/book/checkout")
    assert state_of(db_session, slot) is SlotState.HELD
    page = text_of(web.get("/book/checkout"))
    assert "I have an account" in page and "I'm new here" in page
    assert "Held for you until 10:10 AM" in page


def test_a_new_client_registers_without_losing_the_time_and_books_it(web, offer, db_session):
    _, slot = offer
    hold(web, slot)
    response = web.post(
        "/register",
        {
            "name": "Ada Client",
            "email": "Ada@Example.com",
            "phone": "+1 718 555 0100",
            "password": "long enough",
            "next": "/book/checkout",
        },
    )
    assert response.status_code == 303 and response.location.endswith("/book/checkout")
    review = text_of(web.get("/book/checkout"))
    assert "Review and confirm" in review and "ada@example.com" in review
    confirmed = web.post("/book/confirm")
    assert confirmed.status_code == 303
    page = text_of(web.get(confirmed.location))
    assert "You're booked!" in page
    assert "Thursday, December 3, 2026" in page and "10:00 AM – 11:00 AM" in page
    assert "Eastern Time (New York)" in page and "214 Wythe Avenue" in page
    booking = db_session.scalar(select(Booking))
    assert booking.client.email == "ada@example.com" and booking.status is BookingStatus.BOOKED
    assert state_of(db_session, slot) is SlotState.BOOKED


def test_an_existing_client_logs_in_and_books_the_held_time(web, offer, make, db_session):
    _, slot = offer
    client = make.client()
    hold(web, slot)
    response = web.post(
        "/login", {"email": client.email.upper(), "password": PASSWORD, "next": "/book/checkout"}
    )
    assert response.status_code == 303
    web.post("/book/confirm")
    assert db_session.scalar(select(Booking.client_id)) == client.id


def test_confirmation_links_to_my_bookings_where_the_client_can_cancel(
    web, offer, make, db_session
):
    _, slot = offer
    log_in_client(web, make.client())
    hold(web, slot)
    confirmed = web.post("/book/confirm")
    assert 'href="/account/bookings"' in web.get(confirmed.location).get_data(as_text=True)
    booking = db_session.scalar(select(Booking))
    page = text_of(web.get("/account/bookings"))
    assert "Family Portrait" in page and "Cancel booking" in page
    response = web.post(f"/account/bookings/{booking.public_id}/cancel")
    assert response.status_code == 303
    assert "is cancelled" in text_of(web.get("/account/bookings"))
    assert state_of(db_session, slot) is SlotState.OPEN


def test_a_cancelled_time_can_be_booked_by_someone_else(web, app, offer, make, db_session):
    from tests.conftest import WebClient

    _, slot = offer
    log_in_client(web, make.client())
    hold(web, slot)
    web.post("/book/confirm")
    web.post(f"/account/bookings/{db_session.scalar(select(Booking.public_id))}/cancel")
    other = WebClient(app)
    log_in_client(other, make.client())
    assert hold(other, slot).status_code == 303
    assert other.post("/book/confirm").status_code == 303


def test_a_time_held_by_someone_else_is_refused_clearly(web, app, offer):
    from tests.conftest import WebClient

    _, slot = offer
    hold(web, slot)
    response = hold(WebClient(app), slot)
    assert response.status_code == 409
    assert "this time was just taken" in text_of(response)


def test_an_expired_hold_frees_the_slot_for_others(web, app, offer, clock):
    from tests.conftest import WebClient

    _, slot = offer
    hold(web, slot)
    clock.travel(minutes=11)
    assert hold(WebClient(app), slot).status_code == 303


def test_an_expired_hold_cannot_be_confirmed(web, offer, make, clock, db_session):
    _, slot = offer
    log_in_client(web, make.client())
    hold(web, slot)
    clock.travel(minutes=11)
    response = web.post("/book/confirm")
    assert response.status_code == 409
    assert "Please choose the time again" in text_of(response)
    assert db_session.scalar(select(Booking)) is None


def test_checkout_after_the_hold_expired_says_so(web, offer, clock):
    _, slot = offer
    hold(web, slot)
    clock.travel(minutes=10)
    response = web.get("/book/checkout")
    assert response.status_code == 409 and "time has run out" in text_of(response)


def test_choosing_another_time_releases_the_first_hold(web, offer, make, db_session):
    service_type, first = offer
    second = make.slot(at(2026, 12, 3, 17), service_types=[service_type], resource=first.resource)
    hold(web, first)
    hold(web, second)
    assert state_of(db_session, first) is SlotState.OPEN
    assert state_of(db_session, second) is SlotState.HELD


def test_checkout_without_a_hold_sends_the_client_to_the_start(web):
    response = web.get("/book/checkout")
    assert response.status_code == 303 and response.location.endswith("/book")


def test_my_bookings_needs_a_login_and_comes_back_after_it(web, make):
    response = web.get("/account/bookings")
    assert response.status_code == 303 and "/login?next=/account/bookings" in response.location
    client = make.client()
    logged_in = web.post(
        "/login", {"email": client.email, "password": PASSWORD, "next": "/account/bookings"}
    )
    assert logged_in.location.endswith("/account/bookings")


def test_login_never_redirects_off_site(web, make):
    client = make.client()
    response = web.post(
        "/login", {"email": client.email, "password": PASSWORD, "next": "//evil.example/steal"}
    )
    assert response.location.endswith("/account/bookings")


def test_logout_forgets_the_client(web, make):
    log_in_client(web, make.client())
    web.post("/logout")
    assert web.get("/account/bookings").status_code == 303


def test_staff_login_does_not_log_anyone_into_the_widget(web, make):
    staff = make.staff()
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD})
    assert web.get("/account/bookings").status_code == 303


def test_a_booking_made_before_a_dst_change_shows_its_local_time_after_it(web, make, clock):
    service_type = make.service_type(slug="spring")
    resource = make.resource(make.location(timezone="America/New_York"))
    clock.now = at(2026, 3, 1, 12)  # booked in EST (UTC-5)...
    slot = make.slot(at(2026, 3, 10, 14), service_types=[service_type], resource=resource)
    log_in_client(web, make.client())
    hold(web, slot, slug="spring")
    confirmed = web.post("/book/confirm")
    # ...for a time in EDT (UTC-4): 14:00 UTC is 10:00 on the studio's wall clock.
    assert "10:00 AM – 11:00 AM" in text_of(web.get(confirmed.location))
    assert "10:00 AM" in text_of(web.get("/account/bookings"))
