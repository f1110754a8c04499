"""Staff add time slots one at a time, in a location's own time (the week they are shown in:
test_admin_calendar)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.models import TimeSlot
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

    assert response.location == f"/admin/slots?location={room.location_id}&week=2027-07-12"
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
