"""The demo studio: what a fresh install shows, created once however often the seed runs."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.db import Base
from core.models import (
    Booking,
    BookingStatus,
    Client,
    Location,
    ServiceKind,
    ServiceType,
    SlotAccess,
    SlotState,
    StaffRole,
    TimeSlot,
)
from core.services.accounts import authenticate_client, authenticate_staff
from core.services.demo import (
    DEMO_ASSISTANT_EMAIL,
    DEMO_CLIENT_PASSWORD,
    DEMO_STAFF_EMAIL,
    DEMO_STAFF_PASSWORD,
    WEEKS,
    seed_demo,
)
from tests.conftest import NOW


@pytest.fixture
def seeded(session: Session) -> Session:
    assert seed_demo(session, now=NOW) is True
    return session


def _row_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def test_the_demo_has_two_locations_in_different_timezones(seeded: Session) -> None:
    locations = seeded.scalars(select(Location)).all()

    assert len(locations) == 2
    assert len({location.timezone for location in locations}) == 2
    assert all(location.resources for location in locations)


def test_the_demo_offers_session_and_appointment_types_online(seeded: Session) -> None:
    online = Counter(t.kind for t in seeded.scalars(select(ServiceType).where(ServiceType.online)))

    assert online[ServiceKind.SESSION] >= 4
    assert online[ServiceKind.APPOINTMENT] >= 2


def test_every_online_demo_type_has_open_slots(seeded: Session) -> None:
    slots = seeded.scalars(
        select(TimeSlot)
        .options(selectinload(TimeSlot.service_types))
        .where(TimeSlot.state == SlotState.OPEN)
    ).all()
    served = {t.id for slot in slots for t in slot.service_types}

    online = seeded.scalars(select(ServiceType.id).where(ServiceType.online)).all()
    assert set(online) <= served


def test_the_demo_has_open_future_slots_for_the_next_six_weeks_at_each_location(
    seeded: Session,
) -> None:
    for location in seeded.scalars(select(Location)):
        tz = ZoneInfo(location.timezone)
        starts = seeded.scalars(
            select(TimeSlot.start_at).where(
                TimeSlot.location_id == location.id, TimeSlot.state == SlotState.OPEN
            )
        ).all()
        days = {start.astimezone(tz).date() for start in starts}
        today = NOW.astimezone(tz).date()

        assert min(starts) > NOW
        assert min(days) <= today + timedelta(days=2)
        assert max(days) >= today + timedelta(weeks=WEEKS) - timedelta(days=1)
        # no gap of a week or more: every week of the six has open days
        assert {(day - today).days // 7 for day in days} >= set(range(WEEKS))


def test_demo_slots_keep_their_wall_clock_times_across_dst(session: Session) -> None:
    seed_demo(session, now=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))  # six weeks cross DST
    slots = session.scalars(select(TimeSlot).options(selectinload(TimeSlot.location))).all()
    times_by_day: dict[tuple[int, date], set[time]] = defaultdict(set)
    offsets: dict[int, set[timedelta | None]] = defaultdict(set)
    for slot in slots:
        local = slot.start_at.astimezone(ZoneInfo(slot.location.timezone))
        times_by_day[slot.resource_id, local.date()].add(local.time())
        offsets[slot.location_id].add(local.utcoffset())

    assert all(len(location_offsets) == 2 for location_offsets in offsets.values())
    for resource_id in {resource_id for resource_id, _ in times_by_day}:
        day_times = {
            frozenset(times) for (rid, _), times in times_by_day.items() if rid == resource_id
        }
        assert len(day_times) == 1, f"resource {resource_id} has slots at different local times"


def test_the_demo_staff_login_works(seeded: Session) -> None:
    staff = authenticate_staff(seeded, email=DEMO_STAFF_EMAIL, password=DEMO_STAFF_PASSWORD)

    assert staff.active


def test_the_demo_has_an_administrator_and_an_assistant_with_lower_levels(
    seeded: Session,
) -> None:
    dana = authenticate_staff(seeded, email=DEMO_STAFF_EMAIL, password=DEMO_STAFF_PASSWORD)
    sam = authenticate_staff(seeded, email=DEMO_ASSISTANT_EMAIL, password=DEMO_STAFF_PASSWORD)

    assert (dana.role, dana.slot_access, dana.can_edit_preferences) == (
        StaffRole.ADMINISTRATOR,
        SlotAccess.FULL,
        True,
    )
    assert (sam.role, sam.slot_access, sam.can_edit_preferences) == (
        StaffRole.STAFF,
        SlotAccess.MODIFY_OVERRIDABLE,
        False,
    )


def test_the_demo_has_clients_who_can_log_in_with_bookings(seeded: Session) -> None:
    clients = seeded.scalars(select(Client)).all()
    bookings = seeded.scalars(select(Booking).options(selectinload(Booking.slot))).all()

    assert len(clients) >= 2
    assert all(
        authenticate_client(seeded, email=c.email, password=DEMO_CLIENT_PASSWORD) for c in clients
    )
    assert len(bookings) >= 2
    assert all(b.status is BookingStatus.BOOKED for b in bookings)
    assert all(b.slot.state is SlotState.BOOKED and b.slot.start_at > NOW for b in bookings)
    assert all(b.service_type in b.slot.service_types for b in bookings)


def test_seeding_again_creates_nothing(seeded: Session) -> None:
    before = _row_counts(seeded)

    assert seed_demo(seeded, now=NOW + timedelta(days=30)) is False

    assert _row_counts(seeded) == before
    assert before["time_slot"] > 0


def test_the_demo_leaves_a_database_with_a_studio_alone(session: Session, core_make: Any) -> None:
    core_make.studio(name="A real studio")

    assert seed_demo(session, now=NOW) is False

    assert _row_counts(session)["location"] == 0
