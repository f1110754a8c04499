"""Staff see upcoming bookings and cancel them; a cancelled booking's time opens again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.models import Booking, BookingStatus, SlotState, TimeSlot
from core.services.booking import book
from tests.conftest import WebClient


@pytest.fixture
def booking(make: Any, db_session: Any, clock: Any) -> Booking:
    """Alex's booking tomorrow at 10:00 in New York (15:00 UTC in November)."""
    service_type = make.service_type(online_name="Family Portrait Session")
    room = make.resource(make.location(display_name="Brooklyn"), name="Studio A")
    slot = make.slot(
        clock.now.replace(hour=15) + timedelta(days=1), resource=room, service_types=[service_type]
    )
    client = make.client(name="Alex Rivera")
    return book(
        db_session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=client.id,
        now=clock.now,
    )


def test_upcoming_bookings_show_client_type_and_local_time(
    staff_web: WebClient, booking: Booking
) -> None:
    page = staff_web.get("/admin/bookings").get_data(as_text=True)

    assert "Alex Rivera" in page
    assert "Family Portrait Session" in page
    assert "Brooklyn" in page and "Studio A" in page
    assert "Tue, Nov 24, 2026, 10:00\u202fAM EST" in page


def test_the_admin_home_links_to_the_bookings(staff_web: WebClient) -> None:
    response = staff_web.get("/admin/")

    assert response.status_code == 200
    assert 'href="/admin/bookings">Upcoming bookings<' in response.get_data(as_text=True)


def test_past_bookings_are_not_listed(staff_web: WebClient, booking: Booking, clock: Any) -> None:
    clock.travel(days=2)

    assert "Alex Rivera" not in staff_web.get("/admin/bookings").get_data(as_text=True)


def test_cancelling_a_booking_opens_its_slot_again(
    staff_web: WebClient, booking: Booking, db_session: Any
) -> None:
    staff_web.get("/admin/bookings")

    response = staff_web.post(f"/admin/bookings/{booking.public_id}/cancel")

    assert response.status_code == 303
    assert response.location == "/admin/bookings"
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.CANCELLED
    assert db_session.get(TimeSlot, booking.slot_id).state is SlotState.OPEN


def test_a_cancelled_booking_says_so_and_leaves_the_list(
    staff_web: WebClient, booking: Booking
) -> None:
    staff_web.get("/admin/bookings")

    page = staff_web.post(
        f"/admin/bookings/{booking.public_id}/cancel", follow_redirects=True
    ).get_data(as_text=True)

    assert "Cancelled Alex Rivera’s booking" in page
    assert "No upcoming bookings." in page


def test_cancelling_an_unknown_booking_is_a_404(staff_web: WebClient) -> None:
    response = staff_web.post("/admin/bookings/no-such-booking/cancel")

    assert response.status_code == 404
    assert "We could not find that booking." in response.get_data(as_text=True)


def test_cancelling_twice_is_a_409(staff_web: WebClient, booking: Booking) -> None:
    staff_web.get("/admin/bookings")
    staff_web.post(f"/admin/bookings/{booking.public_id}/cancel", follow_redirects=True)

    response = staff_web.post(f"/admin/bookings/{booking.public_id}/cancel")

    assert response.status_code == 409
    assert "already cancelled" in response.get_data(as_text=True)


def test_cancel_is_not_a_get(staff_web: WebClient, booking: Booking) -> None:
    assert staff_web.get(f"/admin/bookings/{booking.public_id}/cancel").status_code == 405


def test_cancel_without_the_csrf_token_is_refused(
    staff_web: WebClient, booking: Booking, db_session: Any
) -> None:
    response = staff_web.raw.post(f"/admin/bookings/{booking.public_id}/cancel")

    assert response.status_code == 400
    db_session.expire_all()
    assert db_session.get(Booking, booking.id).status is BookingStatus.BOOKED
