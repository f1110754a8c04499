"""The waiting list on Lincoln High's link in Chromium: a student finds a picture day booked
out, joins its waiting list there, and the mail's link (when a school time opens) holds the time
on the school's pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.models import BookedVia, Client, Location, Organization, OutboxMessage, ServiceType
from core.rules.calendar import day_bounds
from core.services import availability
from core.services.booking import book, cancel
from core.services.demo import DEMO_CLIENT_PASSWORD
from web.extensions import db
from web.waitlist import waitlist_mail

pytestmark = pytest.mark.browser
ORG_URL = re.compile(r"[?&]org=lincoln-high")


def _book_out_a_picture_day(server: Any) -> tuple[str, str, list[str]]:
    """Staff book every School portrait time of Lincoln's first picture day for Sam; returns
    the day, its label and the bookings' ids."""
    with server.app.app_context():
        session = db.session
        portrait = session.scalars(
            select(ServiceType).where(ServiceType.slug == "school-portrait")
        ).one()
        lincoln = session.scalars(
            select(Organization).where(Organization.slug == "lincoln-high")
        ).one()
        location = session.get_one(Location, 1)
        sam = session.scalars(select(Client).where(Client.email == "sam@example.com")).one()
        now = datetime.now(UTC)
        tz = ZoneInfo(location.timezone)
        ids = {
            "service_type_id": portrait.id,
            "location_id": location.id,
            "now": now,
            "organization": lincoln,
        }
        first = availability.first_bookable_start(session, **ids)
        assert first is not None
        day = first.astimezone(tz).date()
        start, end = day_bounds(day, tz)
        slots = availability.bookable_slots(session, start=start, end=end, **ids)
        bookings = [
            book(
                session,
                slot_id=slot.id,
                service_type_id=portrait.id,
                client_id=sam.id,
                now=now,
                via=BookedVia.STAFF,
            ).public_id
            for slot in slots
        ]
        return day.isoformat(), f"{day:%B} {day.day}", bookings


def test_a_student_waits_on_the_schools_link_and_its_mail_holds_a_school_time(
    demo_server: Any, page: Any, shots: Any
) -> None:
    day, label, bookings = _book_out_a_picture_day(demo_server)
    page.goto(f"{demo_server.url}/login?org=lincoln-high")
    page.locator("#login-email").fill("jordan@example.com")
    page.locator("#login-password").fill(DEMO_CLIENT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My bookings").wait_for()

    page.goto(f"{demo_server.url}/book/school-portrait?org=lincoln-high&day={day}")
    expect(page.locator(".org-banner")).to_contain_text("Lincoln High School")
    expect(page.locator("a.day-full[aria-current='date']")).to_have_count(1)
    shots(page, "org-join-offer")
    page.get_by_role("button", name="Tell me if a time opens up").click()
    expect(page.locator(".flash")).to_contain_text("You are on the waiting list for")
    page.get_by_text("You are on the waiting list for this day.").wait_for()
    expect(page).to_have_url(ORG_URL)
    shots(page, "org-joined")

    with demo_server.app.test_request_context(base_url=demo_server.url):
        cancel(db.session, public_id=bookings[0], now=datetime.now(UTC), waitlist=waitlist_mail())
        body = db.session.scalars(
            select(OutboxMessage.text_body)
            .where(OutboxMessage.to_address == "jordan@example.com")
            .where(OutboxMessage.kind == "waitlist_opening")
        ).one()
    found = re.search(r"http://\S+/waitlist/hold/\S+", body)
    assert found is not None and ORG_URL.search(found.group(0))

    page.goto(found.group(0))
    page.get_by_role("heading", name="Review and confirm").wait_for()
    expect(page).to_have_url(ORG_URL)
    expect(page.locator(".org-banner")).to_contain_text("Lincoln High School")
    expect(page.locator("main")).to_contain_text(label)
    shots(page, "org-held-review")
