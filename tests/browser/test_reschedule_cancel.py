"""A client books, reschedules to another day, then cancels, all from My bookings, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_CLIENT_PASSWORD

pytestmark = pytest.mark.browser


def _booking_card(page):
    return page.locator(".booking-list li", has_text="Couples & Engagement")


def test_a_client_reschedules_then_cancels_from_my_bookings(page, demo_server, shots):
    page.goto(f"{demo_server.url}/login")
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill(DEMO_CLIENT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My bookings").wait_for()

    # Book a free type (no online payment): day, time, review, confirm.
    page.goto(f"{demo_server.url}/book/couples?location=1")
    first_day = page.locator("a.day").first
    booked_day = first_day.get_attribute("aria-label")
    with page.expect_response(lambda r: "day=" in r.url):
        first_day.click()
    page.locator("#day-times .time").first.click()
    page.get_by_label("Outfit changes").select_option("1")  # the demo's required question
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="You're booked!").wait_for()
    page.get_by_role("link", name="My bookings").first.click()
    card = _booking_card(page)
    expect(card).to_have_count(1)
    shots(page, "booked")

    # Reschedule: the picker in reschedule mode, another day, old → new, confirm.
    card.get_by_role("link", name=re.compile("Reschedule")).click()
    page.get_by_role("heading", name="Reschedule Couples & Engagement").wait_for()
    other_day = page.locator(f"a.day:not([aria-label='{booked_day}'])").first
    new_day = other_day.get_attribute("aria-label").split(",")[1].strip()  # e.g. "December 5"
    with page.expect_response(lambda r: "day=" in r.url):
        other_day.click()
    page.locator("#day-times .time").first.wait_for()
    expect(page).to_have_url(re.compile(r"/reschedule\?day="))  # hx-push-url keeps the mode
    shots(page, "reschedule-picker")
    new_time = page.locator("#day-times .time").first.inner_text()
    page.locator("#day-times .time").first.click()

    page.get_by_role("heading", name="Move your Couples & Engagement?").wait_for()
    to_summary = page.get_by_role("region", name="To", exact=True)
    assert new_day in to_summary.inner_text() and new_time in to_summary.inner_text()
    shots(page, "reschedule-confirm")
    page.get_by_role("button", name="Confirm new time").click()

    page.get_by_role("heading", name="My bookings").wait_for()
    expect(page.locator(".flash")).to_contain_text("is moved to")
    expect(_booking_card(page)).to_contain_text(new_day)
    history = page.locator("table.history")
    expect(history).to_contain_text("Rescheduled")
    shots(page, "rescheduled")

    # Cancel: the booking leaves the upcoming list and joins the history.
    _booking_card(page).get_by_role("button", name="Cancel booking").click()
    expect(page.locator(".flash")).to_contain_text("Couples & Engagement is cancelled")
    expect(_booking_card(page)).to_have_count(0)
    expect(history).to_contain_text("Cancelled")
    shots(page, "cancelled")
