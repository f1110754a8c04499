"""Lincoln High's link in Chromium: a pre-loaded student opens /o/lincoln-high, logs in and books
a School portrait; staff see the organization with its links and members."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_CLIENT_PASSWORD, DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

pytestmark = pytest.mark.browser
ORG_URL = re.compile(r"[?&]org=lincoln-high")


def test_a_preloaded_student_books_a_school_portrait_through_the_link(page, demo_server, shots):
    page.goto(f"{demo_server.url}/o/lincoln-high")
    expect(page).to_have_url(ORG_URL)
    banner = page.locator(".org-banner")
    expect(banner).to_contain_text("Lincoln High School")
    expect(banner).to_contain_text("Picture days at Lincoln High!")
    choices = page.locator(".choice-title")
    expect(choices).to_have_text(["School portrait"])  # only the school's type, not the studio's
    shots(page, "types")

    page.get_by_role("link", name=re.compile("School portrait")).click()
    page.get_by_role("heading", name="School portrait").wait_for()
    first_day = page.locator("a.day").first
    with page.expect_response(lambda r: "day=" in r.url and "org=lincoln-high" in r.url):
        first_day.click()
    expect(page).to_have_url(ORG_URL)  # hx-push-url keeps the link
    chosen = page.locator("#day-times .time").first
    chosen_time = chosen.inner_text()
    shots(page, "times")
    chosen.click()

    page.get_by_role("heading", name="Almost there").wait_for()
    expect(page).to_have_url(ORG_URL)
    expect(page.locator("main")).to_contain_text("Accounts for Lincoln High School are set up")
    expect(page.get_by_role("heading", name="I'm new here")).to_have_count(0)
    shots(page, "log-in")
    page.locator("#login-email").fill("jordan@example.com")
    page.locator("#login-password").fill(DEMO_CLIENT_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("heading", name="Review and confirm").wait_for()
    expect(page).to_have_url(ORG_URL)
    assert chosen_time in page.inner_text("main")
    outfits = page.get_by_label("Outfit changes")
    if outfits.count():  # the demo's required session question, when the studio asks it
        outfits.select_option(index=1)
    shots(page, "review")
    page.get_by_role("button", name="Confirm booking").click()

    page.get_by_role("heading", name="You're booked!").wait_for()
    expect(page).to_have_url(ORG_URL)
    expect(page.locator("main")).to_contain_text("School portrait")
    expect(page.locator(".org-banner")).to_contain_text("Lincoln High School")
    shots(page, "confirmed")
    page.get_by_role("link", name="My bookings").first.click()
    expect(page).to_have_url(ORG_URL)
    expect(page.locator(".booking-list")).to_contain_text("School portrait")
    shots(page, "my-bookings")


def test_the_public_pages_never_show_the_schools_type(page, demo_server):
    page.goto(f"{demo_server.url}/book?location=1")
    expect(page.locator(".choice-title").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("School portrait")
    page.goto(f"{demo_server.url}/o/no-such-school")
    expect(page.get_by_role("heading", name="This booking link is not active")).to_be_visible()


def test_staff_see_the_organization_with_its_links_and_members(page, demo_server, shots):
    page.goto(f"{demo_server.url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Organizations").click()
    row = page.locator("tr", has_text="Lincoln High School")
    expect(row).to_contain_text("Active")
    shots(page, "list")

    row.get_by_role("link", name="Lincoln High School", exact=True).click()
    page.get_by_role("heading", name="Booking links").wait_for()
    expect(page.locator("#org-link")).to_have_value(f"{demo_server.url}/o/lincoln-high")
    page.get_by_role("button", name=re.compile("Copy.*All of Lincoln High School")).click()
    expect(page.locator('[data-copy-status="org-link"]')).not_to_be_empty()
    shots(page, "settings")

    page.get_by_role("link", name="Members").click()
    expect(page.locator("table.data")).to_contain_text("Jordan Lee")
    page.get_by_label("Members to add").fill("Sam New, sam.new@example.com\nbroken line")
    page.get_by_role("button", name="Add members").click()
    expect(page.locator("#line-errors")).to_contain_text("Line 2:")
    shots(page, "members-bad-line")
    page.get_by_label("Members to add").fill("Sam New, sam.new@example.com, 555 0101")
    page.get_by_role("button", name="Add members").click()
    expect(page.get_by_role("status").filter(has_text="1 line saved")).to_contain_text(
        "New client added"
    )
    shots(page, "members-added")
