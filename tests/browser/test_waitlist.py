"""The waiting list in Chromium: a client joins a booked-out day, staff cancel a booking on it,
the client's mail (read from the outbox, as the demo keeps mail) holds the time and they book it."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.models import Client, Location, OutboxMessage, ServiceType
from core.rules.calendar import day_bounds
from core.services import availability
from core.services.booking import book
from core.services.demo import DEMO_CLIENT_PASSWORD, DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD
from web.extensions import db

pytestmark = pytest.mark.browser


def _book_out_a_day(server: Any) -> tuple[str, str, str]:
    """Book every Couples time on a day a week ahead for Sam; returns the day and its label."""
    with server.app.app_context():
        session = db.session
        couples = session.scalars(select(ServiceType).where(ServiceType.slug == "couples")).one()
        location = session.get_one(Location, 1)
        sam = session.scalars(select(Client).where(Client.email == "sam@example.com")).one()
        now = datetime.now(UTC)
        tz = ZoneInfo(location.timezone)
        starts = availability.bookable_starts(
            session,
            service_type_id=couples.id,
            location_id=location.id,
            start=now + timedelta(days=5),
            end=now + timedelta(days=40),
            now=now,
        )
        day = starts[0].astimezone(tz).date()
        start, end = day_bounds(day, tz)
        slots = availability.bookable_slots(
            session,
            service_type_id=couples.id,
            location_id=location.id,
            start=start,
            end=end,
            now=now,
        )
        for slot in slots:
            book(session, slot_id=slot.id, service_type_id=couples.id, client_id=sam.id, now=now)
        return day.isoformat(), f"{day:%B} {day.day}", f"{day:%b} {day.day},"


def _mailed_link(server: Any, to: str) -> tuple[str, str]:
    """The subject and hold link of the newest waitlist mail to `to`."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with server.app.app_context():
            row = db.session.execute(
                select(OutboxMessage.subject, OutboxMessage.text_body)
                .where(OutboxMessage.to_address == to, OutboxMessage.kind == "waitlist_opening")
                .order_by(OutboxMessage.id.desc())
            ).first()
        if row:
            found = re.search(r"http://\S+/waitlist/hold/\S+", row[1])
            assert found
            return row[0], found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no waitlist mail to {to}")


def _log_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_CLIENT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My bookings").wait_for()


def test_a_waiting_client_gets_the_time_a_cancellation_opens(
    demo_server: Any, page: Any, browser: Any, shots: Any
) -> None:
    day, label, short_label = _book_out_a_day(demo_server)

    # The client finds the day booked out and joins its waiting list.
    _log_in(page, demo_server.url, "alex@example.com")
    page.goto(f"{demo_server.url}/book/couples?location=1&day={day}")
    expect(page.locator("a.day-full[aria-current='date']")).to_have_count(1)
    shots(page, "join-offer")
    page.get_by_role("button", name="Tell me if a time opens up").click()
    expect(page.locator(".flash")).to_contain_text("You are on the waiting list for")
    page.get_by_text("You are on the waiting list for this day.").wait_for()
    shots(page, "joined")
    page.get_by_role("link", name="My bookings").first.click()
    waiting = page.get_by_role("region", name="Waiting lists")
    expect(waiting).to_contain_text(label)
    expect(waiting.get_by_role("button", name=re.compile("^Leave"))).to_have_count(1)
    shots(page, "my-bookings-waiting")

    # Priya waits too, after Alex.
    other = browser.new_context(viewport={"width": 1000, "height": 900})
    priya = other.new_page()
    _log_in(priya, demo_server.url, "priya@example.com")
    priya.goto(f"{demo_server.url}/book/couples?location=1&day={day}")
    priya.get_by_role("button", name="Tell me if a time opens up").click()
    priya.get_by_text("You are on the waiting list for this day.").wait_for()

    # Staff cancel one of the day's bookings; the waiting list shows who was mailed.
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = staff.new_page()
    admin.goto(f"{demo_server.url}/admin/login")
    admin.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    admin.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    admin.get_by_role("button", name="Log in").click()
    admin.get_by_role("link", name="Log out").or_(
        admin.get_by_role("button", name="Log out")
    ).first.wait_for()
    admin.goto(f"{demo_server.url}/admin/bookings")
    admin.on("dialog", lambda dialog: dialog.accept())
    admin.get_by_role(
        "button", name=re.compile(f"Cancel booking for Sam .* {short_label}")
    ).first.click()
    expect(admin.locator(".flash")).to_contain_text("The time is open again")
    admin.get_by_role("link", name="Waiting lists").click()
    admin.get_by_role("link", name=re.compile(label)).first.click()
    expect(admin.locator("table.data")).to_contain_text("Alex Rivera")
    expect(admin.locator("table.data")).not_to_contain_text("Not yet")
    shots(admin, "staff-waiting-list")

    # The mail, as staff read it under Sent mail.
    subject, link = _mailed_link(demo_server, "alex@example.com")
    admin.get_by_role("link", name="Sent mail").click()
    admin.get_by_role("link", name=subject).first.click()
    expect(admin.locator("pre.mail-text")).to_contain_text("Open this link to hold it")
    shots(admin, "mail")
    staff.close()

    # The link holds the time for the client and opens the review; they book it.
    page.goto(link)
    page.get_by_role("button", name="Confirm booking").wait_for()
    expect(page.locator("main")).to_contain_text(label)
    shots(page, "held-review")
    page.get_by_label("Outfit changes").select_option("1")  # the demo's required question
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="You're booked!").wait_for()
    page.get_by_role("link", name="My bookings").first.click()
    expect(page.locator(".booking-list li", has_text="Couples")).to_contain_text(label)
    expect(page.get_by_role("heading", name="Waiting lists")).to_have_count(0)
    shots(page, "booked")

    # Priya's mail came too; her link now says the time was taken, and she stays on the list.
    _, priya_link = _mailed_link(demo_server, "priya@example.com")
    priya.goto(priya_link)
    expect(priya.get_by_role("alert")).to_contain_text("someone else took this time first")
    expect(priya.get_by_role("alert")).to_contain_text("You are still on the waiting list")
    shots(priya, "taken")
    other.close()
