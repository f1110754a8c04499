"""A new client books a session in headless Chromium, from /book to the confirmation page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_new_client_books_a_session_from_start_to_confirmation(page, demo_server, shots):
    page.goto(f"{demo_server.url}/book")
    shots(page, "choose-location")
    page.get_by_role("link", name=re.compile("Northlight Brooklyn")).click()

    page.get_by_role("link", name=re.compile("Couples & Engagement")).click()
    page.get_by_role("grid").wait_for()  # the month: a grid of days
    shots(page, "month")

    first_day = page.locator("a.day").first
    day_label = first_day.get_attribute("aria-label")
    with page.expect_response(lambda r: "day=" in r.url):
        first_day.click()  # htmx: loads the day's times as a partial
    page.locator("#day-times .time").first.wait_for()
    assert page.locator("a.day[aria-current='date']").get_attribute("aria-label") == day_label
    assert "day=" in page.url  # hx-push-url: the back button and a reload keep the day
    shots(page, "day-times")
    chosen_time = page.locator("#day-times .time").first.inner_text()
    page.locator("#day-times .time").first.click()

    page.get_by_role("heading", name="I'm new here").wait_for()
    shots(page, "account")
    form = page.locator("form[action='/register']")
    form.locator("#register-name").fill("Robin Browser")
    form.locator("#register-email").fill("robin@example.com")
    form.locator("#register-phone").fill("+1 718 555 0111")
    form.locator("#register-password").fill("a good long password")
    form.get_by_role("button", name="Create account").click()

    page.get_by_role("heading", name="Review and confirm").wait_for()
    shots(page, "review")
    assert chosen_time in page.inner_text("main")
    page.get_by_label("Outfit changes").select_option("2")  # the demo's required question
    page.get_by_role("button", name="Confirm booking").click()

    page.get_by_role("heading", name="You're booked!").wait_for()
    shots(page, "confirmed")
    summary = page.inner_text(".summary")
    assert chosen_time in summary and "Eastern Time (New York)" in summary
    assert "214 Wythe Avenue" in summary

    page.get_by_role("link", name="My bookings").first.click()
    page.get_by_role("heading", name="My bookings").wait_for()
    assert "Couples & Engagement" in page.inner_text("main")
    shots(page, "my-bookings")


def test_month_arrows_change_month_without_a_full_page_load(page, demo_server, shots):
    page.goto(f"{demo_server.url}/book/headshots?location=1")
    heading = page.locator("#month-label")
    first_month = heading.inner_text()
    page.evaluate("window.__marker = 'still here'")
    page.get_by_role("link", name="Next month").click()
    expect(heading).not_to_have_text(first_month)  # polled from Python: CSP forbids eval
    assert page.evaluate("window.__marker") == "still here"  # no full reload
    shots(page, "next-month")
