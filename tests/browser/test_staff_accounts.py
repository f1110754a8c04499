"""An administrator manages staff accounts and their security options, in Chromium; the
assistant sees only the sections their levels allow."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_ASSISTANT_EMAIL, DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, url, email, password=DEMO_STAFF_PASSWORD):
    page.goto(f"{url}/admin/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_an_administrator_changes_levels_and_creates_an_account(page, demo_server, shots):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, demo_server.url, DEMO_STAFF_EMAIL)
    nav = page.get_by_role("navigation", name="Admin sections")
    nav.get_by_role("link", name="Staff").click()
    sam_row = page.get_by_role("row", name="Sam Assistant")
    expect(sam_row).to_contain_text("Modify overridable")
    shots(page, "staff-list")

    page.get_by_role("link", name="Sam Assistant").click()
    expect(page.get_by_label("Scheduling time slots")).to_have_value("1")
    shots(page, "staff-edit")
    page.get_by_label("Scheduling time slots").select_option(label="Create new")
    page.get_by_role("button", name="Save account").click()
    expect(page.get_by_text("Sam Assistant’s account is saved.")).to_be_visible()
    expect(sam_row).to_contain_text("Create new")

    page.get_by_role("link", name="New staff account").click()
    page.get_by_label("Name").fill("Robin Reception")
    page.get_by_label("Email").fill("robin@studiobook.test")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Robin Reception can now log in")).to_be_visible()
    password = page.get_by_role("textbox", name="Password").input_value()
    assert len(password) == 17
    shots(page, "staff-created")

    page.get_by_role("link", name="Back to the staff list").click()
    page.get_by_role("link", name="Dana Demo").click()  # the same form, for oneself
    page.get_by_label("Role").select_option(label="Staff")
    page.get_by_role("button", name="Save account").click()
    expect(page.get_by_role("alert")).to_contain_text("at least one active administrator")
    shots(page, "staff-last-administrator")

    page.get_by_role("button", name="Log out").click()
    log_in(page, demo_server.url, "robin@studiobook.test", password)
    nav = page.get_by_role("navigation", name="Admin sections")
    expect(nav.get_by_role("link", name="Bookings")).to_be_visible()
    for hidden in ("Time slots", "Preferences", "Staff"):
        expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)


def test_the_assistant_sees_time_slots_but_not_preferences_or_staff(page, demo_server):
    log_in(page, demo_server.url, DEMO_ASSISTANT_EMAIL)
    nav = page.get_by_role("navigation", name="Admin sections")

    expect(nav.get_by_role("link", name="Time slots")).to_be_visible()
    expect(nav.get_by_role("link", name="Preferences")).to_have_count(0)
    expect(nav.get_by_role("link", name="Staff")).to_have_count(0)
    response = page.goto(f"{demo_server.url}/admin/staff")
    assert response is not None and response.status == 403
