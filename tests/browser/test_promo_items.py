"""Promo items (seed 000) in Chromium: staff add a promotional item to the price list and offer
it on the family session's Billing tab (in place, with htmx); a client types its code on the
review step and sees its value come off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD
from tests.browser.steps import to_review

pytestmark = pytest.mark.browser


def test_staff_offer_a_promo_item_and_a_client_uses_its_code(page, demo_server, shots):
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{demo_server.url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()

    page.goto(f"{demo_server.url}/admin/price-list/new")
    page.get_by_label("Item code").fill("spring25")
    page.get_by_label("Name").fill("Spring mini-session credit")
    page.get_by_label("Category").select_option("promotional")
    page.get_by_label("Price").fill("25")
    page.get_by_role("button", name="Add item").click()

    page.goto(f"{demo_server.url}/admin/service-types")
    page.get_by_role("link", name="FAM", exact=True).click()
    page.get_by_role("link", name="Billing & price list items").click()
    promo = page.locator("#promo-items")
    expect(promo.get_by_role("row", name="FREE810")).to_contain_text("Noted only")
    page.get_by_label("Promotional item").select_option(
        label="SPRING25 · Spring mini-session credit · $25.00"
    )
    page.get_by_role("button", name="Offer").click()
    expect(page.locator("#promo-items-status")).to_contain_text("SPRING25 offered")
    expect(promo.get_by_role("row", name="SPRING25")).to_contain_text("$25.00")
    expect(page.get_by_label("Promotional item")).to_have_count(0)  # nothing else to offer
    promo.scroll_into_view_if_needed()
    shots(page, "billing-promo-items")

    client = page.context.browser.new_context(viewport={"width": 1000, "height": 900})
    widget = client.new_page()
    to_review(widget, demo_server, "sam@example.com")
    summary = widget.locator("#price-summary")

    widget.get_by_label("Promo code").fill("spring25")
    widget.get_by_role("button", name="Apply").click()
    widget.get_by_text("Due now: $125.00").wait_for()
    text = " ".join(summary.inner_text().split())
    assert "Spring mini-session credit (SPRING25) −$25.00" in text
    assert "Code SPRING25 applied: $25.00 off." in text
    shots(widget, "review-promo-item-applied")

    widget.get_by_label("Promo code").fill("free810")
    widget.get_by_role("button", name="Apply").click()
    widget.get_by_text("Code FREE810 applied; it is noted on your invoice.").wait_for()
    assert "Due now: $150.00" in summary.inner_text()
    shots(widget, "review-free-item-noted")
    client.close()
