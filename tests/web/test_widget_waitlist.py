"""The waiting list in the widget and the admin: join a booked-out day, leave it from My
bookings, the mailed link that holds a time for its client, and the staff's list."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import OutboxMessage, SlotState, TimeSlot, WaitlistEntry, WaitlistStatus
from core.services.booking import book
from tests.conftest import NOW, WebClient
from tests.factories import PASSWORD
from tests.web.helpers import at, log_in_client, text_of

START = at(2026, 12, 3, 15)  # 10:00 in New York, ten days after NOW
DAY_URL = "/book/fam?day=2026-12-03"


@pytest.fixture
def full(db_session: Session, make: Any) -> Any:
    """A type whose only time on Dec 3 is booked by someone; a client who wants that day."""
    service_type = make.service_type(slug="fam", online_name="Family portrait")
    slot = make.slot(START, service_types=[service_type])
    make.slot(START + timedelta(days=2), service_types=[service_type], resource=slot.resource)
    booking = book(
        db_session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=make.client().id,
        now=NOW,
    )
    return SimpleNamespace(
        type=service_type, slot=slot, booking=booking, client=make.client(name="Wanda Wait")
    )


def _join(web: WebClient, full: Any, client: Any | None = None) -> Any:
    log_in_client(web, client or full.client)
    web.get(DAY_URL)
    return web.post(
        "/book/fam/waitlist",
        {"location": full.slot.location_id, "day": "2026-12-03"},
        follow_redirects=True,
    )


def _mailed_link(db_session: Session, to: str) -> str:
    db_session.expire_all()
    body = db_session.scalars(
        select(OutboxMessage.text_body)
        .where(OutboxMessage.kind == "waitlist_opening", OutboxMessage.to_address == to)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert body is not None, f"no waitlist mail to {to}"
    found = re.search(r"https?://\S+/waitlist/hold/\S+", body)
    assert found is not None
    html = db_session.scalars(
        select(OutboxMessage.html_body)
        .where(OutboxMessage.kind == "waitlist_opening", OutboxMessage.to_address == to)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert html is not None and f'href="{found.group(0)}"' in html  # the HTML version links it
    assert ">Hold this time</a>" in html  # ... as a button in the studio's colour
    assert "background-color:#2f5d62" in html
    return found.group(0).split("studio.test", 1)[1]


def _staff_cancels(web: WebClient, make: Any, full: Any) -> None:
    staff = make.staff()
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)
    response = web.post(f"/admin/bookings/{full.booking.public_id}/cancel")
    assert response.status_code == 303


def test_a_booked_out_day_offers_the_waiting_list_and_a_login_first(
    web: WebClient, full: Any
) -> None:
    response = web.get(DAY_URL)

    page = response.get_data(as_text=True)
    assert "Log in to hear if a time opens up" in text_of(response)
    assert "/login?next=" in page and "day%3D2026-12-03" in page


def test_a_logged_in_client_joins_and_sees_they_are_waiting(
    web: WebClient, full: Any, db_session: Session
) -> None:
    log_in_client(web, full.client)
    assert "Tell me if a time opens up" in text_of(web.get(DAY_URL))

    page = text_of(_join(web, full))

    assert "You are on the waiting list for Thursday, December 3, 2026" in page
    assert "You are on the waiting list for this day." in page
    [entry] = db_session.scalars(select(WaitlistEntry)).all()
    assert (entry.client_id, entry.status) == (full.client.id, WaitlistStatus.WAITING)


def test_joining_twice_says_so_and_keeps_one_entry(
    web: WebClient, full: Any, db_session: Session
) -> None:
    _join(web, full)

    web.get(DAY_URL)
    page = text_of(
        web.post(
            "/book/fam/waitlist",
            {"location": full.slot.location_id, "day": "2026-12-03"},
            follow_redirects=True,
        )
    )

    assert "already on the waiting list" in page
    assert len(db_session.scalars(select(WaitlistEntry)).all()) == 1


def test_a_day_with_times_refuses_the_waiting_list(
    web: WebClient, full: Any, db_session: Session
) -> None:
    log_in_client(web, full.client)
    web.get(DAY_URL)

    page = text_of(
        web.post(
            "/book/fam/waitlist",
            {"location": full.slot.location_id, "day": "2026-12-05"},
            follow_redirects=True,
        )
    )

    assert "There are times available on this day" in page
    assert db_session.scalars(select(WaitlistEntry)).all() == []


def test_joining_logged_out_goes_to_the_login_and_back(web: WebClient, full: Any) -> None:
    web.get(DAY_URL)
    response = web.post(
        "/book/fam/waitlist", {"location": full.slot.location_id, "day": "2026-12-03"}
    )

    assert response.status_code == 303
    assert "/login?next=" in response.headers["Location"]


def test_a_join_with_a_bad_day_is_a_400(web: WebClient, full: Any) -> None:
    log_in_client(web, full.client)
    web.get(DAY_URL)

    response = web.post("/book/fam/waitlist", {"location": full.slot.location_id, "day": "soon"})

    assert response.status_code == 400


def test_my_bookings_lists_the_entry_and_leave_ends_it(
    web: WebClient, full: Any, db_session: Session
) -> None:
    _join(web, full)
    page = text_of(web.get("/account/bookings"))
    assert "Waiting lists" in page and "Family portrait" in page

    form = {
        "service_type": full.type.id,
        "location": full.slot.location_id,
        "day": "2026-12-03",
    }
    page = text_of(web.post("/account/waitlist/leave", form, follow_redirects=True))

    assert "You left the waiting list for Thursday, December 3, 2026." in page
    assert "Waiting lists" not in page
    db_session.expire_all()
    assert db_session.scalar(select(WaitlistEntry.status)) == WaitlistStatus.LEFT


def test_the_mailed_link_holds_the_time_through_the_login_and_opens_the_review(
    web: WebClient, make: Any, full: Any, db_session: Session
) -> None:
    _join(web, full)
    web.post("/logout")
    _staff_cancels(web, make, full)
    link = _mailed_link(db_session, full.client.email)

    response = web.get(link)  # logged out: the login keeps the link
    assert response.status_code == 303 and "/login?next=" in response.headers["Location"]
    login = response.headers["Location"]
    response = web.post(login, {"email": full.client.email, "password": PASSWORD})
    assert response.headers["Location"].endswith(link)
    response = web.get(link)
    assert response.status_code == 303
    review = web.get(response.headers["Location"])

    assert "Family portrait" in text_of(review) and "Thursday, December 3, 2026" in text_of(review)
    db_session.expire_all()
    assert db_session.get_one(TimeSlot, full.slot.id).state is SlotState.HELD


def test_a_second_clients_link_says_the_time_was_taken_and_shows_the_day(
    web: WebClient, app: Any, make: Any, full: Any, db_session: Session
) -> None:
    other = make.client(name="Otto Other")
    _join(web, full)
    second = WebClient(app)
    _join(second, full, other)
    _staff_cancels(web, make, full)
    web.get(_mailed_link(db_session, full.client.email))

    response = second.get(_mailed_link(db_session, other.email))

    page = text_of(response)
    assert response.status_code == 409
    assert "someone else took this time first" in page
    assert "You are still on the waiting list for this day" in page


def test_a_link_for_another_client_is_refused(
    web: WebClient, make: Any, full: Any, db_session: Session
) -> None:
    _join(web, full)
    _staff_cancels(web, make, full)
    link = _mailed_link(db_session, full.client.email)
    web.post("/logout")
    log_in_client(web, make.client())

    response = web.get(link)

    assert response.status_code == 403
    assert "This link was sent to another client" in text_of(response)


@pytest.mark.parametrize("expired", [False, True])
def test_a_tampered_or_expired_link_is_a_400_page(
    web: WebClient, make: Any, full: Any, db_session: Session, clock: Any, expired: bool
) -> None:
    _join(web, full)
    _staff_cancels(web, make, full)
    link = _mailed_link(db_session, full.client.email)
    if expired:
        clock.travel(hours=25)
    else:
        link = link[:-3] + "abc"

    response = web.get(link)

    assert response.status_code == 400
    assert ("expired" if expired else "not valid") in text_of(response)


def test_staff_see_the_days_waiting_list(
    staff_web: WebClient, make: Any, full: Any, app: Any
) -> None:
    _join(WebClient(app), full)

    overview = text_of(staff_web.get("/admin/slots/waitlist"))
    page = text_of(staff_web.get(f"/admin/slots/waitlist?day=2026-12-03&type={full.type.id}"))

    assert "Family portrait" in overview and "Thursday, December 3, 2026" in overview
    assert "Wanda Wait" in page and "Waiting" in page and "Not yet" in page


def test_the_staff_waiting_list_refuses_a_bad_day(staff_web: WebClient) -> None:
    response = staff_web.get("/admin/slots/waitlist?day=tomorrow")

    assert response.status_code == 400
