"""The waiting list beyond cancellations, through the app: staff moving a slot onto a waited-for
day, a held time given back in the widget, the cron command that reopens holds that ran out,
and the waiting list on an organization's booking link."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Organization, OutboxMessage, SlotState, TimeSlot, WaitlistEntry
from core.services.booking import book
from tests.conftest import NOW, WebClient
from tests.factories import PASSWORD
from tests.web.helpers import at, log_in_client, text_of

START = at(2026, 12, 3, 15)  # 10:00 in New York, ten days after NOW


@pytest.fixture
def full(db_session: Session, make: Any) -> Any:
    """A type whose only time on Dec 3 is booked; a free one on Dec 5 (`later`); a client."""
    service_type = make.service_type(slug="fam", online_name="Family portrait")
    slot = make.slot(START, service_types=[service_type])
    later = make.slot(
        START + timedelta(days=2), service_types=[service_type], resource=slot.resource
    )
    booking = book(
        db_session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=make.client().id,
        now=NOW,
    )
    return SimpleNamespace(
        type=service_type,
        slot=slot,
        later=later,
        booking=booking,
        client=make.client(name="Wanda Wait"),
    )


def _join(web: WebClient, location_id: int, org: str = "") -> Any:
    """Join the list for Dec 3 from the day's page (public, or `org`'s link)."""
    query = f"?org={org}" if org else ""
    slug = "school" if org else "fam"
    web.get(f"/book/{slug}{query}{'&' if org else '?'}day=2026-12-03")
    return web.post(
        f"/book/{slug}/waitlist{query}",
        {"location": location_id, "day": "2026-12-03"},
        follow_redirects=True,
    )


def _mailed_links(db_session: Session, to: str) -> list[str]:
    db_session.expire_all()
    bodies = db_session.scalars(
        select(OutboxMessage.text_body)
        .where(OutboxMessage.kind == "waitlist_opening", OutboxMessage.to_address == to)
        .order_by(OutboxMessage.id)
    )
    links = [re.search(r"https?://\S+/waitlist/hold/\S+", body) for body in bodies]
    return [found.group(0).split("studio.test", 1)[1] for found in links if found]


def test_staff_moving_a_slot_onto_the_waited_day_mails_a_link_that_holds_it(
    web: WebClient, app: Any, make: Any, full: Any, db_session: Session
) -> None:
    log_in_client(web, full.client)
    _join(web, full.slot.location_id)
    staff = WebClient(app)
    admin = make.staff()
    staff.post("/admin/login", {"email": admin.email, "password": PASSWORD})
    staff.get(f"/admin/slots/{full.later.id}")

    moved = staff.post(
        f"/admin/slots/{full.later.id}/move", {"day": "2026-12-03", "start_time": "14:00"}
    )

    assert moved.status_code == 303
    [link] = _mailed_links(db_session, full.client.email)
    review = web.get(web.get(link).headers["Location"])
    assert "Thursday, December 3, 2026" in text_of(review) and "2:00" in text_of(review)
    db_session.expire_all()
    assert db_session.get_one(TimeSlot, full.later.id).state is SlotState.HELD


def test_a_client_giving_back_a_time_from_the_list_mails_the_next_one_waiting(
    web: WebClient, app: Any, make: Any, full: Any, db_session: Session
) -> None:
    other = make.client(name="Otto Other")
    log_in_client(web, full.client)
    _join(web, full.slot.location_id)
    second = WebClient(app)
    log_in_client(second, other)
    _join(second, full.slot.location_id)
    staff = WebClient(app)
    staff.post(
        "/admin/login",
        {"email": make.staff().email, "password": PASSWORD},
        follow_redirects=True,
    )
    staff.post(f"/admin/bookings/{full.booking.public_id}/cancel")
    [link] = _mailed_links(db_session, full.client.email)
    web.get(link)  # holds Dec 3

    web.get("/book/fam?day=2026-12-05")
    web.post("/book/fam/hold", {"slot_id": full.later.id})  # chooses Dec 5 instead

    assert len(_mailed_links(db_session, other.email)) == 2
    assert len(_mailed_links(db_session, full.client.email)) == 1


def test_the_cron_command_reopens_a_hold_that_ran_out_and_mails_those_waiting(
    web: WebClient, app: Any, make: Any, full: Any, db_session: Session, clock: Any
) -> None:
    other = make.client(name="Otto Other")
    log_in_client(web, full.client)
    _join(web, full.slot.location_id)
    second = WebClient(app)
    log_in_client(second, other)
    _join(second, full.slot.location_id)
    staff = WebClient(app)
    staff.post(
        "/admin/login",
        {"email": make.staff().email, "password": PASSWORD},
        follow_redirects=True,
    )
    staff.post(f"/admin/bookings/{full.booking.public_id}/cancel")
    web.get(_mailed_links(db_session, full.client.email)[0])  # held, never confirmed
    clock.travel(minutes=15)

    runner = app.test_cli_runner()
    first_run = runner.invoke(args=["waitlist", "reopen-expired-holds"])
    second_run = runner.invoke(args=["waitlist", "reopen-expired-holds"])

    assert first_run.exit_code == 0, first_run.output
    assert "1 time whose hold ran out reopened, 2 waitlist mails queued" in first_run.output
    assert "0 times whose hold ran out reopened, 0 waitlist mails queued" in second_run.output
    again = _mailed_links(db_session, other.email)[-1]
    assert second.get(again).status_code == 303  # the new link holds the time for Otto
    db_session.expire_all()
    assert db_session.get_one(TimeSlot, full.slot.id).state is SlotState.HELD


# An organization's booking link

ORG_DAY_URL = "/book/school?org=lincoln-high&day=2026-12-03"


@pytest.fixture
def school(db_session: Session, make: Any) -> Any:
    """Lincoln High's own School portrait slot on Dec 3 is booked; Jordan, a member, waits."""
    portrait = make.service_type(online_name="School portrait", slug="school", online=False)
    lincoln = make._save(Organization(name="Lincoln High", slug="lincoln-high"))
    lincoln.service_types = [portrait]
    db_session.commit()
    slot = make.slot(START, service_types=[portrait], organization_id=lincoln.id)
    make.slot(START + timedelta(days=2), service_types=[portrait], resource=slot.resource)
    make.slot(
        START + timedelta(days=2, hours=1),
        service_types=[portrait],
        resource=slot.resource,
        organization_id=lincoln.id,
    )
    booking = book(
        db_session,
        slot_id=slot.id,
        service_type_id=portrait.id,
        client_id=make.client(organization_id=lincoln.id).id,
        now=NOW,
    )
    member = make.client(name="Jordan Lee", organization_id=lincoln.id)
    return SimpleNamespace(lincoln=lincoln, slot=slot, booking=booking, member=member)


def test_a_member_waits_through_the_organizations_link_and_its_mail_keeps_the_link(
    web: WebClient, app: Any, make: Any, school: Any, db_session: Session
) -> None:
    log_in_client(web, school.member)
    assert "Tell me if a time opens up" in text_of(web.get(ORG_DAY_URL))
    page = text_of(_join(web, school.slot.location_id, "lincoln-high"))
    assert "You are on the waiting list for Thursday, December 3, 2026" in page
    staff = WebClient(app)
    staff.post(
        "/admin/login",
        {"email": make.staff().email, "password": PASSWORD},
        follow_redirects=True,
    )

    staff.post(f"/admin/bookings/{school.booking.public_id}/cancel")

    [link] = _mailed_links(db_session, school.member.email)
    assert parse_qs(urlsplit(link).query)["org"] == ["lincoln-high"]
    held = web.get(link)
    assert held.status_code == 303 and "org=lincoln-high" in held.headers["Location"]
    review = web.get(held.headers["Location"])
    assert review.status_code == 200 and "School portrait" in text_of(review)


def test_the_organizations_waiting_list_is_for_its_members(
    web: WebClient, make: Any, school: Any, db_session: Session
) -> None:
    log_in_client(web, make.client(name="Sam Stranger"))

    page = text_of(_join(web, school.slot.location_id, "lincoln-high"))

    assert "for members of Lincoln High" in page
    assert db_session.scalars(select(WaitlistEntry)).all() == []
