"""Steps several browser tests take the same way."""

from __future__ import annotations

from typing import Any


def to_review(page: Any, server: Any, email: str, slug: str = "family-portrait") -> None:
    """Open `slug`'s first day with times at the demo's first location, take its first time,
    log in as the demo client `email` and wait for the review step."""
    page.goto(f"{server.url}/book/{slug}?location=1")
    page.locator("a.day").first.click()  # the first day with times
    page.locator("#day-times .time").first.wait_for()
    page.locator("#day-times .time").first.click()
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill("demo-client")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Review and confirm").wait_for()
