"""Staff work on the time slot calendar in Chromium: add a slot by clicking an empty time, then
open it and move it, the page never reloading."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.models import SlotState, TimeSlot
from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

pytestmark = pytest.mark.browser

BROOKLYN = ZoneInfo("America/New_York")


def _next_monday() -> date:
    today = datetime.now(BROOKLYN).date()
    return today + timedelta(days=7 - today.weekday())


def _every_state_next_week(app) -> None:
    """Next week's Tuesday in Brooklyn: one slot held, one hidden, one closed (the demo books a
    few others)."""
    from web.extensions import db

    with app.app_context():
        tuesday = _next_monday() + timedelta(days=1)
        start = datetime.combine(tuesday, datetime.min.time(), BROOKLYN).astimezone(UTC)
        slots = db.session.scalars(
            select(TimeSlot)
            .where(TimeSlot.location_id == 1, TimeSlot.start_at >= start)
            .where(TimeSlot.start_at < start + timedelta(days=1))
            .where(TimeSlot.state == SlotState.OPEN)
            .order_by(TimeSlot.start_at)
        ).all()
        slots[1].state, slots[1].hold_token = SlotState.HELD, "browser-test"
        slots[1].held_until = datetime.now(UTC) + timedelta(hours=2)
        slots[3].state = SlotState.HIDDEN
        slots[5].state = SlotState.CLOSED
        db.session.commit()


def _staff_login(page, demo_server) -> None:
    page.set_viewport_size({"width": 1500, "height": 1000})  # a laptop, as staff use the admin
    page.goto(f"{demo_server.url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def test_staff_add_a_slot_by_clicking_the_calendar_and_move_it(page, demo_server, shots):
    _every_state_next_week(demo_server.app)
    _staff_login(page, demo_server)
    page.get_by_role("link", name="Time slots", exact=True).click()
    page.get_by_role("link", name="Next week →").click()
    monday = _next_monday()
    expect(page).to_have_url(re.compile(f"week={monday.isoformat()}"))
    calendar = page.locator("#calendar")
    for state in ("Open", "Held", "Booked", "Hidden", "Closed"):
        expect(calendar.locator(".slot-state", has_text=state).first).to_be_visible()
    shots(page, "calendar-week")
    page.evaluate("window.notReloaded = true")

    sunday = monday + timedelta(days=6)  # the demo studio is closed on Sundays
    sunday_name = f"{sunday:%A}, {sunday:%B} {sunday.day}, {sunday.year}"
    page.get_by_role("link", name=f"Add a slot on {sunday_name} at 10:00 AM").click()
    panel = page.locator("#slot-panel")
    expect(panel.get_by_role("heading", name="Add a time slot")).to_be_focused()
    expect(panel.get_by_label("Date")).to_have_value(sunday.isoformat())
    expect(panel.get_by_label("Start time")).to_have_value("10:00")
    panel.get_by_label("Headshots").check()
    expect(panel.get_by_label("Duration (minutes)")).to_have_value("30")
    shots(page, "new-slot-panel")

    panel.get_by_role("button", name="Add time slot").click()
    expect(panel.get_by_role("status")).to_contain_text("Time slot added")
    sunday_column = calendar.get_by_role("region", name=sunday_name)
    added = sunday_column.locator("a.slot")
    expect(added).to_have_count(1)
    expect(added).to_contain_text("10:00 AM")
    expect(added).to_contain_text("Open")
    shots(page, "slot-added")

    # After adding, the panel already shows the slot: wait for the click's own panel to arrive,
    # or it could replace the panel after the time is typed.
    with page.expect_response(lambda r: re.search(r"/admin/slots/\d+$", r.url) is not None):
        added.click()
    expect(panel.get_by_role("heading", name=re.compile(r"10:00\sAM"))).to_be_visible()
    panel.get_by_label("Start time").fill("14:30")
    expect(panel.get_by_label("Start time")).to_have_value("14:30")
    shots(page, "edit-slot-panel")
    panel.get_by_role("button", name="Move slot").click()
    expect(panel.get_by_role("status")).to_contain_text("Time slot moved to")
    expect(added).to_contain_text(re.compile(r"2:30\sPM"))
    expect(sunday_column.locator("a.slot")).to_have_count(1)
    assert page.evaluate("window.notReloaded") is True  # every step swapped parts of the page
    shots(page, "slot-moved")

    calendar.locator("a.slot-booked").first.click()  # a booked slot: its client, no changes
    expect(panel).to_contain_text("reschedule the booking instead")
    expect(panel.get_by_role("button", name="Move slot")).to_have_count(0)
    shots(page, "booked-slot-panel")
