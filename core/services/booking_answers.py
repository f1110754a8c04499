"""What a widget booking records besides its slot (seed 001, Sessions / Appointments tabs):
the client's notes and "Why are you booking?" answer, the kind's default description and booker.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import FieldMode, ListChoice, ListKind, ServiceKind
from core.services.errors import InvalidDetails
from core.services.preferences import kind_preferences

MAX_NOTES = 2000


@dataclass(frozen=True)
class BookingAnswers:
    notes: str = ""
    reason_id: int | None = None
    description: str = ""
    booked_by_id: int | None = None


def booking_reasons_online(session: Session) -> list[ListChoice]:
    """The "Why are you booking?" choices: active booking reasons marked Show Online."""
    return list(
        session.scalars(
            select(ListChoice)
            .where(
                ListChoice.kind == ListKind.BOOKING_REASON,
                ListChoice.active.is_(True),
                ListChoice.show_online.is_(True),
            )
            .order_by(ListChoice.position, ListChoice.name)
        )
    )


def booking_answers(
    session: Session, kind: ServiceKind, *, notes: str, reason_id: int | None
) -> BookingAnswers:
    """The client's answers checked against the kind's tab, with the tab's defaults added.

    Hidden questions are dropped. Raises InvalidDetails (fields "notes", "reason") when a
    required answer is missing, too long, or not one of those offered.
    """
    prefs = kind_preferences(session, kind)
    errors: dict[str, str] = {}
    notes = notes.strip() if prefs.notes_mode is not FieldMode.HIDDEN else ""
    if prefs.notes_mode is FieldMode.REQUIRED and not notes:
        errors["notes"] = "Please add a note for the studio."
    elif len(notes) > MAX_NOTES:
        errors["notes"] = f"Please keep your note under {MAX_NOTES} characters."
    # Asked only when the studio offers at least one reason online: never an unanswerable question.
    offered = {c.id for c in booking_reasons_online(session)} if prefs.ask_booking_reason else set()
    if not offered:
        reason_id = None
    elif reason_id is None:
        errors["reason"] = "Please tell us why you are booking."
    elif reason_id not in offered:
        errors["reason"] = "Please choose one of the listed reasons."
    if errors:
        raise InvalidDetails(errors)
    return BookingAnswers(notes, reason_id, prefs.default_description, prefs.default_booker_id)


def reasons_to_ask(session: Session, kind: ServiceKind) -> list[ListChoice]:
    """The reasons to offer on the review step; empty when the question is not asked."""
    if not kind_preferences(session, kind).ask_booking_reason:
        return []
    return booking_reasons_online(session)
