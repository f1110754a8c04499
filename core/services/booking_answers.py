"""What a widget booking records besides its slot (seed 001, Sessions / Appointments tabs):
the client's notes and "Why are you booking?" answer, the kind's default description and booker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AnswerType, BookingQuestion, FieldMode, ListChoice, ListKind, ServiceKind
from core.services.errors import InvalidDetails
from core.services.preferences import kind_preferences
from core.services.questions import GivenAnswer, field_name, questions_to_ask

MAX_NOTES = 2000
MAX_ANSWER = {AnswerType.TEXT: 200, AnswerType.LONG_TEXT: 2000}
YES_NO = {"yes": "Yes", "no": "No"}


@dataclass(frozen=True)
class BookingAnswers:
    notes: str = ""
    reason_id: int | None = None
    description: str = ""
    booked_by_id: int | None = None
    questions: tuple[GivenAnswer, ...] = ()


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
    session: Session,
    kind: ServiceKind,
    *,
    notes: str,
    reason_id: int | None,
    typed: Mapping[str, str] | None = None,
    questions: Sequence[BookingQuestion] | None = None,
) -> BookingAnswers:
    """The client's answers checked against the kind's tab, with the tab's defaults added.

    `typed` holds the answers to the studio's own questions by field name ("question_12");
    `questions` are the kind's questions to ask when the caller has them already.
    Hidden questions are dropped. Raises InvalidDetails (fields "notes", "reason" and one per
    question) when a required answer is missing, too long, or not one of those offered.
    """
    prefs = kind_preferences(session, kind)
    if questions is None:
        questions = questions_to_ask(session, kind)
    given, errors = _check_questions(questions, typed or {})
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
    return BookingAnswers(
        notes, reason_id, prefs.default_description, prefs.default_booker_id, tuple(given)
    )


def _check_questions(
    questions: Sequence[BookingQuestion], typed: Mapping[str, str]
) -> tuple[list[GivenAnswer], dict[str, str]]:
    """The answers worth keeping (blank optional ones are left out) and a message per field
    answered wrongly."""
    given: list[GivenAnswer] = []
    errors: dict[str, str] = {}
    for question in questions:
        if question.mode is FieldMode.HIDDEN:
            continue
        name = field_name(question)
        answer = str(typed.get(name) or "").strip()
        if not answer:
            if question.mode is FieldMode.REQUIRED:
                errors[name] = (
                    "Please choose an answer."
                    if question.answer_type in (AnswerType.CHOICE, AnswerType.YES_NO)
                    else "Please answer this question."
                )
            continue
        if question.answer_type is AnswerType.YES_NO:
            if answer.lower() not in YES_NO:
                errors[name] = "Please answer yes or no."
                continue
            answer = YES_NO[answer.lower()]
        elif question.answer_type is AnswerType.CHOICE:
            if answer not in question.choice_list:
                errors[name] = "Please choose one of the listed answers."
                continue
        elif len(answer) > MAX_ANSWER[question.answer_type]:
            limit = MAX_ANSWER[question.answer_type]
            errors[name] = f"Please keep your answer to {limit} characters or fewer."
            continue
        given.append(GivenAnswer(question.id, question.label, answer))
    return given, errors


def reasons_to_ask(session: Session, kind: ServiceKind) -> list[ListChoice]:
    """The reasons to offer on the review step; empty when the question is not asked."""
    if not kind_preferences(session, kind).ask_booking_reason:
        return []
    return booking_reasons_online(session)
