"""Studio-defined booking questions (seed 001, "New Session Options" / "New Appointment
Options"): staff write them per kind, each Hidden, optional or Required; clients' answers are
kept with the booking, with the question's wording at the time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, literal, select, update
from sqlalchemy.orm import Session

from core.models import AnswerType, BookingAnswer, BookingQuestion, FieldMode, ServiceKind
from core.services.errors import InvalidDetails, NotFound
from core.services.read_cache import cached

LABEL_MAX_LENGTH = 200
HELP_MAX_LENGTH = 300
CHOICE_MAX_LENGTH = 200
MAX_CHOICES = 50


class InvalidQuestion(InvalidDetails):
    """A question staff cannot save as written; `errors` maps form fields to messages."""


@dataclass(frozen=True)
class QuestionDetails:
    """What staff type for a question. `choices` holds one choice per line."""

    label: str
    help_text: str = ""
    answer_type: AnswerType = AnswerType.TEXT
    choices: str = ""
    mode: FieldMode = FieldMode.OPTIONAL


@dataclass(frozen=True)
class GivenAnswer:
    """A client's checked answer, with the question's wording as they read it."""

    question_id: int
    question: str
    answer: str


def field_name(question: BookingQuestion) -> str:
    """The form field that asks `question` ("question_12")."""
    return f"question_{question.id}"


# Reading


def all_questions(session: Session, kind: ServiceKind) -> list[BookingQuestion]:
    """Every question of a kind, hidden ones included, in the order clients see them."""
    stmt = select(BookingQuestion).where(BookingQuestion.kind == kind)
    return list(session.scalars(stmt.order_by(BookingQuestion.position, BookingQuestion.id)))


# Built once: the review step and the confirm both ask (issue 9).
_QUESTIONS_TO_ASK = (
    select(BookingQuestion)
    .where(
        BookingQuestion.kind == bindparam("kind", type_=BookingQuestion.kind.type),
        BookingQuestion.mode != FieldMode.HIDDEN,
    )
    .order_by(BookingQuestion.position, BookingQuestion.id)
)


def questions_to_ask(session: Session, kind: ServiceKind) -> list[BookingQuestion]:
    """The questions clients of a kind are asked, in order: every one not Hidden (one query)."""
    asked = cached(_QUESTIONS_TO_ASK, "questions to ask", kind)
    return list(session.scalars(asked, {"kind": kind}))


def find_question(session: Session, question_id: int) -> BookingQuestion:
    """The question with this id. Raises NotFound."""
    question = session.get(BookingQuestion, question_id)
    if question is None:
        raise NotFound("We could not find that question. It may have been deleted.")
    return question


def answers_for(session: Session, booking_ids: Iterable[int]) -> dict[int, list[BookingAnswer]]:
    """The answers given with each booking, in the order they were asked (one query);
    a booking without answers maps to an empty list."""
    ids = list(booking_ids)
    found: dict[int, list[BookingAnswer]] = defaultdict(list)
    if ids:
        stmt = select(BookingAnswer).where(BookingAnswer.booking_id.in_(ids))
        for answer in session.scalars(stmt.order_by(BookingAnswer.id)):
            found[answer.booking_id].append(answer)
    return {booking_id: found[booking_id] for booking_id in ids}


# Answers, written in the booking's transaction


def record_answers(session: Session, booking_id: int, answers: Sequence[GivenAnswer]) -> None:
    """Add the answers to a booking, in one INSERT (no commit: the booking's transaction does).
    A question deleted since the client answered it (say, while the card was charged) leaves
    its answer and wording without the link, instead of failing the booking."""
    if not answers:
        return
    rows = [
        {
            "booking_id": booking_id,
            "question_id": select(BookingQuestion.id)
            .where(BookingQuestion.id == a.question_id)
            .scalar_subquery(),
            "question": a.question,
            "answer": a.answer,
        }
        for a in answers
    ]
    session.execute(insert(BookingAnswer).values(rows))


def copy_answers(session: Session, from_booking_id: int, to_booking_id: int) -> None:
    """Give a rescheduled booking's new row the answers of the old one (one INSERT ... SELECT;
    no commit)."""
    columns = (BookingAnswer.question_id, BookingAnswer.question, BookingAnswer.answer)
    session.execute(
        insert(BookingAnswer).from_select(
            ["booking_id", "question_id", "question", "answer"],
            select(literal(to_booking_id), *columns)
            .where(BookingAnswer.booking_id == from_booking_id)
            .order_by(BookingAnswer.id),
        )
    )


# Editing (the admin's Sessions and Appointments tabs)


def _clean(
    session: Session, kind: ServiceKind, details: QuestionDetails, own_id: int | None = None
) -> QuestionDetails:
    """`details` trimmed, or InvalidQuestion with a message per field."""
    errors: dict[str, str] = {}
    label = " ".join(details.label.split())
    help_text = details.help_text.strip()
    if not label:
        errors["label"] = "Enter the question clients will read."
    elif len(label) > LABEL_MAX_LENGTH:
        errors["label"] = f"Keep the question to {LABEL_MAX_LENGTH} characters or fewer."
    elif session.scalar(
        select(BookingQuestion.id).where(
            BookingQuestion.kind == kind,
            func.lower(BookingQuestion.label) == label.lower(),
            BookingQuestion.id != (own_id or 0),
        )
    ):
        errors["label"] = f"There is already a question “{label}”. Give this one other wording."
    if len(help_text) > HELP_MAX_LENGTH:
        errors["help_text"] = f"Keep the help text to {HELP_MAX_LENGTH} characters or fewer."
    choices: list[str] = []
    if details.answer_type is AnswerType.CHOICE:
        for line in details.choices.splitlines():
            line = " ".join(line.split())
            if line and line not in choices:
                choices.append(line)
        if len(choices) < 2:
            errors["choices"] = "List at least two choices, one per line."
        elif len(choices) > MAX_CHOICES:
            errors["choices"] = f"Offer at most {MAX_CHOICES} choices."
        elif any(len(c) > CHOICE_MAX_LENGTH for c in choices):
            errors["choices"] = f"Keep each choice to {CHOICE_MAX_LENGTH} characters or fewer."
    if errors:
        raise InvalidQuestion(errors)
    return QuestionDetails(label, help_text, details.answer_type, "\n".join(choices), details.mode)


def _apply(question: BookingQuestion, details: QuestionDetails) -> None:
    question.label = details.label
    question.help_text = details.help_text
    question.answer_type = details.answer_type
    question.choices = details.choices
    question.mode = details.mode


def add_question(session: Session, kind: ServiceKind, details: QuestionDetails) -> BookingQuestion:
    """A new question at the end of the kind's list. Raises InvalidQuestion."""
    details = _clean(session, kind, details)
    last = session.scalar(
        select(func.max(BookingQuestion.position)).where(BookingQuestion.kind == kind)
    )
    question = BookingQuestion(kind=kind, position=(last if last is not None else -1) + 1)
    _apply(question, details)
    session.add(question)
    session.commit()
    return question


def update_question(
    session: Session, question_id: int, details: QuestionDetails
) -> BookingQuestion:
    """The question reworded or changed; answers already given keep the wording they were
    given under. Raises NotFound or InvalidQuestion."""
    question = find_question(session, question_id)
    _apply(question, _clean(session, question.kind, details, own_id=question.id))
    session.commit()
    return question


def move_question(session: Session, question_id: int, offset: int) -> BookingQuestion:
    """Move a question up (offset -1) or down (+1) its kind's list; at either end it stays put.
    Raises NotFound."""
    question = find_question(session, question_id)
    questions = all_questions(session, question.kind)
    index = questions.index(question)
    target = min(max(index + offset, 0), len(questions) - 1)
    questions.insert(target, questions.pop(index))
    for position, entry in enumerate(questions):
        entry.position = position
    session.commit()
    return question


def delete_question(session: Session, question_id: int) -> BookingQuestion:
    """Delete a question: no longer asked; answers already given keep its wording.
    Raises NotFound."""
    question = find_question(session, question_id)
    # Explicit rather than trusting ON DELETE SET NULL: SQLite enforces it only with a pragma.
    session.execute(
        update(BookingAnswer)
        .where(BookingAnswer.question_id == question.id)
        .values(question_id=None)
        .execution_options(synchronize_session=False)
    )
    session.delete(question)
    session.commit()
    return question
