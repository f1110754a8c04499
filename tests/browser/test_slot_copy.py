"""Staff copy next week's time slots to two later weeks with the bulk copy tool, in Chromium."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

pytestmark = pytest.mark.browser


def fill_copy_form(page, source, first_target):
    page.get_by_label("Copy from").fill(source.isoformat())
    page.get_by_label("Copy to, starting").fill(first_target.isoformat())
    page.get_by_label("How many copies").fill("2")


def test_staff_preview_and_copy_a_week_to_the_next_two_weeks(page, demo_server, shots):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{demo_server.url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Time slots", exact=True).click()
    page.get_by_role("link", name="Copy slots").click()
    expect(page.get_by_role("heading", name="Copy or create many time slots")).to_be_visible()

    this_monday = date.today() - timedelta(days=date.today().weekday())
    source = this_monday + timedelta(weeks=1)  # the demo has six weeks of slots from tomorrow
    first_target = this_monday + timedelta(weeks=8)
    fill_copy_form(page, source, first_target)
    shots(page, "form")

    page.get_by_role("button", name="Preview").click()
    counts = page.locator("#preview-counts")
    expect(counts).to_contain_text("slots to create")
    expect(page.get_by_role("checkbox", name="Brooklyn")).to_be_checked()  # the form stays
    create = page.get_by_role("button", name=re.compile(r"^Create \d+ slots$"))
    slots = int(re.search(r"\d+", create.inner_text()).group())
    assert slots > 100
    expect(page.locator("table.preview-table tr.day-row")).to_have_count(2)
    shots(page, "preview")

    create.click()
    expect(page.get_by_text(f"Created {slots} slots; skipped 0.")).to_be_visible()
    assert f"week={first_target.isoformat()}" in page.url
    expect(page.locator("main")).to_contain_text("Studio A")
    shots(page, "result")

    # The same copy again creates nothing: every slot is there now.
    page.goto(f"{demo_server.url}/admin/slots/copy")
    fill_copy_form(page, source, first_target)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-counts")).to_contain_text("0 slots to create")
    expect(page.get_by_text("A slot already exists at that time")).to_be_visible()
    shots(page, "preview-again")


def test_staff_preview_slots_from_a_pattern(page, demo_server, shots):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{demo_server.url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{demo_server.url}/admin/slots/copy")
    page.get_by_role("link", name="Create from a pattern").click()

    first = date.today() + timedelta(weeks=10)
    page.get_by_role("combobox", name="Resource").select_option(
        label="Northlight Brooklyn · Studio A"
    )
    page.get_by_label("First day").fill(first.isoformat())
    page.get_by_label("Last day").fill((first + timedelta(days=13)).isoformat())
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#weekdays-error")).to_have_text("Choose at least one day of the week.")
    expect(page.locator("#service_types-error")).to_be_visible()
    shots(page, "pattern-errors")

    for day in ("Tuesday", "Thursday"):
        page.get_by_role("checkbox", name=day).check()
    page.get_by_label(re.compile(r"^From")).fill("09:00")
    page.get_by_label(re.compile(r"^Until")).fill("12:00")
    page.get_by_label("A slot starts every (minutes)").fill("30")
    page.get_by_role("checkbox", name=re.compile("^Professional Headshots")).check()
    shots(page, "pattern-form")

    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-counts")).to_contain_text("slots to create")
    expect(page.get_by_role("button", name=re.compile(r"^Create \d+ slots$"))).to_be_visible()
    shots(page, "pattern-preview")
