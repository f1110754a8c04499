"""The Sessions / Appointments tabs' "limit to book" notice, and what a widget booking records
(notes, "Why are you booking?", default description and booker)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.models import (
    FieldMode,
    KindPreferences,
    ListChoice,
    ListKind,
    ServiceKind,
    SlotState,
)
from core.services import availability
from core.services.booking import book, hold_slot
from core.services.booking_answers import booking_answers
from core.services.errors import InvalidDetails, TooSoonToBook
from tests.conftest import NOW

HOLD_FOR = timedelta(minutes=10)


def _starts(session: Session, slot: Any, not_before: Any = None) -> list[Any]:
    return availability.bookable_starts(
        session,
        service_type_id=slot.service_types[0].id,
        location_id=slot.location_id,
        start=NOW,
        end=NOW + timedelta(days=7),
        now=NOW,
        not_before=not_before,
    )


def test_earliest_start_is_now_plus_the_kinds_notice(session: Session, make: Any) -> None:
    make._save(KindPreferences(kind=ServiceKind.APPOINTMENT, notice_book_minutes=120))

    assert availability.earliest_start(session, ServiceKind.APPOINTMENT, NOW) == NOW + timedelta(
        hours=2
    )
    assert availability.earliest_start(session, ServiceKind.SESSION, NOW) is None


def test_slots_inside_the_notice_are_not_offered(session: Session, make: Any) -> None:
    soon = make.slot(NOW + timedelta(hours=1))
    later = make.slot(
        NOW + timedelta(hours=3), service_types=soon.service_types, resource=soon.resource
    )

    assert _starts(session, soon) == [soon.start_at, later.start_at]
    assert _starts(session, soon, NOW + timedelta(hours=2)) == [later.start_at]


def test_holding_a_slot_inside_the_notice_is_refused(session: Session, make: Any) -> None:
    slot = make.slot(NOW + timedelta(hours=1))

    with pytest.raises(TooSoonToBook):
        hold_slot(
            session,
            slot_id=slot.id,
            service_type_id=slot.service_types[0].id,
            now=NOW,
            hold_for=HOLD_FOR,
            earliest_start=NOW + timedelta(hours=2),
        )
    session.refresh(slot)
    assert slot.state is SlotState.OPEN


def test_holding_a_slot_after_the_notice_works(session: Session, make: Any) -> None:
    slot = make.slot(NOW + timedelta(hours=3))

    hold = hold_slot(
        session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        now=NOW,
        hold_for=HOLD_FOR,
        earliest_start=NOW + timedelta(hours=2),
    )
    assert hold.slot_id == slot.id


def test_booking_stores_notes_reason_description_and_booker(session: Session, make: Any) -> None:
    slot = make.slot(NOW + timedelta(days=1))
    reason = make._save(ListChoice(kind=ListKind.BOOKING_REASON, name="Birthday"))
    staff = make.staff()

    booking = book(
        session,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        client_id=make.client().id,
        now=NOW,
        notes="Bring the dog",
        reason_id=reason.id,
        description="Booked online",
        booked_by_id=staff.id,
    )
    session.expire_all()
    assert (booking.notes, booking.reason_id, booking.description, booking.booked_by_id) == (
        "Bring the dog",
        reason.id,
        "Booked online",
        staff.id,
    )


def test_required_notes_must_be_written(session: Session, make: Any) -> None:
    make._save(KindPreferences(kind=ServiceKind.SESSION, notes_mode=FieldMode.REQUIRED))

    with pytest.raises(InvalidDetails) as refused:
        booking_answers(session, ServiceKind.SESSION, notes="  ", reason_id=None)
    assert set(refused.value.errors) == {"notes"}


def test_hidden_notes_are_dropped(session: Session, make: Any) -> None:
    make._save(KindPreferences(kind=ServiceKind.SESSION, notes_mode=FieldMode.HIDDEN))

    assert booking_answers(session, ServiceKind.SESSION, notes="hi", reason_id=None).notes == ""


def test_kind_defaults_are_applied_to_answers(session: Session, make: Any) -> None:
    staff = make.staff()
    make._save(
        KindPreferences(
            kind=ServiceKind.APPOINTMENT,
            default_description="Appointment booked online",
            default_booker_id=staff.id,
        )
    )

    answers = booking_answers(session, ServiceKind.APPOINTMENT, notes="", reason_id=None)
    assert (answers.description, answers.booked_by_id) == ("Appointment booked online", staff.id)


@pytest.mark.parametrize("offered", [False, True], ids=["not-shown-online", "shown-online"])
def test_booking_reason_must_be_one_shown_online(
    session: Session, make: Any, offered: bool
) -> None:
    make._save(KindPreferences(kind=ServiceKind.SESSION, ask_booking_reason=True))
    make._save(ListChoice(kind=ListKind.BOOKING_REASON, name="Shown", show_online=True))
    other = make._save(ListChoice(kind=ListKind.BOOKING_REASON, name="Other", show_online=offered))

    if offered:
        answers = booking_answers(session, ServiceKind.SESSION, notes="", reason_id=other.id)
        assert answers.reason_id == other.id
    else:
        with pytest.raises(InvalidDetails):
            booking_answers(session, ServiceKind.SESSION, notes="", reason_id=other.id)


def test_an_asked_booking_reason_is_required(session: Session, make: Any) -> None:
    make._save(KindPreferences(kind=ServiceKind.SESSION, ask_booking_reason=True))
    make._save(ListChoice(kind=ListKind.BOOKING_REASON, name="Shown", show_online=True))

    with pytest.raises(InvalidDetails) as refused:
        booking_answers(session, ServiceKind.SESSION, notes="", reason_id=None)
    assert set(refused.value.errors) == {"reason"}
