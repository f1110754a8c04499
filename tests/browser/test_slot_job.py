"""Staff set up the weekly time slot job, close a day, run it now, and read its notice on the
home screen, in Chromium."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

pytestmark = pytest.mark.browser


def test_staff_set_up_and_run_the_weekly_job_and_read_its_notice(page, demo_server, shots):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{demo_server.url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("No new notices.")).to_be_visible()
    page.get_by_role("link", name="Preferences").click()
    page.get_by_role("link", name="Time Slots", exact=True).click()

    this_monday = date.today() - timedelta(days=date.today().weekday())
    source = this_monday + timedelta(weeks=1)  # the demo has six weeks of slots from tomorrow
    first = this_monday + timedelta(weeks=8)
    page.get_by_label("Run the weekly job").check()
    page.get_by_label("Source week (the template)").fill(source.isoformat())
    page.get_by_label("First week to fill").fill(first.isoformat())
    page.get_by_label("Run the job on").select_option(label="Tuesdays")
    page.get_by_label("Notify on the home screen of").select_option(index=1)
    page.get_by_label("Email the result to").fill("owner@studio.example")
    page.get_by_role("button", name="Save time slot job").click()
    expect(page.get_by_text("Time slot job saved. It runs on Tuesdays.")).to_be_visible()

    # Close the first location on the Wednesday of the first week to fill.
    page.locator("#closures-heading + p + ul a").first.click()
    page.get_by_label("Closed on").fill((first + timedelta(days=2)).isoformat())
    page.get_by_label("Reason (optional)").fill("Staff training")
    page.get_by_role("button", name="Add closed day").click()
    expect(page.get_by_role("cell", name="Staff training")).to_be_visible()
    shots(page, "closed-days")
    page.get_by_role("link", name="Time Slots", exact=True).click()

    page.get_by_role("button", name="Run now").click()
    flash = page.locator(".flash-success")
    expect(flash).to_contain_text("time slots for the week of")
    expect(flash).to_contain_text("The location is closed that day")
    expect(page.locator("table.data tbody tr")).to_have_count(1)
    shots(page, "time-slots-tab")

    page.get_by_role("link", name="studiobook admin").click()
    notice = page.locator(".notice-list > li").first
    expect(notice).to_contain_text("Weekly time slots:")
    expect(notice).to_contain_text("Skipped")
    shots(page, "home-with-notice")

    notice.get_by_role("button", name="Mark read").click()
    expect(page.get_by_text("No new notices.")).to_be_visible()

    # Tomorrow's cron run fails (the source week now has no slots): the notice reads as an error.
    page.goto(f"{demo_server.url}/admin/preferences/timeslots")
    page.get_by_label("Source week (the template)").fill("2020-01-06")
    page.get_by_role("button", name="Save time slot job").click()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    cli = demo_server.app.test_cli_runner()
    result = cli.invoke(args=["timeslots", "run-weekly", "--force", "--today", tomorrow])
    assert result.exit_code == 1, result.output
    page.get_by_role("link", name="studiobook admin").click()
    failed = page.locator(".notice-list > li.notice-error")
    expect(failed).to_contain_text("Weekly time slots failed for the week of")
    expect(failed).to_contain_text("has no time slots")
    shots(page, "home-with-failed-notice")
