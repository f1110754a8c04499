"""Every step of the booking flow works as plain links and form posts, with JavaScript off."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_a_client_books_with_javascript_disabled(browser, demo_server, shots):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1000, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{demo_server.url}/book/couples")
    page.get_by_role("link", name=re.compile("Northlight London")).click()
    page.locator("a.day").first.click()  # a plain link: the whole page comes back with times
    assert "day=" in page.url
    page.locator(".time").first.click()
    shots(page, "account-no-js")
    page.locator("#login-email").fill("priya@example.com")
    page.locator("#login-password").fill("demo-client")
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Outfit changes").select_option("3")  # the demo's required question
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="You're booked!").wait_for()
    assert "United Kingdom Time (London)" in page.inner_text(".summary")
    shots(page, "confirmed-no-js")
    context.close()
