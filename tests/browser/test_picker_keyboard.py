"""The slot picker with the keyboard only: one tab stop in the month grid, arrow keys between days,
Home/End and PageUp/PageDown, Enter on a day moves focus to its times (and says how many), Enter on
a time holds it and opens the review."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_CLIENT_PASSWORD

pytestmark = pytest.mark.browser


def _focused_date(page) -> date:
    return date.fromisoformat(page.evaluate("document.activeElement.dataset.date"))


def _expect_focus_on(page, day: date) -> None:
    expect(page.locator(f"#month-grid [data-date='{day.isoformat()}']")).to_be_focused()


def _in_month(day: date, month_of: date) -> date:
    first = month_of.replace(day=1)
    last = month_of.replace(day=calendar.monthrange(month_of.year, month_of.month)[1])
    return min(max(day, first), last)


def _a_month_later(day: date) -> date:
    year, month = divmod(day.year * 12 + day.month, 12)  # month: 0-11 of the next month
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def test_a_client_picks_a_day_and_time_with_the_keyboard_only(page, demo_server, shots):
    page.goto(f"{demo_server.url}/login")
    page.locator("#login-email").fill("alex@example.com")
    page.locator("#login-password").fill(DEMO_CLIENT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()

    page.goto(f"{demo_server.url}/book/couples?location=1")
    grid = page.get_by_role("grid")
    first_open = grid.locator("a.day").first
    for _ in range(30):  # Tab from the top of the page to the grid's one tab stop
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#month-grid [role=grid]')"):
            break
    expect(first_open).to_be_focused()
    start = _focused_date(page)
    label = first_open.get_attribute("aria-label")
    assert re.fullmatch(
        rf"{start:%A}, {start:%B} {start.day}, {start.year}, \d+ times? available", label
    )
    shots(page, "grid-focused")

    page.keyboard.press("ArrowRight")
    _expect_focus_on(page, start + timedelta(days=1))
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("End")  # Home and End: the week's ends, within the month
    _expect_focus_on(page, _in_month(start + timedelta(days=6 - start.weekday()), start))
    page.keyboard.press("Home")
    monday = _in_month(start - timedelta(days=start.weekday()), start)
    _expect_focus_on(page, monday)
    down = (monday + timedelta(days=7)).month == monday.month  # a week on, in this month
    page.keyboard.press("ArrowDown" if down else "ArrowUp")
    _expect_focus_on(page, monday + timedelta(days=7 if down else -7))
    page.keyboard.press("ArrowUp" if down else "ArrowDown")
    _expect_focus_on(page, monday)

    month = page.locator("#month-label").inner_text()
    page.keyboard.press("PageDown")  # the next month through htmx; focus follows the date
    expect(page.locator("#month-label")).not_to_have_text(month)
    expect(page.locator("#picker-status")).to_contain_text("with times")
    _expect_focus_on(page, _a_month_later(monday))
    page.keyboard.press("PageUp")
    expect(page.locator("#month-label")).to_have_text(month)
    _expect_focus_on(page, monday.replace(day=min(monday.day, _a_month_later(monday).day)))
    while _focused_date(page) != start:  # back to the first day with times, by arrows
        page.keyboard.press("ArrowRight" if _focused_date(page) < start else "ArrowLeft")
    expect(first_open).to_be_focused()

    page.keyboard.press("Tab")  # one tab stop: Tab leaves the grid
    assert not page.evaluate("!!document.activeElement.closest('#month-grid [role=grid]')")
    page.keyboard.press("Shift+Tab")
    expect(first_open).to_be_focused()

    with page.expect_response(lambda r: "day=" in r.url):
        page.keyboard.press("Enter")
    heading = page.locator("#day-heading")
    expect(heading).to_be_focused()
    expect(heading).to_have_text(f"{start:%A}, {start:%B} {start.day}, {start.year}")
    count = page.locator("#day-times .time").count()
    times = "time" if count == 1 else "times"
    expect(page.locator("#picker-status")).to_have_text(
        f"{count} {times} on {start:%A}, {start:%B} {start.day}"
    )
    page.keyboard.press("Tab")
    first_time = page.locator("#day-times .time").first
    expect(first_time).to_be_focused()
    expect(first_time).to_have_accessible_name(re.compile(r"^\d{1,2}:\d\d\s[AP]M Eastern Time"))
    shots(page, "time-focused")
    chosen = first_time.inner_text()

    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Review and confirm").wait_for()
    assert chosen in page.inner_text("main")
    shots(page, "review")
