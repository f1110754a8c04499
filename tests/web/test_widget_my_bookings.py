"""My bookings in the widget: reschedule and cancel within the studio's limits, and history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import (
    Booking,
    BookingStatus,
    KindPreferences,
    ListChoice,
    ListKind,
    ServiceKind,
    SlotState,
    TimeSlot,
)
from core.services.booking import book
from tests.conftest import NOW, WebClient
from tests.web.helpers import at, log_in_client, slot_ids, text_of

START = at(2026, 12, 3, 15)  # 10:00 in New York, ten days after NOW
LIMIT = "Bookings can be cancelled online up to 24 hours before they start. Please call the studio."


@pytest.fixture
def booked(db_session: Session, make: Any) -> Booking:
    """A client's booking of a type with statuses, and a free slot of the type two days later."""
    labels = {
        name: make._save(ListChoice(kind=ListKind.SESSION_STATUS, name=f"Session {name} - Online"))
        for name in ("Booked", "Rescheduled", "Cancelled")
    }
    service_type = make.service_type(
        slug="fam",
        online_name="Family portrait",
        booked_status_id=labels["Booked"].id,
        rescheduled_status_id=labels["Rescheduled"].id,
        cancelled_status_id=labels["Cancelled"].id,
    )
    slot = make.slot(START, service_types=[service_type])
    make.slot(START + timedelta(days=2), service_types=[service_type], resource=slot.resource)
    client = make.client()
    return book(
        db_session, slot_id=slot.id, service_type_id=service_type.id, client_id=client.id, now=NOW
    )


@pytest.fixture
def client_web(web: WebClient, booked: Booking) -> WebClient:
    log_in_client(web, booked.client)
    return web


def _cancel_limit(make: Any, hours: int = 24) -> None:
    make._save(KindPreferences(kind=ServiceKind.SESSION, notice_cancel_minutes=hours * 60))


def _new_slot(db_session: Session) -> TimeSlot:
    return db_session.scalars(select(TimeSlot).where(TimeSlot.start_at > START)).one()


def test_an_upcoming_booking_offers_reschedule_and_cancel(
    client_web: WebClient, booked: Booking
) -> None:
    page = client_web.get("/account/bookings").get_data(as_text=True)

    assert f"/account/bookings/{booked.public_id}/reschedule" in page
    assert f"/account/bookings/{booked.public_id}/cancel" in page


def test_inside_the_cancel_notice_the_cancel_button_gives_way_to_an_explanation(
    client_web: WebClient, booked: Booking, make: Any, clock: Any
) -> None:
    _cancel_limit(make)
    clock.now = START - timedelta(hours=23)

    response = client_web.get("/account/bookings")

    assert f"/account/bookings/{booked.public_id}/cancel" not in response.get_data(as_text=True)
    assert LIMIT in text_of(response)
    assert f"/account/bookings/{booked.public_id}/reschedule" in response.get_data(as_text=True)


def test_outside_the_cancel_notice_no_explanation_is_shown(
    client_web: WebClient, booked: Booking, make: Any, clock: Any
) -> None:
    _cancel_limit(make)
    clock.now = START - timedelta(hours=25)

    response = client_web.get("/account/bookings")

    assert LIMIT not in text_of(response)
    assert f"/account/bookings/{booked.public_id}/cancel" in response.get_data(as_text=True)


def test_inside_the_cancel_notice_a_posted_cancel_is_refused(
    client_web: WebClient, booked: Booking, make: Any, clock: Any, db_session: Session
) -> None:
    client_web.get("/account/bookings")
    _cancel_limit(make)
    clock.now = START - timedelta(hours=2)

    response = client_web.post(f"/account/bookings/{booked.public_id}/cancel")

    assert response.status_code == 409
    assert LIMIT in text_of(response)
    db_session.expire_all()
    assert db_session.get_one(Booking, booked.id).status is BookingStatus.BOOKED


@pytest.mark.parametrize(
    "request_",
    [
        ("get", "/reschedule"),
        ("get", "/reschedule/confirm?slot_id=1"),
        ("post", "/reschedule"),
    ],
    ids=["picker", "confirm", "post"],
)
def test_inside_the_reschedule_notice_every_reschedule_step_is_refused(
    client_web: WebClient,
    booked: Booking,
    make: Any,
    clock: Any,
    db_session: Session,
    request_: tuple[str, str],
) -> None:
    make._save(KindPreferences(kind=ServiceKind.SESSION, notice_reschedule_minutes=48 * 60))
    client_web.get("/account/bookings")
    clock.now = START - timedelta(hours=47)
    method, path = request_
    url = f"/account/bookings/{booked.public_id}{path}"

    if method == "get":
        response = client_web.get(url)
    else:
        response = client_web.post(url, {"slot_id": _new_slot(db_session).id})

    assert response.status_code == 409
    assert "rescheduled online up to 2 days before they start" in text_of(response)


def test_a_client_reschedules_through_picker_and_confirmation(
    client_web: WebClient, booked: Booking, db_session: Session
) -> None:
    new_slot = _new_slot(db_session)
    picker = client_web.get(f"/account/bookings/{booked.public_id}/reschedule?day=2026-12-05")
    assert slot_ids(picker) == [new_slot.id]
    confirm_url = f"/account/bookings/{booked.public_id}/reschedule/confirm"
    assert f'action="{confirm_url}"' in picker.get_data(as_text=True)

    confirm = client_web.get(f"{confirm_url}?slot_id={new_slot.id}")
    assert "Thursday, December 3, 2026" in text_of(confirm)
    assert "Saturday, December 5, 2026" in text_of(confirm)

    done = client_web.post(
        f"/account/bookings/{booked.public_id}/reschedule", {"slot_id": new_slot.id}
    )
    assert done.status_code == 303 and done.location.endswith("/account/bookings")
    page = text_of(client_web.get("/account/bookings"))
    assert "is moved to Saturday, December 5, 2026 at 10:00" in page
    assert "Rescheduled (Session Rescheduled - Online)" in page


def test_the_picker_month_arrows_stay_in_reschedule_mode(
    client_web: WebClient, booked: Booking
) -> None:
    picker = client_web.get(f"/account/bookings/{booked.public_id}/reschedule?month=2026-12")

    assert f"/account/bookings/{booked.public_id}/reschedule?month=2027-01" in picker.get_data(
        as_text=True
    )


def test_the_picker_answers_htmx_with_the_days_times(
    client_web: WebClient, booked: Booking, db_session: Session
) -> None:
    url = f"/account/bookings/{booked.public_id}/reschedule?day=2026-12-05"

    response = client_web.htmx(url, "day-times")

    assert "<html" not in response.get_data(as_text=True)
    assert slot_ids(response) == [_new_slot(db_session).id]


def test_rescheduling_onto_a_taken_time_says_so(
    client_web: WebClient, booked: Booking, db_session: Session, make: Any
) -> None:
    new_slot = _new_slot(db_session)
    client_web.get("/account/bookings")
    book(
        db_session,
        slot_id=new_slot.id,
        service_type_id=booked.service_type_id,
        client_id=make.client().id,
        now=NOW,
    )

    response = client_web.post(
        f"/account/bookings/{booked.public_id}/reschedule", {"slot_id": new_slot.id}
    )

    assert response.status_code == 409
    assert "Choose another time" in text_of(response)


def test_a_cancelled_booking_moves_to_history_with_its_status(
    client_web: WebClient, booked: Booking
) -> None:
    client_web.get("/account/bookings")
    client_web.post(f"/account/bookings/{booked.public_id}/cancel")

    page = text_of(client_web.get("/account/bookings"))

    assert "You have no upcoming bookings." in page
    assert "History" in page and "Cancelled (Session Cancelled - Online)" in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/reschedule"),
        ("get", "/reschedule/confirm?slot_id=1"),
        ("post", "/reschedule"),
        ("post", "/cancel"),
    ],
)
def test_another_clients_booking_is_not_found(
    web: WebClient, booked: Booking, make: Any, db_session: Session, method: str, path: str
) -> None:
    log_in_client(web, make.client())
    web.get("/account/bookings")
    url = f"/account/bookings/{booked.public_id}{path}"

    response = web.get(url) if method == "get" else web.post(url, {"slot_id": 1})

    assert response.status_code == 404
    db_session.expire_all()
    assert db_session.get_one(Booking, booked.id).status is BookingStatus.BOOKED
    assert db_session.get_one(TimeSlot, booked.slot_id).state is SlotState.BOOKED


def test_a_reschedule_without_a_time_is_a_clear_400(client_web: WebClient, booked: Booking) -> None:
    client_web.get("/account/bookings")

    response = client_web.post(f"/account/bookings/{booked.public_id}/reschedule", {})

    assert response.status_code == 400
    assert "Please choose a new time" in text_of(response)
