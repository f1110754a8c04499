"""Holding, booking and cancelling slots, and what a client sees as bookable, on a real database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from core.models import (
    BookedVia,
    Booking,
    BookingStatus,
    Client,
    Location,
    Resource,
    ServiceType,
    SlotState,
    TimeSlot,
)
from core.services import availability
from core.services.booking import (
    Hold,
    book,
    cancel,
    hold_slot,
    release_hold,
    upcoming_bookings,
)
from core.services.errors import HoldExpired, NotCancellable, NotFound, SlotNotOffered, SlotTaken
from tests.conftest import NOW

HOLD_FOR = timedelta(minutes=10)
START = NOW + timedelta(days=2)


@pytest.fixture
def service_type(core_make: Any) -> ServiceType:
    return core_make.service_type()  # type: ignore[no-any-return]


@pytest.fixture
def slot(core_make: Any, service_type: ServiceType) -> TimeSlot:
    return core_make.slot(START, service_types=[service_type])  # type: ignore[no-any-return]


@pytest.fixture
def client(core_make: Any) -> Client:
    return core_make.client()  # type: ignore[no-any-return]


@pytest.fixture
def other_client(core_make: Any) -> Client:
    return core_make.client()  # type: ignore[no-any-return]


def _hold(session: Session, slot: TimeSlot, now: datetime = NOW, **kw: Any) -> Hold:
    service_type_id = kw.pop("service_type_id", slot.service_types[0].id)
    return hold_slot(
        session,
        slot_id=slot.id,
        service_type_id=service_type_id,
        now=now,
        hold_for=kw.pop("hold_for", HOLD_FOR),
        **kw,
    )


def _book(
    session: Session, slot: TimeSlot, client: Client, now: datetime = NOW, **kw: Any
) -> Booking:
    return book(
        session,
        slot_id=slot.id,
        service_type_id=kw.pop("service_type_id", slot.service_types[0].id),
        client_id=client.id,
        now=now,
        **kw,
    )


def _state(session: Session, slot: TimeSlot) -> SlotState:
    session.expire_all()
    return session.get_one(TimeSlot, slot.id).state


def _booking_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Booking)) or 0


# --- holding -----------------------------------------------------------------------------------


def test_holding_an_open_slot_marks_it_held_until_the_hold_ends(
    session: Session, slot: TimeSlot
) -> None:
    hold = _hold(session, slot)

    session.expire_all()
    held = session.get_one(TimeSlot, slot.id)
    assert (held.state, held.hold_token, held.held_until) == (
        SlotState.HELD,
        hold.token,
        NOW + HOLD_FOR,
    )
    assert hold.held_until == NOW + HOLD_FOR


def test_a_held_slot_cannot_be_held_by_someone_else(session: Session, slot: TimeSlot) -> None:
    _hold(session, slot)

    with pytest.raises(SlotTaken):
        _hold(session, slot, now=NOW + HOLD_FOR - timedelta(seconds=1))


def test_an_expired_hold_frees_the_slot_for_someone_else(session: Session, slot: TimeSlot) -> None:
    first = _hold(session, slot)

    second = _hold(session, slot, now=first.held_until)

    assert second.token != first.token
    session.expire_all()
    assert session.get_one(TimeSlot, slot.id).hold_token == second.token


def test_holding_a_new_slot_releases_the_previous_hold(
    session: Session, core_make: Any, slot: TimeSlot, service_type: ServiceType
) -> None:
    later = core_make.slot(START + timedelta(hours=1), service_types=[service_type])
    previous = _hold(session, slot)

    _hold(session, later, release=previous)

    assert _state(session, slot) is SlotState.OPEN
    assert _state(session, later) is SlotState.HELD


def test_a_refused_hold_keeps_the_previous_hold(
    session: Session, core_make: Any, slot: TimeSlot, service_type: ServiceType
) -> None:
    taken = core_make.slot(
        START + timedelta(hours=1), service_types=[service_type], state=SlotState.BOOKED
    )
    previous = _hold(session, slot)

    with pytest.raises(SlotTaken):
        _hold(session, taken, release=previous)

    session.expire_all()
    assert session.get_one(TimeSlot, slot.id).hold_token == previous.token


def test_choosing_the_same_time_again_renews_the_clients_own_hold(
    session: Session, slot: TimeSlot
) -> None:
    previous = _hold(session, slot)

    renewed = _hold(session, slot, now=NOW + timedelta(minutes=5), release=previous)

    assert renewed.held_until == NOW + timedelta(minutes=5) + HOLD_FOR
    session.expire_all()
    assert session.get_one(TimeSlot, slot.id).hold_token == renewed.token


def test_someone_elses_hold_is_not_renewed_by_naming_its_slot(
    session: Session, slot: TimeSlot
) -> None:
    theirs = _hold(session, slot)
    forged = Hold(slot.id, theirs.service_type_id, "not-their-token", theirs.held_until)

    with pytest.raises(SlotTaken):
        _hold(session, slot, release=forged)


def test_releasing_a_hold_opens_the_slot_at_once(session: Session, slot: TimeSlot) -> None:
    hold = _hold(session, slot)

    release_hold(session, hold)

    assert _state(session, slot) is SlotState.OPEN


def test_a_slot_cannot_be_held_for_a_type_it_does_not_serve(
    session: Session, core_make: Any, slot: TimeSlot
) -> None:
    other_type = core_make.service_type()

    with pytest.raises(SlotNotOffered):
        _hold(session, slot, service_type_id=other_type.id)
    assert _state(session, slot) is SlotState.OPEN


def test_an_unknown_slot_cannot_be_held(session: Session, service_type: ServiceType) -> None:
    with pytest.raises(NotFound):
        hold_slot(
            session, slot_id=987654, service_type_id=service_type.id, now=NOW, hold_for=HOLD_FOR
        )


@pytest.mark.parametrize("after_start", [timedelta(0), timedelta(minutes=1), timedelta(days=3)])
def test_a_slot_that_has_started_cannot_be_held(
    session: Session, slot: TimeSlot, after_start: timedelta
) -> None:
    with pytest.raises(SlotTaken):
        _hold(session, slot, now=START + after_start)


@pytest.mark.parametrize("state", [SlotState.BOOKED, SlotState.HIDDEN, SlotState.CLOSED])
def test_a_slot_that_is_not_open_cannot_be_held(
    session: Session, core_make: Any, service_type: ServiceType, state: SlotState
) -> None:
    slot = core_make.slot(START, service_types=[service_type], state=state)

    with pytest.raises(SlotTaken):
        _hold(session, slot)
    assert _state(session, slot) is state


# --- booking -----------------------------------------------------------------------------------


def test_booking_with_a_valid_hold_creates_a_booking_and_books_the_slot(
    session: Session, slot: TimeSlot, client: Client
) -> None:
    hold = _hold(session, slot)

    booking = _book(session, slot, client, now=NOW + timedelta(minutes=9), hold=hold)

    session.expire_all()
    saved = session.get_one(Booking, booking.id)
    assert (saved.status, saved.client_id, saved.slot_id) == (
        BookingStatus.BOOKED,
        client.id,
        slot.id,
    )
    assert saved.booked_via is BookedVia.WIDGET
    assert saved.created_at == NOW + timedelta(minutes=9)
    booked = session.get_one(TimeSlot, slot.id)
    assert (booked.state, booked.hold_token, booked.held_until) == (SlotState.BOOKED, None, None)


@pytest.mark.parametrize("late_by", [timedelta(0), timedelta(seconds=1), timedelta(hours=1)])
def test_booking_with_an_expired_hold_is_refused_and_books_nothing(
    session: Session, slot: TimeSlot, client: Client, late_by: timedelta
) -> None:
    hold = _hold(session, slot)

    with pytest.raises(HoldExpired):
        _book(session, slot, client, now=hold.held_until + late_by, hold=hold)

    assert _booking_count(session) == 0
    assert _state(session, slot) is SlotState.HELD


def test_booking_with_an_expired_hold_that_someone_else_took_over_is_refused(
    session: Session, slot: TimeSlot, client: Client
) -> None:
    mine = _hold(session, slot)
    _hold(session, slot, now=mine.held_until)

    with pytest.raises(HoldExpired):
        _book(session, slot, client, now=mine.held_until + timedelta(minutes=1), hold=mine)
    assert _booking_count(session) == 0


def test_booking_with_someone_elses_token_is_refused(
    session: Session, slot: TimeSlot, client: Client
) -> None:
    theirs = _hold(session, slot)
    forged = Hold(slot.id, theirs.service_type_id, "guessed-token", theirs.held_until)

    with pytest.raises(SlotTaken):
        _book(session, slot, client, hold=forged)

    assert _booking_count(session) == 0
    assert _state(session, slot) is SlotState.HELD


def test_booking_with_a_hold_on_another_slot_is_refused(
    session: Session, core_make: Any, slot: TimeSlot, service_type: ServiceType, client: Client
) -> None:
    other = core_make.slot(START + timedelta(hours=1), service_types=[service_type])
    hold = _hold(session, other)

    with pytest.raises(SlotNotOffered):
        _book(session, slot, client, hold=hold)
    assert _booking_count(session) == 0


def test_staff_can_book_an_open_slot_without_a_hold(
    session: Session, core_make: Any, slot: TimeSlot, client: Client
) -> None:
    staff = core_make.staff()

    booking = _book(session, slot, client, via=BookedVia.STAFF, booked_by_id=staff.id)

    assert (booking.status, booking.booked_via, booking.booked_by_id) == (
        BookingStatus.BOOKED,
        BookedVia.STAFF,
        staff.id,
    )
    assert _state(session, slot) is SlotState.BOOKED


def test_staff_can_book_a_slot_whose_hold_has_expired(
    session: Session, slot: TimeSlot, client: Client
) -> None:
    hold = _hold(session, slot)

    _book(session, slot, client, now=hold.held_until, via=BookedVia.STAFF)

    assert _state(session, slot) is SlotState.BOOKED


def test_a_booked_slot_cannot_be_booked_again(
    session: Session, slot: TimeSlot, client: Client, other_client: Client
) -> None:
    _book(session, slot, client, via=BookedVia.STAFF)

    with pytest.raises(SlotTaken):
        _book(session, slot, other_client, via=BookedVia.STAFF)
    assert _booking_count(session) == 1


@pytest.mark.parametrize("state", [SlotState.HELD, SlotState.HIDDEN, SlotState.CLOSED])
def test_a_slot_that_is_held_hidden_or_closed_cannot_be_booked_without_a_hold(
    session: Session, core_make: Any, service_type: ServiceType, client: Client, state: SlotState
) -> None:
    held_until = NOW + HOLD_FOR if state is SlotState.HELD else None
    slot = core_make.slot(
        START, service_types=[service_type], state=state, hold_token="x", held_until=held_until
    )

    with pytest.raises(SlotTaken):
        _book(session, slot, client, via=BookedVia.STAFF)
    assert _booking_count(session) == 0


def test_a_slot_cannot_be_booked_for_a_type_it_does_not_serve(
    session: Session, core_make: Any, slot: TimeSlot, client: Client
) -> None:
    with pytest.raises(SlotNotOffered):
        _book(session, slot, client, service_type_id=core_make.service_type().id)
    assert _booking_count(session) == 0


# --- cancelling --------------------------------------------------------------------------------


def test_a_client_cancelling_reopens_the_slot_for_another_client(
    session: Session, slot: TimeSlot, client: Client, other_client: Client
) -> None:
    booking = _book(session, slot, client)

    cancelled = cancel(session, public_id=booking.public_id, now=NOW, client_id=client.id)

    assert (cancelled.status, cancelled.cancelled_at) == (BookingStatus.CANCELLED, NOW)
    assert _state(session, slot) is SlotState.OPEN
    again = _book(session, slot, other_client, hold=_hold(session, slot))
    assert again.client_id == other_client.id


def test_a_client_cannot_cancel_someone_elses_booking(
    session: Session, slot: TimeSlot, client: Client, other_client: Client
) -> None:
    booking = _book(session, slot, client)

    with pytest.raises(NotFound):
        cancel(session, public_id=booking.public_id, now=NOW, client_id=other_client.id)

    session.expire_all()
    assert session.get_one(Booking, booking.id).status is BookingStatus.BOOKED
    assert _state(session, slot) is SlotState.BOOKED


def test_an_unknown_booking_cannot_be_cancelled(session: Session) -> None:
    with pytest.raises(NotFound):
        cancel(session, public_id="no-such-booking", now=NOW)


@pytest.mark.parametrize("client_cancels", [True, False])
def test_a_booking_cannot_be_cancelled_twice(
    session: Session, slot: TimeSlot, client: Client, client_cancels: bool
) -> None:
    booking = _book(session, slot, client)
    client_id = client.id if client_cancels else None
    cancel(session, public_id=booking.public_id, now=NOW, client_id=client_id)

    with pytest.raises(NotCancellable):
        cancel(session, public_id=booking.public_id, now=NOW, client_id=client_id)


def test_cancelling_an_old_booking_does_not_reopen_the_slot_booked_since(
    session: Session, slot: TimeSlot, client: Client, other_client: Client
) -> None:
    first = _book(session, slot, client)
    cancel(session, public_id=first.public_id, now=NOW)
    _book(session, slot, other_client)

    with pytest.raises(NotCancellable):
        cancel(session, public_id=first.public_id, now=NOW)
    assert _state(session, slot) is SlotState.BOOKED


@pytest.mark.parametrize("after_start", [timedelta(0), timedelta(minutes=30), timedelta(days=7)])
def test_a_client_cannot_cancel_once_the_session_has_started(
    session: Session, slot: TimeSlot, client: Client, after_start: timedelta
) -> None:
    booking = _book(session, slot, client)

    with pytest.raises(NotCancellable):
        cancel(session, public_id=booking.public_id, now=START + after_start, client_id=client.id)
    assert _state(session, slot) is SlotState.BOOKED


def test_staff_can_cancel_after_the_session_has_started(
    session: Session, slot: TimeSlot, client: Client
) -> None:
    booking = _book(session, slot, client)

    cancelled = cancel(session, public_id=booking.public_id, now=START + timedelta(minutes=30))

    assert cancelled.status is BookingStatus.CANCELLED
    assert _state(session, slot) is SlotState.OPEN


# --- upcoming bookings -------------------------------------------------------------------------


def test_upcoming_bookings_are_the_clients_live_unended_bookings_soonest_first(
    session: Session,
    core_make: Any,
    service_type: ServiceType,
    client: Client,
    other_client: Client,
) -> None:
    def slot_at(start: datetime) -> TimeSlot:
        return core_make.slot(start, service_types=[service_type])  # type: ignore[no-any-return]

    later = _book(session, slot_at(NOW + timedelta(days=5)), client)
    sooner = _book(session, slot_at(NOW + timedelta(days=1)), client)
    in_progress = _book(
        session, slot_at(NOW - timedelta(minutes=30)), client, now=NOW - timedelta(days=1)
    )
    _book(session, slot_at(NOW - timedelta(hours=1)), client, now=NOW - timedelta(days=1))  # ended
    cancelled = _book(session, slot_at(NOW + timedelta(days=2)), client)
    cancel(session, public_id=cancelled.public_id, now=NOW)
    _book(session, slot_at(NOW + timedelta(days=3)), other_client)

    found = upcoming_bookings(session, now=NOW, client_id=client.id)

    assert [b.id for b in found] == [in_progress.id, sooner.id, later.id]


def test_upcoming_bookings_without_a_client_lists_everyones(
    session: Session,
    core_make: Any,
    service_type: ServiceType,
    client: Client,
    other_client: Client,
) -> None:
    mine = _book(session, core_make.slot(START, service_types=[service_type]), client)
    theirs = _book(
        session,
        core_make.slot(START - timedelta(hours=2), service_types=[service_type]),
        other_client,
    )

    assert [b.id for b in upcoming_bookings(session, now=NOW)] == [theirs.id, mine.id]


# --- availability ------------------------------------------------------------------------------


@pytest.fixture
def location(core_make: Any) -> Location:
    return core_make.location()  # type: ignore[no-any-return]


@pytest.fixture
def room(core_make: Any, location: Location) -> Resource:
    return core_make.resource(location)  # type: ignore[no-any-return]


def _window(**query: Any) -> dict[str, Any]:
    return {"start": NOW, "end": NOW + timedelta(days=30), "now": NOW, **query}


@pytest.mark.parametrize(
    ("slot_fields", "bookable"),
    [
        pytest.param({}, True, id="open"),
        pytest.param(
            {"state": SlotState.HELD, "held_until": NOW - timedelta(minutes=1)},
            True,
            id="hold expired",
        ),
        pytest.param({"state": SlotState.HELD, "held_until": NOW}, True, id="hold ends now"),
        pytest.param(
            {"state": SlotState.HELD, "held_until": NOW + timedelta(minutes=1)}, False, id="held"
        ),
        pytest.param({"state": SlotState.BOOKED}, False, id="booked"),
        pytest.param({"state": SlotState.HIDDEN}, False, id="hidden"),
        pytest.param({"state": SlotState.CLOSED}, False, id="closed"),
        pytest.param({"start": NOW}, False, id="starts now"),
        pytest.param({"start": NOW - timedelta(days=1)}, False, id="past"),
    ],
)
def test_only_future_open_or_expired_hold_slots_are_bookable(
    session: Session,
    core_make: Any,
    room: Resource,
    service_type: ServiceType,
    slot_fields: dict[str, Any],
    bookable: bool,
) -> None:
    fields = dict(slot_fields)
    start = fields.pop("start", START)
    slot = core_make.slot(start, service_types=[service_type], resource=room, **fields)
    query = {"service_type_id": service_type.id, "location_id": room.location_id}
    window = _window(start=NOW - timedelta(days=2))

    slots = availability.bookable_slots(session, **query, **window)
    starts = availability.bookable_starts(session, **query, **window)

    assert [s.id for s in slots] == ([slot.id] if bookable else [])
    assert starts == ([start] if bookable else [])


def test_bookable_slots_are_only_those_of_the_location_and_type_asked_for(
    session: Session, core_make: Any, room: Resource, service_type: ServiceType
) -> None:
    other_type = core_make.service_type()
    elsewhere = core_make.resource(core_make.location())
    both = core_make.slot(START, service_types=[service_type, other_type], resource=room)
    only_this = core_make.slot(
        START + timedelta(hours=2), service_types=[service_type], resource=room
    )
    core_make.slot(START + timedelta(hours=1), service_types=[other_type], resource=room)
    core_make.slot(START, service_types=[service_type], resource=elsewhere)
    query = {"service_type_id": service_type.id, "location_id": room.location_id}

    slots = availability.bookable_slots(session, **query, **_window())

    assert [s.id for s in slots] == [both.id, only_this.id]
    assert availability.bookable_starts(session, **query, **_window()) == [
        both.start_at,
        only_this.start_at,
    ]


def test_bookable_slots_are_in_time_order_within_a_half_open_window(
    session: Session, core_make: Any, location: Location, service_type: ServiceType
) -> None:
    rooms = [core_make.resource(location) for _ in range(2)]
    starts = [START + timedelta(hours=h) for h in (3, 0, 1, 2)]
    for hour, start in enumerate(starts):
        core_make.slot(start, service_types=[service_type], resource=rooms[hour % 2])
    query = {"service_type_id": service_type.id, "location_id": location.id, "now": NOW}

    found = availability.bookable_slots(
        session, **query, start=START, end=START + timedelta(hours=3)
    )

    assert [s.start_at for s in found] == [START + timedelta(hours=h) for h in (0, 1, 2)]
    assert all(s.resource_name for s in found)


def test_locations_offering_a_type_are_those_with_bookable_slots_of_it(
    session: Session, core_make: Any, service_type: ServiceType
) -> None:
    other_type = core_make.service_type()
    bronx = core_make.location(display_name="Bronx")
    astoria = core_make.location(display_name="Astoria")
    booked_only = core_make.location(display_name="Booked only")
    past_only = core_make.location(display_name="Past only")
    other_type_only = core_make.location(display_name="Other type only")
    core_make.location(display_name="Empty")
    for location in (bronx, astoria):
        core_make.slot(START, service_types=[service_type], resource=core_make.resource(location))
    core_make.slot(
        START,
        service_types=[service_type],
        resource=core_make.resource(booked_only),
        state=SlotState.BOOKED,
    )
    core_make.slot(
        NOW - timedelta(days=1),
        service_types=[service_type],
        resource=core_make.resource(past_only),
    )
    core_make.slot(START, service_types=[other_type], resource=core_make.resource(other_type_only))

    offering = availability.locations_offering(session, service_type.id, NOW)
    offering_any = availability.locations_offering(session, None, NOW)

    assert [loc.display_name for loc in offering] == ["Astoria", "Bronx"]
    assert [loc.display_name for loc in offering_any] == ["Astoria", "Bronx", "Other type only"]


def test_online_service_types_leave_out_offline_types(session: Session, core_make: Any) -> None:
    online = core_make.service_type(online=True)
    core_make.service_type(online=False)

    assert [t.id for t in availability.online_service_types(session, now=NOW)] == [online.id]


def test_online_service_types_at_a_location_leave_out_types_with_no_slots_there(
    session: Session, core_make: Any, room: Resource
) -> None:
    here = core_make.service_type()
    only_closed_here = core_make.service_type()
    elsewhere = core_make.service_type()
    offline_here = core_make.service_type(online=False)
    core_make.slot(START, service_types=[here, offline_here], resource=room)
    core_make.slot(
        START,
        service_types=[only_closed_here],
        resource=core_make.resource(room.location),
        state=SlotState.CLOSED,
    )
    core_make.slot(START, service_types=[elsewhere])

    found = availability.online_service_types(session, now=NOW, location_id=room.location_id)

    assert [t.id for t in found] == [here.id]


def test_online_service_types_at_a_location_leave_out_types_with_only_past_slots_there(
    session: Session, core_make: Any, room: Resource
) -> None:
    upcoming = core_make.service_type()
    past_only = core_make.service_type()
    core_make.slot(START, service_types=[upcoming], resource=room)
    core_make.slot(NOW - timedelta(days=1), service_types=[past_only], resource=room)

    found = availability.online_service_types(session, now=NOW, location_id=room.location_id)

    assert [t.id for t in found] == [upcoming.id]


@contextmanager
def _count_statements(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _add_day_of_slots(
    session: Session, location: Location, service_type: ServiceType, count: int
) -> None:
    """`count` open slots on START's day, on ten rooms, added in one commit."""
    rooms = [Resource(name=f"Room {n}", location_id=location.id) for n in range(10)]
    session.add_all(rooms)
    session.add_all(
        [
            TimeSlot(
                start_at=START + timedelta(minutes=n // 10),
                end_at=START + timedelta(minutes=n // 10 + 60),
                resource=rooms[n % 10],
                location_id=location.id,
                service_types=[service_type],
            )
            for n in range(count)
        ]
    )
    session.commit()


def _statements_for_a_day(
    engine: Engine, location: Location, service_type: ServiceType
) -> tuple[int, int]:
    with Session(engine) as fresh, _count_statements(engine) as statements:
        slots = availability.bookable_slots(
            fresh,
            service_type_id=service_type.id,
            location_id=location.id,
            start=START - timedelta(hours=12),
            end=START + timedelta(hours=12),
            now=NOW,
        )
        names = {slot.resource_name for slot in slots}  # what the picker shows per slot
    assert names
    return len(slots), len(statements)


def test_a_days_bookable_slots_take_the_same_queries_for_5_slots_as_for_500(
    session: Session, location: Location, service_type: ServiceType
) -> None:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    _add_day_of_slots(session, location, service_type, 5)
    few, few_statements = _statements_for_a_day(engine, location, service_type)

    _add_day_of_slots(session, location, service_type, 495)
    many, many_statements = _statements_for_a_day(engine, location, service_type)

    assert (few, many) == (5, 500)
    assert many_statements == few_statements
