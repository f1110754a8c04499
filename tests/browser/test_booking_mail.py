"""A client books and gets the calendar file and links; staff open the confirmation mail's HTML
(studio logo and colours) from Sent mail, in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

pytestmark = pytest.mark.browser


def _book_as_new_client(page, demo_server) -> None:
    page.goto(f"{demo_server.url}/book")
    page.get_by_role("link", name=re.compile("Northlight Brooklyn")).click()
    page.get_by_role("link", name=re.compile("Couples & Engagement")).click()
    page.locator("a.day").first.click()
    page.locator("#day-times .time").first.click()
    form = page.locator("form[action='/register']")
    form.locator("#register-name").fill("Casey Calendar")
    form.locator("#register-email").fill("casey@example.com")
    form.locator("#register-phone").fill("+1 718 555 0112")
    form.locator("#register-password").fill("a good long password")
    form.get_by_role("button", name="Create account").click()
    page.get_by_label("Outfit changes").select_option("2")  # the demo's required question
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="You're booked!").wait_for()


def test_the_confirmation_offers_the_calendar_and_the_mail_shows_in_the_studios_look(
    page, browser, demo_server, shots
):
    _book_as_new_client(page, demo_server)

    links = page.get_by_role("region", name="Add it to your calendar")
    expect(links.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    google = links.get_by_role("link", name=re.compile("Google Calendar"))
    outlook = links.get_by_role("link", name=re.compile("Outlook"))
    for link in (google, outlook):
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener")
    assert google.get_attribute("href").startswith(
        "https://calendar.google.com/calendar/render?action=TEMPLATE"
    )
    shots(page, "confirmed-with-calendar-links")
    with page.expect_download() as download:
        links.get_by_role("link", name="Add to calendar (.ics)").click()
    assert download.value.suggested_filename == "booking.ics"
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]).startswith("Couples & Engagement")

    page.get_by_role("link", name="My bookings").first.click()
    expect(page.get_by_text("Add to calendar:").first).to_be_visible()
    shots(page, "my-bookings-calendar-links")

    staff = browser.new_context(viewport={"width": 1000, "height": 900}).new_page()
    staff.goto(f"{demo_server.url}/admin/login")
    staff.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    staff.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    expect(staff.get_by_role("button", name="Log out")).to_be_visible()
    staff.goto(f"{demo_server.url}/admin/mail")
    staff.get_by_role("link", name=re.compile("Couples & Engagement on .* is booked")).first.click()
    preview = staff.frame_locator("iframe.mail-preview")
    expect(preview.get_by_text("Hello Casey Calendar,")).to_be_visible()
    shots(staff, "sent-mail-message")
    src = staff.locator("iframe.mail-preview").get_attribute("src")
    staff.goto(f"{demo_server.url}{src}")  # the HTML alone
    expect(staff.get_by_text("Thank you for booking with")).to_be_visible()
    shots(staff, "confirmation-mail-html")
    staff.context.close()
