"""A browser that refuses every cookie inside the studio's iframe: the client chooses a time in the
frame, it is held, and the booking goes on in a window of its own (first-party cookies) through a
signed, expiring link; a bad or old link, or a browser refusing cookies everywhere, gets a clear
page and a way to start again, never a loop.

The frame is a Flask test client without a cookie jar; the new window is an ordinary one.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Booking, Client, SlotState, TimeSlot
from tests.conftest import CSRF_META, WebClient
from tests.web.helpers import at, text_of

PARENT = "http://localhost:5000"
FRAMED = f"/book/fam?embed_origin={PARENT}&source=www.studio.example&utm_source=newsletter"
CAME_FROM = {"source": "www.studio.example", "utm_source": "newsletter"}
HOLD_FORM = re.compile(r'<form method="post" action="([^"]*/hold[^"]*)">')
CONTINUE = re.compile(r'<a class="button" id="handoff-continue" href="([^"]+)"')


@pytest.fixture
def offer(make: Any) -> Any:
    service_type = make.service_type(slug="fam", online_name="Family Portrait")
    location = make.location(display_name="Northlight Brooklyn")
    return make.slot(
        at(2026, 12, 3, 15), service_types=[service_type], resource=make.resource(location)
    )


@pytest.fixture
def frame(app: Any) -> Any:
    """The studio's iframe in a browser that keeps no cookie for it."""
    return app.test_client(use_cookies=False)


def choose_in_frame(frame: Any, slot: Any, **headers: str) -> Any:
    """Open the framed picker, then post its form for `slot` as the frame would: its token, no
    cookie (the one the page set was refused)."""
    page = frame.get(FRAMED + "&day=2026-12-03")
    body = page.get_data(as_text=True)
    assert "Set-Cookie" in page.headers  # the page did try to keep a session
    action = html.unescape(HOLD_FORM.search(body).group(1))
    token = CSRF_META.search(body).group(1)
    return frame.post(
        action, data={"csrf_token": token, "slot_id": slot.id}, headers=headers or None
    )


def continue_url(response: Any) -> str:
    return html.unescape(CONTINUE.search(response.get_data(as_text=True)).group(1))


def test_choosing_a_time_in_a_frame_without_cookies_holds_it_and_offers_a_new_window(
    frame: Any, offer: Any, db_session: Session
) -> None:
    response = choose_in_frame(frame, offer)

    assert response.status_code == 200
    page = text_of(response)
    assert "Continue in a new window" in page
    assert "Family Portrait" in page and "Thursday, December 3, 2026" in page
    assert "does not let this booking window on localhost:5000 remember you" in page
    assert 'target="_blank" rel="opener"' in response.get_data(as_text=True)
    db_session.refresh(offer)
    assert offer.state is SlotState.HELD  # nobody takes it while the client switches windows
    # Still sized by the studio's page: widget.js posts to it.
    assert f'<meta name="studiobook-parent" content="{PARENT}">' in response.get_data(as_text=True)


def test_the_new_window_books_the_time_chosen_in_the_frame_and_keeps_where_the_client_came_from(
    frame: Any, web: WebClient, offer: Any, db_session: Session
) -> None:
    url = continue_url(choose_in_frame(frame, offer))

    landed = web.get(url)
    assert landed.status_code == 303 and "/book/checkout" in landed.location
    checkout = web.get(landed.location)
    assert "Almost there" in text_of(checkout) and "Thursday, December 3, 2026" in text_of(checkout)
    registered = web.post(
        "/register",
        {
            "name": "Ada Client",
            "email": "ada@example.com",
            "phone": "+1 718 555 0100",
            "password": "long enough",
            "next": "/book/checkout",
        },
    )
    assert registered.status_code == 303
    assert "Review and confirm" in text_of(web.get("/book/checkout"))
    confirmed = web.post("/book/confirm")
    assert confirmed.status_code == 303

    booking = db_session.scalar(select(Booking))
    client = db_session.scalar(select(Client))
    assert booking.slot_id == offer.id and booking.client_id == client.id
    assert booking.attribution == CAME_FROM and client.attribution == CAME_FROM
    page = web.get(confirmed.location)
    body = page.get_data(as_text=True)
    assert f'href="{PARENT}/">Back to' in body  # back to the studio's site
    assert "handoff.js" in body and "data-handoff-booked" in body  # tells the frame


def test_the_studios_redirect_url_is_the_way_back_when_it_has_one(
    frame: Any, web: WebClient, offer: Any, make: Any
) -> None:
    from core.models import OnlinePreferences

    make._save(OnlinePreferences(redirect_url="https://www.studio.example/thanks"))
    web.get(continue_url(choose_in_frame(frame, offer)))
    web.post(
        "/register",
        {
            "name": "Ada",
            "email": "ada@example.com",
            "phone": "+1 718 555 0100",
            "password": "long enough",
            "next": "/book/checkout",
        },
    )
    web.get("/book/checkout")
    page = web.get(web.post("/book/confirm").location)
    assert 'href="https://www.studio.example/thanks">Back to' in page.get_data(as_text=True)


def type_link(response: Any) -> str:
    return html.unescape(re.search(r'href="(/book/fam[^"]*)"', response.get_data(as_text=True))[1])


def test_framed_pages_keep_the_embeds_parameters_only_while_no_cookie_comes_back(
    frame: Any, web: WebClient, offer: Any
) -> None:
    first = f"/book?embed_origin={PARENT}&utm_source=newsletter"
    link = type_link(frame.get(first))
    assert parse_qs(urlsplit(link).query) == {
        "embed_origin": [PARENT],
        "utm_source": ["newsletter"],
    }
    action = HOLD_FORM.search(frame.get(link + "&day=2026-12-03").get_data(as_text=True))[1]
    assert "embed_origin=" in action and "utm_source=newsletter" in action

    web.get(first)  # a browser keeping cookies: the session has it all, the links stay plain
    assert type_link(web.get(first)) == "/book/fam"


def test_a_promo_code_from_the_studios_link_reaches_the_new_window(
    frame: Any, web: WebClient, offer: Any
) -> None:
    page = frame.get(FRAMED + "&day=2026-12-03&code=spring10")
    body = page.get_data(as_text=True)
    action = html.unescape(HOLD_FORM.search(body).group(1))
    assert "code=spring10" in action
    response = frame.post(
        action, data={"csrf_token": CSRF_META.search(body).group(1), "slot_id": offer.id}
    )
    web.get(continue_url(response))
    with web.raw.session_transaction() as session:
        assert session["promo_code"] == "SPRING10"


def test_in_a_window_of_its_own_the_hold_goes_straight_on(
    frame: Any, offer: Any, db_session: Session
) -> None:
    # A top-level page whose session cookie was cleared: nothing to switch, no extra click.
    response = choose_in_frame(frame, offer, **{"Sec-Fetch-Dest": "document"})
    assert response.status_code == 303 and response.location.startswith("/book/continue?t=")
    db_session.refresh(offer)
    assert offer.state is SlotState.HELD


# Links that are bad, old or tampered with, and a browser refusing cookies everywhere


def test_a_tampered_link_is_refused_with_a_way_to_start_again(
    frame: Any, web: WebClient, offer: Any
) -> None:
    url = continue_url(choose_in_frame(frame, offer))
    token = parse_qs(urlsplit(url).query)["t"][0]
    payload, rest = token.split(".", 1)
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest
    for bad in (forged, token[:-3], "", "not-a-token"):
        response = web.get("/book/continue", query_string={"t": bad})
        assert response.status_code == 400
        page = text_of(response)
        assert "This link to continue your booking is not valid. Please start again." in page
        assert 'href="/book">Start again' in response.get_data(as_text=True)
    with web.raw.session_transaction() as session:
        assert "hold" not in session


def test_a_link_signed_for_something_else_is_refused(app: Any, web: WebClient) -> None:
    other = URLSafeTimedSerializer(app.secret_key, salt="studiobook.waitlist")
    token = other.dumps({"next": "/book/checkout", "hold": None})
    response = web.get("/book/continue", query_string={"t": token})
    assert response.status_code == 400 and "not valid" in text_of(response)


def test_a_link_older_than_half_an_hour_has_expired(
    frame: Any, web: WebClient, offer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - 31 * 60)
    url = continue_url(choose_in_frame(frame, offer))
    monkeypatch.undo()

    response = web.get(url)
    assert response.status_code == 400
    assert "This link to continue your booking has expired (it lasts 30 minutes)" in text_of(
        response
    )


def test_a_browser_refusing_cookies_everywhere_is_told_so_once_instead_of_going_round(
    frame: Any, app: Any, offer: Any
) -> None:
    window = app.test_client(use_cookies=False)  # the new window keeps none either
    landed = window.get(continue_url(choose_in_frame(frame, offer)))
    assert landed.status_code == 303
    response = window.get(landed.location)
    assert response.status_code == 400
    page = text_of(response)
    assert "Your browser is not accepting cookies from this booking site" in page
    assert "Please allow cookies for studio.test in your browser's settings" in page
    assert 'href="/book">Start again' in response.get_data(as_text=True)


def test_another_form_posted_from_the_frame_without_cookies_offers_the_new_window(
    frame: Any, app: Any
) -> None:
    page = frame.get(f"/login?embed_origin={PARENT}")
    token = CSRF_META.search(page.get_data(as_text=True)).group(1)
    response = frame.post(
        f"/login?embed_origin={PARENT}",
        data={"csrf_token": token, "email": "ada@example.com", "password": "x"},
        headers={"Referer": f"http://studio.test/login?embed_origin={PARENT}"},
    )
    assert response.status_code == 400
    assert "Continue in a new window" in text_of(response)
    assert "form had expired" not in text_of(response)
    window = app.test_client()
    landed = window.get(continue_url(response))
    assert landed.status_code == 303 and landed.location.startswith("/login?")
    assert window.get(landed.location).status_code == 200


def test_a_visitor_with_a_session_still_needs_the_forms_token_to_hold(
    web: WebClient, offer: Any, db_session: Session
) -> None:
    web.get("/book/fam")  # a session cookie now
    response = web.raw.post("/book/fam/hold", data={"slot_id": offer.id})
    assert response.status_code == 400
    assert "This form had expired or was not sent from this site." in text_of(response)
    db_session.refresh(offer)
    assert offer.state is not SlotState.HELD
    assert db_session.scalar(select(TimeSlot.hold_token).where(TimeSlot.id == offer.id)) is None


def test_a_form_without_cookies_and_without_a_token_we_signed_is_refused(
    frame: Any, offer: Any, db_session: Session
) -> None:
    forged = URLSafeTimedSerializer("not our key", salt="wtf-csrf-token").dumps("x" * 40)
    for token in ("", forged):
        response = frame.post("/book/fam/hold", data={"csrf_token": token, "slot_id": offer.id})
        assert response.status_code == 400
        assert "This form had expired or was not sent from this site." in text_of(response)
    db_session.refresh(offer)
    assert offer.state is not SlotState.HELD
