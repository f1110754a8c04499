"""A client types a promo code on the review step: the price changes in place, a code that does
not apply says why, and a fully discounted session is booked without paying."""

from __future__ import annotations

import pytest

from tests.browser.steps import to_review

pytestmark = pytest.mark.browser


def test_a_client_applies_codes_and_books_a_free_session(page, demo_server, shots):
    to_review(page, demo_server, "priya@example.com")
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


def test_a_code_that_ends_before_confirming_keeps_the_time_and_shows_the_new_price(
    page, demo_server, shots
):
    """Couples sessions are invoiced, nothing paid online: the booking gets the price the review
    showed, and when the code stopped applying meanwhile the client is told, keeps the time and
    confirms at the new price."""
    from sqlalchemy import update

    from core.models import Promotion
    from web.extensions import db

    to_review(page, demo_server, "alex@example.com", "couples")
    summary = page.locator("#price-summary")
    page.get_by_label("Promo code").fill("fsf")
    page.get_by_role("button", name="Apply").click()
    summary.get_by_text("Free session fee (FSF)").wait_for()
    assert "Total $0.00" in " ".join(summary.inner_text().split())
    page.get_by_label("Outfit changes").select_option("2")

    with demo_server.app.app_context():  # the studio ends the flyer's promotion meanwhile
        db.session.execute(
            update(Promotion).where(Promotion.external_id == "DEMO-FSF").values(active=False)
        )
        db.session.commit()
    page.get_by_role("button", name="Confirm booking").click()

    page.get_by_role("alert").filter(has_text="Remove the code or try another").wait_for()
    assert "Total $0.00" not in " ".join(summary.inner_text().split())
    assert page.get_by_label("Outfit changes").input_value() == "2"  # the answers are kept
    shots(page, "code-ended-before-confirming")
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="You're booked!").wait_for()
