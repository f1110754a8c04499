"""Staff edit, move, close, reopen and delete time slots; a slot a client has is never changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import (
    Booking,
    Organization,
    Resource,
    ServiceType,
    SlotState,
    TimeSlot,
    slot_service_type,
)
from core.services.booking import book, cancel, hold_slot
from core.services.errors import NotFound
from core.services.organizations import InvalidOrganization
from core.services.slots import (
    InvalidSlot,
    SlotDetails,
    SlotExists,
    SlotHasHistory,
    SlotInUse,
    close_slot,
    create_slot,
    delete_slot,
    move_slot,
    reopen_slot,
    update_slot,
)
from tests.conftest import NOW

WEDNESDAY_10_EST = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York


@pytest.fixture
def room(core_make: Any) -> Resource:
    return core_make.resource(core_make.location(timezone="America/New_York"))  # type: ignore[no-any-return]


@pytest.fixture
def portrait(core_make: Any) -> ServiceType:
    return core_make.service_type(duration_minutes=60)  # type: ignore[no-any-return]


@pytest.fixture
def slot(core_make: Any, room: Resource, portrait: ServiceType) -> TimeSlot:
    return core_make.slot(WEDNESDAY_10_EST, resource=room, service_types=[portrait])  # type: ignore[no-any-return]


def _details(slot: TimeSlot, **changes: Any) -> SlotDetails:
    values: dict[str, Any] = {
        "resource_id": slot.resource_id,
        "day": date(2026, 12, 2),
        "start": time(10, 0),
        "duration_minutes": 60,
        "service_type_ids": [t.id for t in slot.service_types],
    }
    return SlotDetails(**{**values, **changes})


def _stored(session: Session, slot_id: int) -> TimeSlot | None:
    session.expire_all()
    return session.get(TimeSlot, slot_id)


def _booked(session: Session, core_make: Any, slot: TimeSlot) -> Booking:
    return book(
        session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        client_id=core_make.client().id,
        now=NOW,
    )


def _held(session: Session, slot: TimeSlot, *, minutes: int = 15) -> None:
    hold_slot(
        session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        now=NOW,
        hold_for=timedelta(minutes=minutes),
    )


def test_create_slot_can_mark_a_slot_overridable(
    session: Session, room: Resource, portrait: ServiceType
) -> None:
    slot = create_slot(
        session,
        resource_id=room.id,
        day=date(2026, 12, 2),
        start=time(10),
        duration_minutes=60,
        service_type_ids=[portrait.id],
        overridable=True,
    )

    assert slot.overridable is True


def test_update_changes_time_duration_resource_types_and_overridable(
    session: Session, core_make: Any, slot: TimeSlot
) -> None:
    other_room = core_make.resource(core_make.location(timezone="Europe/London"))
    headshots = core_make.service_type(duration_minutes=30)

    update_slot(
        session,
        slot.id,
        _details(
            slot,
            resource_id=other_room.id,
            day=date(2026, 12, 3),
            start=time(9, 30),
            duration_minutes=45,
            service_type_ids=[headshots.id],
            overridable=True,
        ),
        now=NOW,
    )

    stored = _stored(session, slot.id)
    assert stored is not None
    assert stored.start_at == datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # London is on UTC
    assert stored.end_at - stored.start_at == timedelta(minutes=45)
    assert (stored.resource_id, stored.location_id) == (other_room.id, other_room.location_id)
    assert [t.id for t in stored.service_types] == [headshots.id]
    assert stored.overridable is True


def test_update_refuses_an_organization_that_offers_none_of_the_types(
    session: Session, core_make: Any, slot: TimeSlot
) -> None:
    school = core_make._save(
        Organization(name="Lincoln High", slug="lincoln", service_types=[core_make.service_type()])
    )

    with pytest.raises(InvalidOrganization):
        update_slot(session, slot.id, _details(slot, organization_id=school.id), now=NOW)


def test_update_onto_another_slots_exact_time_is_refused_and_changes_nothing(
    session: Session, core_make: Any, slot: TimeSlot, room: Resource
) -> None:
    core_make.slot(WEDNESDAY_10_EST + timedelta(hours=2), resource=room)
    headshots = core_make.service_type()

    with pytest.raises(SlotExists):
        update_slot(
            session,
            slot.id,
            _details(slot, start=time(12), service_type_ids=[headshots.id]),
            now=NOW,
        )

    stored = _stored(session, slot.id)
    assert stored is not None
    assert stored.start_at == WEDNESDAY_10_EST
    assert [t.id for t in stored.service_types] != [headshots.id]


def test_move_keeps_the_duration_and_the_local_wall_time(
    session: Session, core_make: Any, room: Resource
) -> None:
    slot = core_make.slot(WEDNESDAY_10_EST, resource=room, minutes=90)

    moved = move_slot(session, slot.id, day=date(2027, 7, 14), start=time(10), now=NOW)

    assert moved.start_at == datetime(2027, 7, 14, 14, 0, tzinfo=UTC)  # 10:00 EDT
    assert moved.end_at - moved.start_at == timedelta(minutes=90)


def test_move_to_a_time_the_clocks_skip_is_refused(session: Session, slot: TimeSlot) -> None:
    with pytest.raises(InvalidSlot, match="clocks go forward"):
        move_slot(session, slot.id, day=date(2027, 3, 14), start=time(2, 30), now=NOW)


@pytest.mark.parametrize("change", ["update", "move", "close", "delete"])
def test_a_booked_slot_is_never_changed(
    session: Session, core_make: Any, slot: TimeSlot, change: str
) -> None:
    _booked(session, core_make, slot)

    with pytest.raises(SlotInUse, match="has a booking: reschedule the booking instead"):
        _apply(change, session, slot.id, _details(slot, duration_minutes=30))

    stored = _stored(session, slot.id)
    assert stored is not None
    assert (stored.start_at, stored.state) == (WEDNESDAY_10_EST, SlotState.BOOKED)


@pytest.mark.parametrize("change", ["update", "move", "close", "delete"])
def test_a_slot_held_by_a_client_is_not_changed_while_the_hold_runs(
    session: Session, slot: TimeSlot, change: str
) -> None:
    _held(session, slot)

    with pytest.raises(SlotInUse, match="A client is booking this time slot right now"):
        _apply(change, session, slot.id, _details(slot, duration_minutes=30))

    stored = _stored(session, slot.id)
    assert stored is not None
    assert stored.state is SlotState.HELD


def test_a_slot_whose_hold_ran_out_can_be_moved(session: Session, slot: TimeSlot) -> None:
    _held(session, slot, minutes=15)

    moved = move_slot(
        session, slot.id, day=date(2026, 12, 2), start=time(11), now=NOW + timedelta(minutes=16)
    )

    assert moved.start_at == WEDNESDAY_10_EST + timedelta(hours=1)


def _apply(change: str, session: Session, slot_id: int, details: SlotDetails) -> Any:
    if change == "update":
        return update_slot(session, slot_id, details, now=NOW)
    if change == "move":
        return move_slot(session, slot_id, day=date(2026, 12, 4), start=time(10), now=NOW)
    if change == "close":
        return close_slot(session, slot_id, now=NOW)
    return delete_slot(session, slot_id, now=NOW)


def test_closing_and_reopening_a_slot(session: Session, slot: TimeSlot) -> None:
    assert close_slot(session, slot.id, now=NOW).state is SlotState.CLOSED
    assert reopen_slot(session, slot.id).state is SlotState.OPEN


def test_reopening_leaves_a_slot_that_is_not_closed_as_it_is(
    session: Session, core_make: Any, slot: TimeSlot
) -> None:
    _booked(session, core_make, slot)

    assert reopen_slot(session, slot.id).state is SlotState.BOOKED


def test_a_hidden_slot_closed_by_staff_stays_closed_when_the_booking_is_cancelled(
    session: Session, core_make: Any, room: Resource
) -> None:
    hour = core_make.service_type(auto_remove_conflicts=True)
    long = core_make.slot(WEDNESDAY_10_EST, resource=room, service_types=[hour])
    half = core_make.slot(WEDNESDAY_10_EST, resource=room, minutes=30)
    booking = _booked(session, core_make, long)
    assert _stored(session, half.id).state is SlotState.HIDDEN  # type: ignore[union-attr]

    close_slot(session, half.id, now=NOW)
    cancel(session, public_id=booking.public_id, now=NOW)

    assert _stored(session, half.id).state is SlotState.CLOSED  # type: ignore[union-attr]


def test_deleting_a_free_slot_removes_it_and_its_types(session: Session, slot: TimeSlot) -> None:
    slot_id = slot.id
    delete_slot(session, slot_id, now=NOW)

    assert _stored(session, slot_id) is None
    links = select(func.count()).select_from(slot_service_type)
    assert session.scalar(links.where(slot_service_type.c.slot_id == slot_id)) == 0


def test_a_slot_booked_before_is_closed_not_deleted(
    session: Session, core_make: Any, slot: TimeSlot
) -> None:
    booking = _booked(session, core_make, slot)
    cancel(session, public_id=booking.public_id, now=NOW)

    with pytest.raises(SlotHasHistory, match="Close it instead"):
        delete_slot(session, slot.id, now=NOW)

    assert _stored(session, slot.id) is not None


@pytest.mark.parametrize("change", ["update", "move", "close", "delete"])
def test_a_slot_deleted_meanwhile_is_not_found(
    session: Session, slot: TimeSlot, change: str
) -> None:
    slot_id, details = slot.id, _details(slot)
    delete_slot(session, slot_id, now=NOW)

    with pytest.raises(NotFound, match="deleted in the meantime"):
        _apply(change, session, slot_id, details)


def test_reopening_a_deleted_slot_is_not_found(session: Session, slot: TimeSlot) -> None:
    slot_id = slot.id
    delete_slot(session, slot_id, now=NOW)

    with pytest.raises(NotFound):
        reopen_slot(session, slot_id)
