"""Staff apply, refuse, change and remove a booking's promo code on its invoice page, and see
the uses on the client's page, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_admin_promotions import _staff_login

pytestmark = pytest.mark.browser


def test_staff_change_a_bookings_promo_code_and_see_the_clients_uses(page, demo_server, shots):
    _staff_login(page, demo_server)
    page.get_by_role("navigation", name="Admin sections").get_by_role(
        "link", name="Clients", exact=True
    ).click()
    page.get_by_role("link", name="Alex Rivera").click()
    page.locator("section[aria-labelledby=invoices-heading] a[href*='/admin/invoices/']").click()
    block = page.locator("#promotions")
    expect(block).to_contain_text("No promotion on this booking.")

    code = page.get_by_label("Promo code")
    code.fill("nope 42")
    page.get_by_role("button", name="Apply a promo code").click()
    expect(page.locator("#promo-code-error")).to_contain_text("NOPE 42 cannot be used")
    shots(page, "refused")

    page.get_by_label("Promo code").fill("fsf")
    page.get_by_role("button", name="Apply a promo code").click()
    expect(page.get_by_text("Promo code FSF applied.")).to_be_visible()
    expect(block).to_contain_text("Free session fee")
    expect(page.get_by_role("button", name="Change code")).to_be_visible()
    shots(page, "applied")

    page.get_by_role("button", name="Remove Free session fee").click()
    expect(page.get_by_text("Free session fee taken off this booking.")).to_be_visible()
    page.get_by_label("Promo code").fill("FSF")
    page.get_by_role("button", name="Apply a promo code").click()
    expect(page.get_by_text("Promo code FSF applied.")).to_be_visible()

    page.get_by_role("navigation", name="Admin sections").get_by_role(
        "link", name="Clients", exact=True
    ).click()
    page.get_by_role("link", name="Alex Rivera").click()
    uses = page.locator("section[aria-labelledby=promo-heading]")
    expect(uses.locator("tbody tr")).to_have_count(2)
    expect(uses.locator("tbody tr").first).to_contain_text("In use")
    expect(uses.locator("tbody tr").last).to_contain_text("Given back")
    uses.scroll_into_view_if_needed()
    shots(page, "client-uses")
