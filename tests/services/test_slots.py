"""Creating slots from local wall-clock times; the staff calendar's slots with their bookings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Booking, BookingStatus, Resource, ServiceType, SlotState, TimeSlot
from core.services.booking import book, cancel
from core.services.errors import NotFound
from core.services.slots import InvalidSlot, SlotExists, create_slot, slots_between
from tests.conftest import NOW


@pytest.fixture
def service_type(core_make: Any) -> ServiceType:
    return core_make.service_type()  # type: ignore[no-any-return]


def _room(core_make: Any, timezone: str = "America/New_York") -> Resource:
    return core_make.resource(core_make.location(timezone=timezone))  # type: ignore[no-any-return]


def _create(session: Session, room: Resource, service_type: ServiceType, **kw: Any) -> TimeSlot:
    fields = {
        "day": date(2026, 12, 1),
        "start": time(10, 0),
        "duration_minutes": 60,
        "service_type_ids": [service_type.id],
        **kw,
    }
    return create_slot(session, resource_id=room.id, **fields)


def _slot_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(TimeSlot)) or 0


@pytest.mark.parametrize(
    ("timezone", "day", "expected"),
    [
        ("America/New_York", date(2026, 3, 7), datetime(2026, 3, 7, 15, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 8, 14, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 10, 31), datetime(2026, 10, 31, 14, 0, tzinfo=UTC)),
        ("America/New_York", date(2026, 11, 1), datetime(2026, 11, 1, 15, 0, tzinfo=UTC)),
        ("Europe/London", date(2026, 3, 28), datetime(2026, 3, 28, 10, 0, tzinfo=UTC)),
        ("Europe/London", date(2026, 3, 29), datetime(2026, 3, 29, 9, 0, tzinfo=UTC)),
        ("Australia/Sydney", date(2026, 4, 4), datetime(2026, 4, 3, 23, 0, tzinfo=UTC)),
        ("Australia/Sydney", date(2026, 4, 5), datetime(2026, 4, 5, 0, 0, tzinfo=UTC)),
    ],
)
def test_a_slot_keeps_its_local_wall_time_across_dst(
    session: Session,
    core_make: Any,
    service_type: ServiceType,
    timezone: str,
    day: date,
    expected: datetime,
) -> None:
    room = _room(core_make, timezone)

    slot = _create(session, room, service_type, day=day, start=time(10, 0), duration_minutes=45)

    session.expire_all()
    saved = session.get_one(TimeSlot, slot.id)
    assert (saved.start_at, saved.end_at) == (expected, expected + timedelta(minutes=45))
    assert (saved.location_id, saved.state) == (room.location_id, SlotState.OPEN)
    assert [t.id for t in saved.service_types] == [service_type.id]


def test_a_slot_spanning_the_fall_back_hour_lasts_its_real_duration(
    session: Session, core_make: Any, service_type: ServiceType
) -> None:
    room = _room(core_make)

    slot = _create(session, room, service_type, day=date(2026, 11, 1), start=time(0, 30))

    assert slot.end_at - slot.start_at == timedelta(minutes=60)
    assert slot.start_at == datetime(2026, 11, 1, 4, 30, tzinfo=UTC)


def test_the_same_slot_cannot_be_created_twice(
    session: Session, core_make: Any, service_type: ServiceType
) -> None:
    room = _room(core_make)
    _create(session, room, service_type)

    with pytest.raises(SlotExists):
        _create(session, room, service_type)
    assert _slot_count(session) == 1


def test_the_same_time_on_another_resource_is_another_slot(
    session: Session, core_make: Any, service_type: ServiceType
) -> None:
    room = _room(core_make)
    _create(session, room, service_type)

    _create(session, core_make.resource(room.location), service_type)

    assert _slot_count(session) == 2


@pytest.mark.parametrize(
    ("timezone", "day", "start"),
    [
        ("America/New_York", date(2026, 3, 8), time(2, 0)),
        ("America/New_York", date(2026, 3, 8), time(2, 30)),
        ("America/New_York", date(2026, 3, 8), time(2, 59)),
        ("Europe/London", date(2026, 3, 29), time(1, 30)),
        ("America/Sao_Paulo", date(2018, 11, 4), time(0, 0)),
    ],
)
def test_a_local_time_skipped_by_dst_is_refused(
    session: Session,
    core_make: Any,
    service_type: ServiceType,
    timezone: str,
    day: date,
    start: time,
) -> None:
    room = _room(core_make, timezone)

    with pytest.raises(InvalidSlot, match="does not exist"):
        _create(session, room, service_type, day=day, start=start)
    assert _slot_count(session) == 0


def test_a_slot_needs_at_least_one_service_type(session: Session, core_make: Any) -> None:
    room = _room(core_make)

    with pytest.raises(InvalidSlot):
        create_slot(
            session,
            resource_id=room.id,
            day=date(2026, 12, 1),
            start=time(10, 0),
            duration_minutes=60,
            service_type_ids=[],
        )
    assert _slot_count(session) == 0


@pytest.mark.parametrize("minutes", [0, -30])
def test_a_slot_needs_a_positive_duration(
    session: Session, core_make: Any, service_type: ServiceType, minutes: int
) -> None:
    with pytest.raises(InvalidSlot):
        _create(session, _room(core_make), service_type, duration_minutes=minutes)
    assert _slot_count(session) == 0


def test_a_slot_lasts_at_most_a_day(
    session: Session, core_make: Any, service_type: ServiceType
) -> None:
    room = _room(core_make)
    _create(session, room, service_type, day=date(2026, 12, 1), duration_minutes=24 * 60)

    with pytest.raises(InvalidSlot, match="at most 1440 minutes"):
        _create(session, room, service_type, day=date(2026, 12, 3), duration_minutes=24 * 60 + 1)
    assert _slot_count(session) == 1


def test_a_slot_on_an_unknown_resource_is_refused(
    session: Session, service_type: ServiceType
) -> None:
    with pytest.raises(NotFound):
        create_slot(
            session,
            resource_id=987654,
            day=date(2026, 12, 1),
            start=time(10, 0),
            duration_minutes=60,
            service_type_ids=[service_type.id],
        )


def test_a_slot_for_an_unknown_service_type_is_refused(
    session: Session, core_make: Any, service_type: ServiceType
) -> None:
    with pytest.raises(NotFound):
        _create(session, _room(core_make), service_type, service_type_ids=[service_type.id, 987654])
    assert _slot_count(session) == 0


def _book_and_cancel(session: Session, slot: TimeSlot, client_id: int) -> Booking:
    booking = book(
        session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        client_id=client_id,
        now=NOW,
    )
    return cancel(session, public_id=booking.public_id, now=NOW)


def test_slots_between_pairs_each_slot_with_its_live_booking_only(
    session: Session, core_make: Any, service_type: ServiceType
) -> None:
    room = _room(core_make)
    start = NOW + timedelta(days=1)
    rebooked, cancelled_only, never_booked = (
        core_make.slot(start + timedelta(hours=h), service_types=[service_type], resource=room)
        for h in (0, 1, 2)
    )
    first, second = core_make.client(), core_make.client()
    _book_and_cancel(session, rebooked, first.id)
    live = book(
        session, slot_id=rebooked.id, service_type_id=service_type.id, client_id=second.id, now=NOW
    )
    _book_and_cancel(session, cancelled_only, first.id)

    found = slots_between(
        session, location_id=room.location_id, start=start, end=start + timedelta(days=1)
    )

    assert [(slot.id, booking and booking.id) for slot, booking in found] == [
        (rebooked.id, live.id),
        (cancelled_only.id, None),
        (never_booked.id, None),
    ]
    assert found[0][1] is not None
    assert (found[0][1].status, found[0][1].client.id) == (BookingStatus.BOOKED, second.id)


def test_slots_between_keeps_to_its_location_and_half_open_window(
    session: Session, core_make: Any, service_type: ServiceType
) -> None:
    room = _room(core_make)
    start = NOW + timedelta(days=1)
    inside = [
        core_make.slot(start + timedelta(hours=h), service_types=[service_type], resource=room)
        for h in (0, 23)
    ]
    core_make.slot(start + timedelta(hours=24), service_types=[service_type], resource=room)
    core_make.slot(start - timedelta(minutes=1), service_types=[service_type], resource=room)
    core_make.slot(start, service_types=[service_type], resource=_room(core_make))

    found = slots_between(
        session, location_id=room.location_id, start=start, end=start + timedelta(hours=24)
    )

    assert [slot.id for slot, _ in found] == [slot.id for slot in inside]
