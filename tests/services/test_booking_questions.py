"""The studio's own booking questions: which are asked, how answers are checked, and answers
kept with the booking (free and paid paths, retries, reschedules, edits and deletions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import (
    AnswerType,
    Booking,
    BookingAnswer,
    BookingQuestion,
    FieldMode,
    KindPreferences,
    PaymentOption,
    ServiceKind,
)
from core.services import checkout
from core.services import questions as service
from core.services.booking import book
from core.services.booking_answers import booking_answers
from core.services.errors import InvalidDetails, SlotTaken
from core.services.payments import TestModeGateway
from core.services.questions import (
    GivenAnswer,
    InvalidQuestion,
    QuestionDetails,
    answers_for,
    field_name,
    questions_to_ask,
)
from core.services.rescheduling import reschedule
from tests.conftest import NOW
from tests.services.test_checkout import VISA, held, priced_type

START = NOW + timedelta(days=2)


@pytest.fixture
def gateway(engine: Any, clean_db: Any) -> TestModeGateway:
    return TestModeGateway(engine, clock=lambda: NOW)


def _question(session: Session, label: str, kind=ServiceKind.SESSION, **kw: Any):
    return service.add_question(session, kind, QuestionDetails(label, **kw))


def _outfits(session: Session, mode=FieldMode.REQUIRED) -> BookingQuestion:
    return _question(
        session, "Outfit changes", answer_type=AnswerType.CHOICE, choices="1\n2\n3", mode=mode
    )


def _check(session: Session, typed: dict[str, str], kind=ServiceKind.SESSION):
    return booking_answers(session, kind, notes="", reason_id=None, typed=typed)


def _stored(session: Session) -> list[tuple[int | None, str, str]]:
    session.expire_all()
    rows = session.scalars(select(BookingAnswer).order_by(BookingAnswer.id))
    return [(a.question_id, a.question, a.answer) for a in rows]


# --- Which questions are asked -----------------------------------------------------------------


def test_clients_are_asked_the_kinds_questions_in_order_without_hidden_ones(session):
    first = _question(session, "Who is in the photo?")
    _question(session, "Anything secret?", mode=FieldMode.HIDDEN)
    second = _outfits(session)
    _question(session, "Which album?", kind=ServiceKind.APPOINTMENT)
    service.move_question(session, second.id, -1)  # above the hidden one
    service.move_question(session, second.id, -1)

    assert [q.label for q in questions_to_ask(session, ServiceKind.SESSION)] == [
        "Outfit changes",
        "Who is in the photo?",
    ]
    assert first.position > second.position


def test_moving_the_first_question_up_leaves_the_order_alone(session):
    first, second = _question(session, "One?"), _question(session, "Two?")
    service.move_question(session, first.id, -1)
    assert [q.id for q in questions_to_ask(session, ServiceKind.SESSION)] == [first.id, second.id]


# --- Checking a client's answers ---------------------------------------------------------------


def test_a_required_question_left_blank_is_refused_with_its_own_message(session):
    outfits = _outfits(session)
    who = _question(session, "Who is in the photo?", mode=FieldMode.REQUIRED)

    with pytest.raises(InvalidDetails) as refused:
        _check(session, {field_name(outfits): "  "})
    assert refused.value.errors == {
        field_name(outfits): "Please choose an answer.",
        field_name(who): "Please answer this question.",
    }


def test_an_optional_question_left_blank_is_not_kept(session):
    _question(session, "Who is in the photo?")
    assert _check(session, {}).questions == ()


def test_a_hidden_question_is_neither_asked_nor_kept(session):
    hidden = _question(session, "Secret?", mode=FieldMode.HIDDEN, answer_type=AnswerType.YES_NO)
    assert _check(session, {field_name(hidden): "maybe"}).questions == ()


def test_a_choice_must_be_one_of_those_offered(session):
    outfits = _outfits(session)
    with pytest.raises(InvalidDetails) as refused:
        _check(session, {field_name(outfits): "7"})
    assert refused.value.errors == {field_name(outfits): "Please choose one of the listed answers."}
    assert _check(session, {field_name(outfits): "2"}).questions == (
        GivenAnswer(outfits.id, "Outfit changes", "2"),
    )


@pytest.mark.parametrize(("typed", "kept"), [("yes", "Yes"), ("No", "No")])
def test_a_yes_no_question_keeps_yes_or_no(session, typed, kept):
    pets = _question(session, "Bringing pets?", answer_type=AnswerType.YES_NO)
    assert _check(session, {field_name(pets): typed}).questions[0].answer == kept


def test_a_yes_no_question_refuses_anything_else(session):
    pets = _question(session, "Bringing pets?", answer_type=AnswerType.YES_NO)
    with pytest.raises(InvalidDetails) as refused:
        _check(session, {field_name(pets): "maybe"})
    assert refused.value.errors == {field_name(pets): "Please answer yes or no."}


@pytest.mark.parametrize(
    ("answer_type", "limit"), [(AnswerType.TEXT, 200), (AnswerType.LONG_TEXT, 2000)]
)
def test_answers_are_limited_in_length(session, answer_type, limit):
    question = _question(session, "Tell us more", answer_type=answer_type)
    name = field_name(question)
    assert _check(session, {name: "x" * limit}).questions[0].answer == "x" * limit
    with pytest.raises(InvalidDetails) as refused:
        _check(session, {name: "x" * (limit + 1)})
    assert refused.value.errors == {
        name: f"Please keep your answer to {limit} characters or fewer."
    }


def test_question_errors_come_with_the_notes_error_in_one_refusal(session):
    session.add(KindPreferences(kind=ServiceKind.SESSION, notes_mode=FieldMode.REQUIRED))
    session.commit()
    outfits = _outfits(session)
    with pytest.raises(InvalidDetails) as refused:
        _check(session, {})
    assert set(refused.value.errors) == {"notes", field_name(outfits)}


# --- Answers kept with the booking -------------------------------------------------------------


def _book(session: Session, core_make: Any, answers=(), service_type=None) -> Booking:
    service_type = service_type or core_make.service_type()
    slot = core_make.slot(START, service_types=[service_type])
    return book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=core_make.client().id,
        now=NOW,
        answers=answers,
    )


def test_a_booking_keeps_its_answers_with_the_question_wording(session, core_make):
    outfits = _outfits(session)
    answers = _check(session, {field_name(outfits): "3"}).questions
    booking = _book(session, core_make, answers)

    assert _stored(session) == [(outfits.id, "Outfit changes", "3")]
    assert [a.answer for a in answers_for(session, [booking.id])[booking.id]] == ["3"]


def test_a_question_deleted_after_it_was_answered_does_not_fail_the_booking(session, core_make):
    who = _question(session, "Who is in the photo?")
    answers = _check(session, {field_name(who): "Grandma"}).questions
    service.delete_question(session, who.id)  # staff delete it while the client pays

    _book(session, core_make, answers)
    assert _stored(session) == [(None, "Who is in the photo?", "Grandma")]


def test_a_booking_that_fails_keeps_no_answers(session, core_make):
    outfits = _outfits(session)
    answers = _check(session, {field_name(outfits): "3"}).questions
    service_type = core_make.service_type()
    slot = core_make.slot(START, service_types=[service_type])
    book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=core_make.client().id,
        now=NOW,
    )
    with pytest.raises(SlotTaken):
        book(
            session,
            slot_id=slot.id,
            service_type_id=service_type.id,
            client_id=core_make.client().id,
            now=NOW,
            answers=answers,
        )
    assert _stored(session) == []


def test_paying_keeps_the_answers_once_even_when_the_attempt_is_retried(
    session, core_make, gateway
):
    outfits = _outfits(session)
    answers = _check(session, {field_name(outfits): "2"}).questions
    service_type = priced_type(core_make, PaymentOption.FULL_AMOUNT)
    client, hold = core_make.client(), held(session, core_make, service_type)
    key = "attempt-0123456789abcdef"

    def attempt() -> Booking:
        return checkout.pay_and_book(
            session,
            gateway,
            hold=hold,
            client_id=client.id,
            idempotency_key=key,
            expected_amount=19000,
            source=checkout.PaymentSource(card=VISA),
            method="Credit card",
            now=NOW,
            answers=answers,
        )

    first, again = attempt(), attempt()
    assert first.id == again.id
    assert _stored(session) == [(outfits.id, "Outfit changes", "2")]


def test_a_rescheduled_booking_carries_its_answers(session, core_make):
    outfits = _outfits(session)
    service_type = core_make.service_type()
    given = _check(session, {field_name(outfits): "1"}).questions
    old = _book(session, core_make, given, service_type=service_type)
    new_slot = core_make.slot(START + timedelta(days=1), service_types=[service_type])

    new = reschedule(session, public_id=old.public_id, new_slot_id=new_slot.id, now=NOW)

    kept = answers_for(session, [old.id, new.id])
    assert [(a.question, a.answer) for a in kept[new.id]] == [("Outfit changes", "1")]
    assert [(a.question, a.answer) for a in kept[old.id]] == [("Outfit changes", "1")]
    assert session.scalar(select(func.count()).select_from(BookingAnswer)) == 2


def test_rewording_or_deleting_a_question_keeps_the_wording_answers_were_given_under(
    session, core_make
):
    who = _question(session, "Who is in the photo?")
    _book(session, core_make, _check(session, {field_name(who): "Grandma"}).questions)

    service.update_question(session, who.id, QuestionDetails("Who will be photographed?"))
    assert _stored(session) == [(who.id, "Who is in the photo?", "Grandma")]
    service.delete_question(session, who.id)
    assert _stored(session) == [(None, "Who is in the photo?", "Grandma")]
    assert questions_to_ask(session, ServiceKind.SESSION) == []


# --- Editing questions -------------------------------------------------------------------------


def test_a_question_needs_wording(session):
    with pytest.raises(InvalidQuestion) as refused:
        _question(session, "   ")
    assert refused.value.errors == {"label": "Enter the question clients will read."}


def test_a_choice_question_needs_at_least_two_different_choices(session):
    with pytest.raises(InvalidQuestion) as refused:
        _question(session, "Outfits", answer_type=AnswerType.CHOICE, choices="1\n 1 \n\n")
    assert refused.value.errors == {"choices": "List at least two choices, one per line."}


def test_choices_are_trimmed_and_kept_only_for_choice_questions(session):
    picked = _question(session, "Outfits", answer_type=AnswerType.CHOICE, choices=" 1 \n\n2\n2")
    typed = _question(session, "Names", answer_type=AnswerType.TEXT, choices="a\nb")
    assert (picked.choice_list, typed.choices) == (["1", "2"], "")


def test_the_same_wording_twice_in_one_kind_is_refused_but_other_kinds_may_have_it(session):
    _question(session, "Who is coming?")
    with pytest.raises(InvalidQuestion) as refused:
        _question(session, "who is  COMING?")
    assert refused.value.errors == {
        "label": "There is already a question “who is COMING?”. Give this one other wording."
    }
    assert _question(session, "Who is coming?", kind=ServiceKind.APPOINTMENT).id


def test_a_question_may_keep_its_own_wording_when_edited(session):
    who = _question(session, "Who is coming?")
    edited = service.update_question(
        session, who.id, QuestionDetails("Who is coming?", mode=FieldMode.REQUIRED)
    )
    assert edited.mode is FieldMode.REQUIRED


def test_several_problems_are_reported_together(session):
    with pytest.raises(InvalidQuestion) as refused:
        _question(session, "", help_text="h" * 301, answer_type=AnswerType.CHOICE, choices="1")
    assert set(refused.value.errors) == {"label", "help_text", "choices"}
