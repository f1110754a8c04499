"""A client types a promo code on the review step: the price changes in place, a code that does
not apply says why, and a fully discounted session is booked without paying."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_a_client_applies_codes_and_books_a_free_session(page, demo_server, shots):
    page.goto(f"{demo_server.url}/book/family-portrait?location=1")
    page.locator("a.day").first.click()  # the first day with times: a weekday or a Saturday
    page.locator("#day-times .time").first.wait_for()
    page.locator("#day-times .time").first.click()
    page.locator("#login-email").fill("priya@example.com")
    page.locator("#login-password").fill("demo-client")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Review and confirm").wait_for()
    summary = page.locator("#price-summary")
    assert "Due now: $150.00" in summary.inner_text()

    page.get_by_label("Promo code").fill("nosuch")
    page.get_by_role("button", name="Apply").click()
    page.locator("#promo-message").filter(has_text="code").wait_for()
    assert page.get_by_label("Promo code").get_attribute("aria-invalid") == "true"
    assert "Due now: $150.00" in summary.inner_text()
    shots(page, "promo-code-refused")

    page.get_by_label("Promo code").fill("fsf")
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("Due now: $0.00").wait_for()
    assert "Free session fee (FSF) −$150.00" in " ".join(summary.inner_text().split())
    assert page.get_by_role("button", name="Confirm booking").is_visible()
    shots(page, "promo-code-applied")

    page.get_by_label("Outfit changes").select_option("1")  # the demo's required question
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="You're booked!").wait_for()
    shots(page, "promo-code-booked")
