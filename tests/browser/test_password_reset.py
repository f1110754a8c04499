"""A client who forgot their password gets a link (read from the outbox, as the demo keeps mail)
and sets a new one; staff read that mail under Sent mail, its HTML rendered in a sandbox."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from sqlalchemy import select

from core.models import OutboxMessage
from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD
from web.extensions import db

pytestmark = pytest.mark.browser


def mailed_link(server: Any, to: str) -> str:
    """The reset link in the newest mail to `to` (the background sender may still be on it)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with server.app.app_context():
            text = db.session.scalar(
                select(OutboxMessage.text_body)
                .where(OutboxMessage.to_address == to)
                .order_by(OutboxMessage.id.desc())
            )
        if text:
            found = re.search(r"http://\S+/account/reset-password/\S+", text)
            assert found
            return found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to}")


def test_a_client_resets_a_forgotten_password_and_staff_see_the_mail(
    demo_server: Any, page: Any, shots: Any
) -> None:
    page.goto(f"{demo_server.url}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_role("heading", name="Forgot your password?").wait_for()
    shots(page, "forgot")
    page.get_by_label("Email").fill("priya@example.com")
    page.get_by_role("button", name="Send me a link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    page.get_by_text("If we have an account for priya@example.com, we’ve sent a link").wait_for()
    shots(page, "link-sent")

    link = mailed_link(demo_server, "priya@example.com")
    page.goto(link)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Save and log in").click()
    page.get_by_text("Use at least 8 characters.").wait_for()
    assert page.get_by_label("New password").get_attribute("aria-invalid") == "true"
    shots(page, "too-short")
    page.get_by_label("New password").fill("priya's new password")
    page.get_by_role("button", name="Save and log in").click()
    page.get_by_text("Your new password is saved and you are logged in.").wait_for()
    page.get_by_role("link", name="My bookings").wait_for()
    shots(page, "logged-in")

    page.goto(link)
    page.get_by_role("heading", name="This link does not work").wait_for()
    page.get_by_text("This link has been used already").wait_for()
    shots(page, "used-link")

    page.set_viewport_size({"width": 1280, "height": 900})  # a laptop, for the admin
    page.goto(f"{demo_server.url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Sent mail").click()
    page.get_by_role("heading", name="Sent mail").wait_for()
    shots(page, "admin-sent-mail")
    page.get_by_role("link", name="Choose a new password for priya@example.com").first.click()
    preview = page.frame_locator("iframe.mail-preview")
    button = preview.get_by_role("link", name="Choose a new password")
    button.wait_for()
    # The mail's inline styles apply inside the sandbox (the admin's own policy forbids them).
    background = button.evaluate("a => getComputedStyle(a.parentElement).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    assert page.get_by_text("Hello Priya").count() >= 1  # the text version
    shots(page, "admin-message")
