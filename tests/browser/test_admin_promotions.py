"""Staff create a promotion, give it a voucher batch and preview a booking, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD

pytestmark = pytest.mark.browser


def _staff_login(page, demo_server):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{demo_server.url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def test_staff_create_a_promotion_add_vouchers_and_preview_it(page, demo_server, shots):
    _staff_login(page, demo_server)
    page.get_by_role("link", name="Promotions", exact=True).click()
    expect(page.get_by_role("heading", name="Promotions", exact=True)).to_be_visible()
    shots(page, "list")

    page.get_by_role("link", name="New promotion").click()
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Create promotion").click()
    expect(page.locator("#name-error")).to_be_visible()
    shots(page, "form-errors")

    page.get_by_label("Name").fill("Holiday vouchers")
    page.get_by_label("Percentage").fill("25")
    page.get_by_role("button", name="Create promotion").click()
    expect(page.get_by_text("“Holiday vouchers” saved.")).to_be_visible()
    code = page.get_by_label("Promotion code").input_value()
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    shots(page, "form-saved")

    page.get_by_role("link", name="Codes").click()
    page.get_by_label("How many single-use codes").fill("12")
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text("12 single-use codes generated.")).to_be_visible()
    expect(page.locator("table.data caption")).to_contain_text("13 codes, 0 used")
    shots(page, "codes")

    page.get_by_role("link", name="Promotions", exact=True).click()
    page.get_by_role("link", name="Preview a booking").click()
    page.get_by_label("Appointment date").fill("2026-12-05")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Promo code typed (optional)").fill(code.lower())
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="What the booking would get")).to_be_visible()
    shots(page, "preview")
