"""Staff edit a client mail's wording with a preview (placeholders inserted with a click, the
HTML in its sandboxed frame), and read a client's online booking on the home screen, in
Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_CLIENT_PASSWORD, DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

pytestmark = pytest.mark.browser


def _staff_login(page, url):
    page.goto(f"{url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def test_staff_preview_and_save_their_wording_of_the_confirmation(page, demo_server, shots):
    page.set_viewport_size({"width": 1280, "height": 1000})
    _staff_login(page, demo_server.url)
    page.get_by_role("navigation", name="Admin sections").get_by_role(
        "link", name="Sent mail"
    ).click()
    page.get_by_role("link", name="Mail wording").click()
    expect(page.get_by_role("row", name="Booking confirmation")).to_contain_text("Built-in")
    shots(page, "mail-wording-list")
    page.get_by_role("link", name="Booking confirmation").click()

    subject = page.get_by_label("Subject")
    subject.fill("See you soon, ")
    subject.press("End")
    page.get_by_role("button", name="{{ client_name }}").click()
    expect(subject).to_have_value("See you soon, {{ client_name }}")
    page.get_by_role("button", name="Preview").click()

    preview = page.locator("#mail-preview")
    expect(preview).to_contain_text("See you soon, Alex Rivera")
    frame = page.frame_locator("iframe[name=mail-preview-frame]")
    expect(frame.get_by_text("Thank you for booking with")).to_be_visible()
    preview.scroll_into_view_if_needed()
    shots(page, "mail-wording-preview")

    page.get_by_label("Text").fill("Hello {{ client_nme }}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#body-error")).to_contain_text("Unknown placeholder {{ client_nme }}")
    shots(page, "mail-wording-error")


def test_an_online_booking_shows_on_the_staff_home_screen(page, demo_server, shots):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{demo_server.url}/login")
    page.get_by_label("Email").fill("alex@example.com")
    page.get_by_label("Password").fill(DEMO_CLIENT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My bookings").wait_for()
    page.goto(f"{demo_server.url}/book/couples?location=1")
    with page.expect_response(lambda r: "day=" in r.url):
        page.locator("a.day").first.click()
    page.locator("#day-times .time").first.click()
    page.get_by_label("Outfit changes").select_option("1")
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="You're booked!").wait_for()
    page.context.clear_cookies()

    _staff_login(page, demo_server.url)
    notice = page.locator(".notice-list > li", has_text="New online booking")
    expect(notice).to_contain_text("Alex Rivera, Couples & Engagement")
    shots(page, "home-with-booking-notice")
    notice.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shots(page, "booking-notice-opened")
    page.get_by_role("link", name="studiobook admin").click()
    page.get_by_role("link", name="Notice settings").click()
    expect(
        page.get_by_role("checkbox", name="On my home screen : New online booking")
    ).to_be_checked()
    shots(page, "my-notice-settings")
