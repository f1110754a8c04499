"""Staff find the password reset mail and the mails to staff in Mail wording; the reset mail's
preview shows its link as a button in the studio's colour, a notice copy's a made-up notice; in
Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

pytestmark = pytest.mark.browser


def test_staff_preview_the_reset_mail_with_its_button(page, demo_server, shots):
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{demo_server.url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Sent mail").click()
    page.get_by_role("link", name="Mail wording").click()

    to_staff = page.get_by_role("table", name="Mails to staff")
    expect(to_staff.get_by_role("row", name="Notice copy")).to_contain_text("Built-in")
    expect(to_staff.get_by_role("row", name="Weekly time slot job")).to_be_visible()
    shots(page, "mail-wording-groups")
    page.get_by_role("table", name="Mails to clients").get_by_role(
        "link", name="Password reset"
    ).click()

    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#mail-preview")).to_contain_text("Choose a new password for alex@")
    frame = page.frame_locator("iframe[name=mail-preview-frame]")
    button = frame.get_by_role("link", name="Choose a new password")
    expect(button).to_be_visible()
    background = button.evaluate("a => getComputedStyle(a.parentElement).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    expect(frame.get_by_text("If the button does not work")).to_be_visible()
    page.locator("#mail-preview").scroll_into_view_if_needed()
    shots(page, "reset-mail-preview")

    page.get_by_role("link", name="Mail wording").click()
    page.get_by_role("link", name="Notice copy").click()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#mail-preview")).to_contain_text("as if sent to you")
    expect(frame.get_by_text("Cancelled by the client.")).to_be_visible()
    page.locator("#mail-preview").scroll_into_view_if_needed()
    shots(page, "notice-copy-preview")
