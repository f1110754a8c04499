"""Staff add time slots in a location's own time and see them a week at a time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.models import TimeSlot
from core.services.booking import book
from tests.conftest import WebClient


@pytest.fixture
def room(make: Any) -> Any:
    return make.resource(make.location(display_name="Brooklyn", timezone="America/New_York"))


def slot_form(room: Any, service_type: Any, **changes: Any) -> dict[str, Any]:
    values = {
        "resource": str(room.id),
        "day": "2027-07-14",
        "start_time": "10:00",
        "duration_minutes": "",
        "service_types": [str(service_type.id)],
    }
    return {**values, **changes}


def add_slot(web: WebClient, room: Any, service_type: Any, **changes: Any) -> Any:
    return web.post(
        f"/admin/slots/new?location={room.location_id}", slot_form(room, service_type, **changes)
    )


def stored_slots(db_session: Any) -> list[TimeSlot]:
    db_session.expire_all()
    return list(db_session.scalars(select(TimeSlot).order_by(TimeSlot.start_at)))


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [("2027-07-14", 14), ("2026-12-16", 15)],
    ids=["summer-time-edt", "winter-time-est"],
)
def test_a_slot_is_stored_in_utc_from_the_locations_wall_clock(
    staff_web: WebClient, room: Any, make: Any, db_session: Any, day: str, utc_hour: int
) -> None:
    response = add_slot(staff_web, room, make.service_type(), day=day, start_time="10:00")

    assert response.status_code == 303
    [slot] = stored_slots(db_session)
    local_day = datetime.fromisoformat(day).date()
    assert slot.start_at == datetime.combine(local_day, datetime.min.time(), UTC).replace(
        hour=utc_hour
    )


def test_after_adding_a_slot_its_week_is_shown(staff_web: WebClient, room: Any, make: Any) -> None:
    response = add_slot(staff_web, room, make.service_type())

    assert response.location == f"/admin/slots?location={room.location_id}&week=2027-07-14"
    week = staff_web.get(response.location).get_data(as_text=True)
    assert "Time slot added" in week


def test_the_duration_defaults_from_the_service_type(
    staff_web: WebClient, room: Any, make: Any, db_session: Any
) -> None:
    add_slot(staff_web, room, make.service_type(duration_minutes=90))

    [slot] = stored_slots(db_session)
    assert slot.end_at - slot.start_at == timedelta(minutes=90)


def test_a_typed_duration_wins_over_the_service_types(
    staff_web: WebClient, room: Any, make: Any, db_session: Any
) -> None:
    add_slot(staff_web, room, make.service_type(duration_minutes=90), duration_minutes="45")

    [slot] = stored_slots(db_session)
    assert slot.end_at - slot.start_at == timedelta(minutes=45)


def test_a_slot_serves_every_chosen_type(
    staff_web: WebClient, room: Any, make: Any, db_session: Any
) -> None:
    portrait, consultation = make.service_type(), make.service_type()

    add_slot(
        staff_web,
        room,
        portrait,
        service_types=[str(portrait.id), str(consultation.id)],
    )

    [slot] = stored_slots(db_session)
    assert {t.id for t in slot.service_types} == {portrait.id, consultation.id}


def test_a_time_skipped_by_the_spring_forward_is_a_400_next_to_the_time(
    staff_web: WebClient, room: Any, make: Any, db_session: Any
) -> None:
    response = add_slot(staff_web, room, make.service_type(), day="2027-03-14", start_time="02:30")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="start_time-error"' in page
    assert "does not exist in America/New_York (clocks go forward)" in page
    assert 'value="02:30"' in page
    assert stored_slots(db_session) == []


def test_the_same_slot_twice_is_a_409(staff_web: WebClient, room: Any, make: Any) -> None:
    service_type = make.service_type()
    add_slot(staff_web, room, service_type)
    staff_web.get(f"/admin/slots/new?location={room.location_id}")

    response = add_slot(staff_web, room, service_type)

    assert response.status_code == 409
    assert "already has a time slot at exactly that time" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service_types": []}, "service_types"),
        ({"start_time": ""}, "start_time"),
        ({"day": "14/07/2027"}, "day"),
        ({"day": "9999-12-31"}, "day"),
        ({"duration_minutes": "0"}, "duration_minutes"),
        ({"resource": "999"}, "resource"),
    ],
)
def test_invalid_slot_fields_are_a_400_next_to_the_field(
    staff_web: WebClient, room: Any, make: Any, changes: dict[str, Any], field: str
) -> None:
    response = add_slot(staff_web, room, make.service_type(), **changes)

    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_a_resource_of_another_location_cannot_be_chosen(
    staff_web: WebClient, room: Any, make: Any, db_session: Any
) -> None:
    elsewhere = make.resource(make.location(timezone="Europe/London"))

    response = add_slot(staff_web, room, make.service_type(), resource=str(elsewhere.id))

    assert response.status_code == 400
    assert stored_slots(db_session) == []


def test_the_slot_form_names_the_locations_timezone(staff_web: WebClient, room: Any) -> None:
    page = staff_web.get(f"/admin/slots/new?location={room.location_id}").get_data(as_text=True)

    assert "Eastern Time (America/New_York)" in page


def week_of(web: WebClient, location_id: int, monday: str) -> str:
    response = web.get(f"/admin/slots?location={location_id}&week={monday}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_week_shows_its_slots_in_local_time_and_no_others(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    this_week = datetime(2027, 7, 14, 14, 0, tzinfo=UTC)  # Wednesday 10:00 EDT
    make.slot(this_week, resource=room)
    make.slot(this_week + timedelta(days=7, hours=1), resource=room)  # next Wednesday 11:00
    make.slot(this_week - timedelta(days=7, hours=-2), resource=room)  # last Wednesday 12:00

    page = week_of(staff_web, room.location_id, "2027-07-12")

    assert re.search(r"10:00\sAM EDT", page)
    assert not re.search(r"(11:00|12:00)\sPM|11:00\sAM", page)
    assert "Wednesday, July 14, 2027" in page
    assert "Eastern Time (America/New_York)" in page


def test_a_slot_late_on_sunday_evening_local_time_belongs_to_that_week(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    make.slot(datetime(2027, 7, 19, 2, 0, tzinfo=UTC), resource=room)  # Sunday 22:00 EDT

    assert re.search(r"10:00\sPM", week_of(staff_web, room.location_id, "2027-07-12"))
    assert not re.search(r"10:00\sPM", week_of(staff_web, room.location_id, "2027-07-19"))


def test_any_day_of_a_week_shows_that_whole_week(
    staff_web: WebClient, room: Any, make: Any
) -> None:
    make.slot(datetime(2027, 7, 12, 14, 0, tzinfo=UTC), resource=room)  # Monday 10:00

    page = week_of(staff_web, room.location_id, "2027-07-18")  # that Sunday

    assert re.search(r"10:00\sAM EDT", page)


def test_the_week_links_to_the_weeks_before_and_after(staff_web: WebClient, room: Any) -> None:
    page = week_of(staff_web, room.location_id, "2027-07-12")

    assert f"/admin/slots?location={room.location_id}&amp;week=2027-07-05" in page
    assert f"/admin/slots?location={room.location_id}&amp;week=2027-07-19" in page


def test_the_week_shows_state_and_the_booking_client(
    staff_web: WebClient, room: Any, make: Any, db_session: Any, clock: Any
) -> None:
    service_type = make.service_type()
    slot = make.slot(
        datetime(2027, 7, 14, 14, 0, tzinfo=UTC), resource=room, service_types=[service_type]
    )
    client = make.client(name="Alex Rivera")
    book(
        db_session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=client.id,
        now=clock.now,
    )

    page = week_of(staff_web, room.location_id, "2027-07-12")

    assert "badge-booked" in page
    assert "Alex Rivera" in page


def test_the_week_is_a_partial_for_htmx(staff_web: WebClient, room: Any) -> None:
    response = staff_web.htmx(f"/admin/slots?location={room.location_id}&week=2027-07-12", "week")

    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section id="week"')
    assert "<html" not in page


def test_the_current_week_is_shown_by_default(
    staff_web: WebClient, room: Any, make: Any, clock: Any
) -> None:
    make.slot(clock.now + timedelta(hours=1), resource=room)  # clock: Monday 2026-11-23

    page = staff_web.get(f"/admin/slots?location={room.location_id}").get_data(as_text=True)

    assert re.search(r"11:00\sAM EST", page)


def test_an_unknown_location_is_a_404(staff_web: WebClient, room: Any) -> None:
    assert staff_web.get("/admin/slots?location=999").status_code == 404


@pytest.mark.parametrize("week", ["next-week", "2027-13-01", "0001-01-01"])
def test_a_week_that_is_not_a_date_is_a_400(staff_web: WebClient, room: Any, week: str) -> None:
    response = staff_web.get(f"/admin/slots?location={room.location_id}&week={week}")

    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_data(as_text=True)
