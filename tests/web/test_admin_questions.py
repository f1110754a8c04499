"""The booking questions editor on the Sessions and Appointments tabs (add, edit, reorder,
delete; htmx in place and without JavaScript), and the answers staff see with bookings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.models import (
    AnswerType,
    BookedVia,
    Booking,
    BookingAnswer,
    BookingQuestion,
    FieldMode,
    ServiceKind,
)
from tests.factories import PASSWORD
from tests.web.helpers import at, count_queries, text_of

SESSIONS = "/admin/preferences/sessions"
NEW = {
    "new-label": "Who is in the photo?",
    "new-help_text": "First names are enough.",
    "new-answer_type": "text",
    "new-choices": "",
    "new-mode": "optional",
}


def questions(db_session, kind=ServiceKind.SESSION):
    db_session.expire_all()
    stmt = select(BookingQuestion).where(BookingQuestion.kind == kind)
    return list(db_session.scalars(stmt.order_by(BookingQuestion.position)))


def question(make, label, kind=ServiceKind.SESSION, **kw):
    position = make.session.scalar(select(func.count()).select_from(BookingQuestion))
    return make._save(BookingQuestion(kind=kind, label=label, position=position, **kw))


def htmx_post(web, url, data):
    return web.post(url, data, headers={"HX-Request": "true", "HX-Target": "booking-questions"})


# --- Adding --------------------------------------------------------------------------------------


def test_a_question_added_without_javascript_is_listed_on_its_tab_only(staff_web, db_session):
    added = staff_web.post(f"{SESSIONS}/questions", NEW)
    assert added.status_code == 303 and added.location.endswith("#booking-questions")

    page = text_of(staff_web.get(SESSIONS))
    assert "Question “Who is in the photo?” added." in page
    assert "1. Who is in the photo? Optional Short answer Help: First names are enough." in page
    assert "Who is in the photo?" not in text_of(staff_web.get("/admin/preferences/appointments"))
    [saved] = questions(db_session)
    assert (saved.label, saved.help_text, saved.mode) == (
        "Who is in the photo?",
        "First names are enough.",
        FieldMode.OPTIONAL,
    )


def test_adding_with_htmx_swaps_the_editor_and_announces_it(staff_web, db_session):
    staff_web.get(SESSIONS)
    choice = {
        **NEW,
        "new-label": "Outfit changes",
        "new-answer_type": "choice",
        "new-choices": "1\n2\n3",
        "new-mode": "required",
    }
    response = htmx_post(staff_web, f"{SESSIONS}/questions", choice)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card question-editor" id="booking-questions"')
    assert "<html" not in html
    status = '<div id="questions-status" hx-swap-oob="innerHTML">Question “Outfit changes” added.'
    assert status in html
    assert "1. Outfit changes Required One of a list: 1 · 2 · 3" in text_of(response)
    assert questions(db_session)[0].choice_list == ["1", "2", "3"]


# --- Refusals, inline ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        ({"new-label": "  "}, "new-label", "Enter the question clients will read."),
        (
            {"new-answer_type": "choice", "new-choices": "Just one"},
            "new-choices",
            "List at least two choices, one per line.",
        ),
        (
            {"new-answer_type": "dropdown"},
            "new-answer_type",
            "Choose one of the answer types listed.",
        ),
        ({"new-mode": "sometimes"}, "new-mode", "Choose Hidden, Optional or Required."),
    ],
)
def test_a_question_that_cannot_be_saved_is_a_400_next_to_the_field(
    staff_web, db_session, typed, field, message
):
    refused = staff_web.post(f"{SESSIONS}/questions", {**NEW, **typed})
    html = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert f'<p class="error" id="{field}-error">{message}</p>' in html
    assert re.search(rf'aria-invalid="true"[^>]*id="{field}(-0)?"', html)
    assert 'value="First names are enough."' in html  # what was typed is kept
    assert "Online booking preferences" in html  # the whole tab, without JavaScript
    assert questions(db_session) == []


def test_the_same_wording_twice_in_a_kind_is_refused_in_place(staff_web, make, db_session):
    question(make, "Who is in the photo?")
    staff_web.get(SESSIONS)
    refused = htmx_post(
        staff_web, f"{SESSIONS}/questions", {**NEW, "new-label": "WHO is in the photo?"}
    )

    assert refused.status_code == 400
    assert "There is already a question “WHO is in the photo?”." in text_of(refused)
    assert "The question was not added" in text_of(refused)  # for the live region
    assert len(questions(db_session)) == 1
    assert staff_web.post("/admin/preferences/appointments/questions", NEW).status_code == 303


# --- Editing, reordering, deleting ---------------------------------------------------------------


def test_editing_a_question_changes_its_wording_type_and_mode(staff_web, make, db_session):
    who = question(make, "Who is in the photo?")
    page = staff_web.get(SESSIONS).get_data(as_text=True)
    assert f'id="q{who.id}-label"' in page and 'value="Who is in the photo?"' in page

    saved = staff_web.post(
        f"{SESSIONS}/questions/{who.id}",
        {
            f"q{who.id}-label": "Bringing pets?",
            f"q{who.id}-help_text": "",
            f"q{who.id}-answer_type": "yes_no",
            f"q{who.id}-choices": "",
            f"q{who.id}-mode": "hidden",
        },
    )
    assert saved.status_code == 303
    [edited] = questions(db_session)
    assert (edited.label, edited.answer_type, edited.mode) == (
        "Bringing pets?",
        AnswerType.YES_NO,
        FieldMode.HIDDEN,
    )
    assert "1. Bringing pets? Hidden Yes or no" in text_of(staff_web.get(SESSIONS))


def test_a_refused_edit_stays_open_with_its_message(staff_web, make, db_session):
    who = question(make, "Who is in the photo?")
    staff_web.get(SESSIONS)
    refused = htmx_post(
        staff_web,
        f"{SESSIONS}/questions/{who.id}",
        {f"q{who.id}-label": "", f"q{who.id}-answer_type": "text", f"q{who.id}-mode": "optional"},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert '<details class="question-edit" open>' in html
    assert f'<p class="error" id="q{who.id}-label-error">Enter the question' in html
    assert questions(db_session)[0].label == "Who is in the photo?"


def test_up_and_down_reorder_the_questions(staff_web, make, db_session):
    first, second, third = (question(make, label) for label in ("One?", "Two?", "Three?"))
    staff_web.get(SESSIONS)
    moved = htmx_post(staff_web, f"{SESSIONS}/questions/{third.id}/move", {"direction": "up"})
    assert moved.status_code == 200
    assert "“Three?” is now question 2." in moved.get_data(as_text=True)
    assert re.search(rf'id="move-{third.id}-up"[^>]*autofocus', moved.get_data(as_text=True))
    staff_web.post(f"{SESSIONS}/questions/{first.id}/move", {"direction": "down"})
    assert [q.label for q in questions(db_session)] == ["Three?", "One?", "Two?"]
    assert second.id  # untouched but moved along


def test_deleting_a_question_keeps_the_answers_wording(staff_web, make, db_session):
    who = question(make, "Who is in the photo?")
    booking = _booking(make)
    make._save(
        BookingAnswer(booking_id=booking.id, question_id=who.id, question=who.label, answer="Mum")
    )
    staff_web.get(SESSIONS)
    deleted = htmx_post(staff_web, f"{SESSIONS}/questions/{who.id}/delete", {})

    assert deleted.status_code == 200 and "No questions yet" in text_of(deleted)
    db_session.expire_all()
    answer = db_session.scalar(select(BookingAnswer))
    assert (answer.question_id, answer.question, answer.answer) == (
        None,
        "Who is in the photo?",
        "Mum",
    )
    assert "Who is in the photo? Mum" in text_of(staff_web.get("/admin/bookings"))


def test_a_question_deleted_in_another_window_is_a_404_that_keeps_the_editor(staff_web, make):
    staff_web.get(SESSIONS)
    gone = htmx_post(staff_web, f"{SESSIONS}/questions/999/delete", {})
    assert gone.status_code == 404
    assert "That question was deleted in the meantime." in text_of(gone)
    assert 'id="booking-questions"' in gone.get_data(as_text=True)


def test_a_session_question_cannot_be_changed_through_the_appointments_tab(staff_web, make):
    who = question(make, "Who is in the photo?")
    staff_web.get(SESSIONS)
    url = f"/admin/preferences/appointments/questions/{who.id}/delete"
    assert staff_web.post(url, {}).status_code == 404


def test_staff_without_preferences_access_cannot_change_questions(web, make, db_session):
    staff = make.staff(can_edit_preferences=False)
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)
    assert web.post(f"{SESSIONS}/questions", NEW).status_code == 403
    assert questions(db_session) == []


# --- Where staff see the answers -----------------------------------------------------------------


def _booking(make, client=None, day=3):
    client = client or make.client()
    service_type = make.service_type()
    slot = make.slot(at(2026, 12, day, 15), service_types=[service_type])
    return make._save(
        Booking(
            client_id=client.id,
            slot_id=slot.id,
            service_type_id=service_type.id,
            booked_via=BookedVia.WIDGET,
            created_at=at(2026, 11, 23, 15),
            notes="Bring the dog",
        )
    )


def test_staff_see_notes_and_answers_in_the_bookings_list_and_on_the_client_page(staff_web, make):
    booking = _booking(make)
    make._save(BookingAnswer(booking_id=booking.id, question="Outfit changes", answer="2"))

    listed = text_of(staff_web.get("/admin/bookings"))
    assert "Notes Bring the dog Outfit changes 2" in listed
    client_page = text_of(staff_web.get(f"/admin/clients/{booking.client_id}"))
    assert "Notes Bring the dog Outfit changes 2" in client_page


def test_answers_add_no_query_per_booking_to_the_bookings_list(app_engine, staff_web, make):
    bookings = [_booking(make, day=day) for day in range(3, 9)]
    staff_web.get("/admin/bookings")  # rows kept between requests (PostgreSQL) are read once, here
    with count_queries(app_engine) as without:
        staff_web.get("/admin/bookings")
    for booking in bookings:
        for n in range(3):
            make._save(BookingAnswer(booking_id=booking.id, question=f"Q{n}", answer=f"A{n}"))
    with count_queries(app_engine) as with_answers:
        page = text_of(staff_web.get("/admin/bookings"))
    assert page.count("Q2 A2") == 6
    assert len(with_answers) == len(without)
