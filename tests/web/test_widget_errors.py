"""Bad input in the widget: a clear message and a 4xx, never a 500, nothing lost."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import Booking, SlotState, TimeSlot
from tests.conftest import WebClient
from tests.factories import PASSWORD
from tests.web.helpers import at, log_in_client, text_of


@pytest.fixture
def offer(make):
    service_type = make.service_type(slug="fam")
    return service_type, make.slot(at(2026, 12, 3, 15), service_types=[service_type])


@pytest.mark.parametrize("url", ["/book/no-such-type", "/book/no-such-type?day=2026-12-03"])
def test_unknown_slug_is_a_404_with_a_message(web, url):
    response = web.get(url)
    assert response.status_code == 404
    assert "could not find that session type" in text_of(response)


def test_offline_type_deep_link_is_a_404(web, make):
    make.service_type(slug="walk-in", online=False)
    assert web.get("/book/walk-in").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "month=2026-13",
        "month=soon",
        "month=99999-01",
        "day=2026-02-30",
        "day=x",
        "day=0001-01-01",
        "day=9999-12-31",
    ],
)
def test_a_bad_month_or_day_is_a_400_with_a_message(web, offer, query):
    response = web.get(f"/book/fam?{query}")
    assert response.status_code == 400
    assert "not valid" in text_of(response)


def test_an_unknown_location_is_a_404(web, offer):
    assert web.get("/book/fam?location=9999").status_code == 404
    assert web.get("/book?location=9999").status_code == 404


def test_a_slot_of_another_type_cannot_be_held(web, offer, make, db_session):
    other_type = make.service_type(slug="other")
    _, slot = offer
    response = web.post("/book/other/hold", {"slot_id": slot.id})
    assert response.status_code == 400
    assert "not offered for this session type" in text_of(response)
    db_session.expire_all()
    assert db_session.get(TimeSlot, slot.id).state is SlotState.OPEN
    assert other_type.id


@pytest.mark.parametrize("data", [{}, {"slot_id": "abc"}, {"slot_id": ""}])
def test_a_tampered_hold_form_is_a_400(web, offer, data):
    response = web.post("/book/fam/hold", data)
    assert response.status_code == 400
    assert "choose a time" in text_of(response)


def test_an_unknown_slot_is_a_404(web, offer):
    response = web.post("/book/fam/hold", {"slot_id": 987654})
    assert response.status_code == 404
    assert "does not exist" in text_of(response)


def test_a_post_without_csrf_token_is_refused(app, offer):
    _, slot = offer
    response = app.test_client().post("/book/fam/hold", data={"slot_id": slot.id})
    assert response.status_code == 400
    assert "expired or was not sent from this site" in text_of(response)


def test_a_wrong_password_says_so_with_401_and_keeps_the_email(web, make):
    client = make.client()
    response = web.post("/login", {"email": client.email, "password": "wrong password"})
    assert response.status_code == 401
    assert "do not match an account" in text_of(response)
    assert f'value="{client.email}"' in response.get_data(as_text=True)


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(web, make):
    client = make.client()
    known = web.post("/login", {"email": client.email, "password": "nope nope"})
    unknown = web.post("/login", {"email": "nobody@example.com", "password": "nope nope"})
    assert known.status_code == unknown.status_code == 401
    assert text_of(known).replace(client.email, "X") == text_of(unknown).replace(
        "nobody@example.com", "X"
    )


def test_registering_an_existing_email_is_a_409_next_to_the_field(web, make):
    client = make.client()
    response = web.post(
        "/register", {"name": "Twin", "email": client.email.upper(), "password": "long enough"}
    )
    assert response.status_code == 409
    assert "already exists" in text_of(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "email": "a@example.com", "password": "long enough"}, "Enter your name."),
        ({"name": "A", "email": "not-an-email", "password": "long enough"}, "valid email"),
        ({"name": "A", "email": "a@example.com", "password": "short"}, "at least 8"),
        (
            {"name": "A", "email": "a@example.com", "password": "long enough", "phone": "call me"},
            "phone number",
        ),
    ],
)
def test_invalid_registration_is_a_400_keeping_what_was_typed(web, data, message):
    response = web.post("/register", data)
    assert response.status_code == 400
    assert message in text_of(response)
    if data["name"]:
        assert f'value="{data["name"]}"' in response.get_data(as_text=True)


def test_a_client_cannot_see_or_cancel_another_clients_booking(web, app, offer, make, db_session):
    _, slot = offer
    log_in_client(web, make.client())
    web.post("/book/fam/hold", {"slot_id": slot.id})
    web.post("/book/confirm")
    public_id = db_session.scalar(select(Booking.public_id))
    intruder = WebClient(app)
    log_in_client(intruder, make.client())
    assert intruder.get(f"/book/confirmed/{public_id}").status_code == 404
    assert intruder.post(f"/account/bookings/{public_id}/cancel").status_code == 404
    db_session.expire_all()
    assert db_session.get(TimeSlot, slot.id).state is SlotState.BOOKED


def test_cancelling_twice_is_a_409(web, offer, make, db_session):
    _, slot = offer
    log_in_client(web, make.client())
    web.post("/book/fam/hold", {"slot_id": slot.id})
    web.post("/book/confirm")
    public_id = db_session.scalar(select(Booking.public_id))
    web.post(f"/account/bookings/{public_id}/cancel")
    response = web.post(f"/account/bookings/{public_id}/cancel")
    assert response.status_code == 409 and "already cancelled" in text_of(response)


def test_unknown_pages_are_a_friendly_404(web):
    response = web.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in text_of(response)


def test_wrong_method_is_a_405_not_a_500(web):
    assert web.get("/book/fam/hold").status_code == 405


def test_password_field_is_never_echoed_back(web, make):
    response = web.post("/login", {"email": make.client().email, "password": PASSWORD + "x"})
    assert PASSWORD not in response.get_data(as_text=True)
