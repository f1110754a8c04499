"""The studio's own booking questions on the review step: asked as the Sessions tab says, checked
with a message next to the field, kept through the payment step, shown on the confirmation and
in My bookings."""

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
    PaymentOption,
    ServiceKind,
)
from core.services.payments.testmode import LedgerCharge
from tests.web.conftest import to_review
from tests.web.helpers import at, count_queries, log_in_client, text_of
from tests.web.test_widget_payment import VISA, pay_form


@pytest.fixture
def offer(make):
    """A free session type (slug "fam") on one open slot ten days after NOW."""
    make.studio(name="Northlight Studio")
    service_type = make.service_type(slug="fam", online_name="Family Portrait")
    return make.slot(at(2026, 12, 3, 15), service_types=[service_type])


def question(make, label, mode=FieldMode.OPTIONAL, kind=ServiceKind.SESSION, **kw):
    position = make.session.scalar(select(func.count()).select_from(BookingQuestion))
    return make._save(BookingQuestion(kind=kind, label=label, mode=mode, position=position, **kw))


def outfits(make, mode=FieldMode.REQUIRED):
    return question(make, "Outfit changes", mode, answer_type=AnswerType.CHOICE, choices="1\n2\n3")


def stored(db_session):
    db_session.expire_all()
    return [
        (a.question, a.answer)
        for a in db_session.scalars(select(BookingAnswer).order_by(BookingAnswer.id))
    ]


def booked(db_session):
    return db_session.scalar(select(func.count()).select_from(Booking))


# --- Each mode changes what is asked and accepted ----------------------------------------------


def test_a_hidden_question_is_not_asked_and_an_answer_to_it_is_ignored(
    web, make, offer, db_session
):
    secret = question(make, "Who is in the photo?", FieldMode.HIDDEN)
    review = to_review(web, make, offer)
    assert "Who is in the photo?" not in text_of(review)

    done = web.post("/book/confirm", {f"question_{secret.id}": "Grandma"})
    assert done.status_code == 303 and booked(db_session) == 1
    assert stored(db_session) == []


def test_an_optional_question_is_asked_and_may_be_left_blank(web, make, offer, db_session):
    who = question(make, "Who is in the photo?", help_text="Names help us plan the set.")
    review = to_review(web, make, offer).get_data(as_text=True)
    assert re.search(rf'<label for="question-{who.id}">Who is in the photo\?</label>', review)
    assert "Names help us plan the set." in review

    done = web.post("/book/confirm", {f"question_{who.id}": "  "})
    assert done.status_code == 303 and booked(db_session) == 1
    assert stored(db_session) == []


def test_a_required_question_left_blank_is_a_400_next_to_the_field(web, make, offer, db_session):
    who = question(make, "Who is in the photo?", FieldMode.REQUIRED)
    review = to_review(web, make, offer).get_data(as_text=True)
    assert re.search(rf'id="question-{who.id}"[^>]* required', review)

    refused = web.post("/book/confirm", {f"question_{who.id}": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and booked(db_session) == 0
    assert f'id="question-{who.id}-error">Please answer this question.</p>' in html
    assert re.search(rf'aria-invalid="true"[^>]*id="question-{who.id}"', html)

    done = web.post("/book/confirm", {f"question_{who.id}": "Grandma and the twins"})
    assert done.status_code == 303
    assert stored(db_session) == [("Who is in the photo?", "Grandma and the twins")]


def test_a_choice_not_offered_is_a_400_and_keeps_the_other_answers(web, make, offer, db_session):
    picked = outfits(make)
    who = question(make, "Who is in the photo?")
    to_review(web, make, offer)

    refused = web.post(
        "/book/confirm", {f"question_{picked.id}": "7", f"question_{who.id}": "The whole family"}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and booked(db_session) == 0
    assert "Please choose one of the listed answers." in text_of(refused)
    assert 'value="The whole family"' in html  # nothing typed is lost
    assert re.findall(r'<option[^>]*value="([^"]*)"', html) == ["", "1", "2", "3"]


def test_a_yes_no_question_is_a_radio_group_in_a_fieldset(web, make, offer, db_session):
    pets = question(make, "Bringing pets?", FieldMode.REQUIRED, answer_type=AnswerType.YES_NO)
    html = to_review(web, make, offer).get_data(as_text=True)
    group = re.search(r"<fieldset.*?</fieldset>", html, re.S).group(0)
    assert "<legend>Bringing pets?" in group
    assert re.findall(r'type="radio"[^>]*value="(\w+)"', group) == ["yes", "no"]

    assert web.post("/book/confirm", {f"question_{pets.id}": "maybe"}).status_code == 400
    assert web.post("/book/confirm", {f"question_{pets.id}": "no"}).status_code == 303
    assert stored(db_session) == [("Bringing pets?", "No")]


def test_appointment_questions_are_not_asked_for_sessions(web, make, offer):
    question(make, "Which album did you like?", kind=ServiceKind.APPOINTMENT)
    assert "Which album did you like?" not in text_of(to_review(web, make, offer))


# --- Where answers show ------------------------------------------------------------------------


def test_answers_show_on_the_confirmation_and_in_my_bookings(web, make, offer, db_session):
    picked = outfits(make)
    to_review(web, make, offer)
    done = web.post("/book/confirm", {f"question_{picked.id}": "2"})

    confirmation = text_of(web.get(done.location))
    assert "Your answers Outfit changes 2" in confirmation
    assert "Outfit changes 2" in text_of(web.get("/account/bookings"))


def test_answers_survive_the_payment_step_and_are_kept_once(web, make, priced_offer, db_session):
    picked = outfits(make)
    who = question(make, "Who is in the photo?")
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    to_pay = web.post(
        "/book/confirm", {f"question_{picked.id}": "3", f"question_{who.id}": "Ada and Ben"}
    )
    assert to_pay.location.endswith("/book/pay")
    back = web.get("/book/checkout").get_data(as_text=True)  # the client goes back to review
    assert 'value="Ada and Ben"' in back and re.search(r'<option selected value="3">', back)

    _, hidden = pay_form(web)
    cookie = web.raw.get_cookie("studiobook", domain="studio.test")
    first = web.post("/book/pay", {**VISA, **hidden})
    web.raw.set_cookie(cookie.key, cookie.value, domain=cookie.domain)  # a retried submit
    second = web.post("/book/pay", {**VISA, **hidden})

    assert second.location == first.location
    assert db_session.scalar(select(func.count()).select_from(LedgerCharge)) == 1
    assert stored(db_session) == [("Outfit changes", "3"), ("Who is in the photo?", "Ada and Ben")]


def test_a_question_made_required_while_paying_sends_the_client_back_to_answer(
    web, make, priced_offer, db_session
):
    who = question(make, "Who is in the photo?")
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    web.post("/book/confirm", {})
    _, hidden = pay_form(web)
    db_session.get(BookingQuestion, who.id).mode = FieldMode.REQUIRED
    db_session.commit()

    refused = web.post("/book/pay", {**VISA, **hidden})
    assert refused.location.endswith("/book/checkout")
    assert db_session.scalar(select(func.count()).select_from(LedgerCharge)) == 0


def test_the_review_page_makes_as_many_queries_with_many_questions(app_engine, web, make, offer):
    client = make.client()
    log_in_client(web, client)
    web.post("/book/fam/hold", {"slot_id": offer.id})
    question(make, "One?")
    with count_queries(app_engine) as few:
        web.get("/book/checkout")
    for n in range(6):
        question(make, f"Question {n}?", answer_type=AnswerType.CHOICE, choices="a\nb")
    with count_queries(app_engine) as many:
        page = web.get("/book/checkout")
    assert "Question 5?" in text_of(page)
    assert len(many) == len(few)


def test_answers_add_no_query_per_booking_to_my_bookings(app_engine, web, make, db_session):
    client = make.client()
    service_type = make.service_type()
    log_in_client(web, client)
    bookings = []
    for day in range(3, 9):
        slot = make.slot(at(2026, 12, day, 15), service_types=[service_type])
        bookings.append(
            make._save(
                Booking(
                    client_id=client.id,
                    slot_id=slot.id,
                    service_type_id=service_type.id,
                    booked_via=BookedVia.WIDGET,
                    created_at=at(2026, 11, 23, 15),
                )
            )
        )
    web.get("/account/bookings")  # rows kept between requests (PostgreSQL) are read once, here
    with count_queries(app_engine) as without:
        web.get("/account/bookings")
    for booking in bookings:
        for n in range(3):
            make._save(BookingAnswer(booking_id=booking.id, question=f"Q{n}", answer=f"A{n}"))
    with count_queries(app_engine) as with_answers:
        page = web.get("/account/bookings")
    assert text_of(page).count("Your answers") == 6
    assert len(with_answers) == len(without)
