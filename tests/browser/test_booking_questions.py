"""The studio's booking questions in Chromium: a client answers them on the review step and sees
them on the confirmation, staff see them with the booking, and staff edit the questions in place
on the Sessions tab."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD
from tests.browser.steps import to_review

pytestmark = pytest.mark.browser


def test_a_client_answers_the_questions_and_sees_them_on_the_confirmation(page, demo_server, shots):
    page.goto(f"{demo_server.url}/book/couples?location=1")
    first_day = page.locator("a.day").first
    with page.expect_response(lambda r: "day=" in r.url):
        first_day.click()
    page.locator("#day-times .time").first.click()
    page.locator("#login-email").fill("alex@example.com")
    page.locator("#login-password").fill("demo-client")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Review and confirm").wait_for()

    who = page.get_by_label("Who is in the photo?")
    outfits = page.get_by_label("Outfit changes")
    expect(who).to_be_visible()
    expect(outfits).to_have_attribute("required", "")
    expect(page.get_by_text("How many outfits you plan to bring.")).to_be_visible()
    who.fill("Alex and Jordan")
    shots(page, "review-questions")

    page.get_by_role("button", name="Confirm booking").click()  # the required one unanswered
    expect(page.locator(".field.has-error .error")).to_have_text("Please choose an answer.")
    expect(outfits).to_have_attribute("aria-invalid", "true")
    expect(who).to_have_value("Alex and Jordan")  # nothing typed is lost
    shots(page, "review-refused")

    outfits.select_option("3")
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="You're booked!").wait_for()
    answers = " ".join(page.locator(".your-answers").inner_text().split())
    assert "Who is in the photo? Alex and Jordan" in answers
    assert "Outfit changes 3" in answers
    shots(page, "confirmed-with-answers")

    page.get_by_role("link", name="My bookings").first.click()
    page.get_by_text("Your answers").first.click()  # a disclosure per booking
    expect(page.locator(".booking-answers").first).to_contain_text("Alex and Jordan")
    shots(page, "my-bookings-answers")

    _staff_login(page, demo_server)  # staff see the answers with the booking
    page.goto(f"{demo_server.url}/admin/bookings")
    row = page.locator("table.data tbody tr", has_text="Alex Rivera").filter(
        has_text="Couples & Engagement"
    )
    expect(row).to_contain_text("Who is in the photo?")
    expect(row).to_contain_text("Alex and Jordan")
    shots(page, "admin-bookings-answers")

    page.goto(f"{demo_server.url}/admin/clients?q=alex")  # and on the client's page
    page.get_by_role("link", name="Alex Rivera").click()
    row = page.locator("table.data tbody tr", has_text="Alex and Jordan")
    expect(row).to_contain_text(re.compile(r"Outfit changes\s*3"))
    shots(page, "admin-client-answers")


def _staff_login(page, demo_server):
    page.set_viewport_size({"width": 1400, "height": 900})  # a laptop, as staff use the admin
    page.goto(f"{demo_server.url}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def test_staff_edit_the_questions_in_place(page, demo_server, shots):
    _staff_login(page, demo_server)
    page.goto(f"{demo_server.url}/admin/preferences/sessions")
    editor = page.locator("#booking-questions")
    expect(editor.locator(".question-item")).to_have_count(2)
    page.evaluate("window.__marker = 'still here'")

    add = editor.locator("form.add-question")
    add.get_by_role("button", name="Add question").click()  # no wording: refused in place
    expect(editor.locator("#new-label-error")).to_have_text("Enter the question clients will read.")
    expect(page.locator("#new-label")).to_be_focused()
    expect(page.locator("#questions-status")).to_contain_text("The question was not added")
    shots(page, "admin-add-refused")

    page.locator("#new-label").fill("Bringing pets?")
    page.locator("#new-answer_type").select_option(label="Yes or no")
    add.get_by_label("Required").check()
    editor.locator("form.add-question").get_by_role("button", name="Add question").click()
    expect(page.locator("#questions-status")).to_have_text("Question “Bringing pets?” added.")
    expect(editor.locator(".question-item")).to_have_count(3)

    page.get_by_role("button", name="Move “Bringing pets?” up").click()
    expect(page.locator("#questions-status")).to_have_text("“Bringing pets?” is now question 2.")
    texts = [
        " ".join(t.split()) for t in editor.locator(".question-text .strong").all_inner_texts()
    ]
    assert texts == ["1. Who is in the photo?", "2. Bringing pets?", "3. Outfit changes"]
    assert page.evaluate("window.__marker") == "still here"  # no full page load
    editor.locator("summary").nth(1).click()  # open the edit form of the moved question
    expect(page.locator(f"#q{_id(editor, 1)}-label")).to_have_value("Bringing pets?")
    shots(page, "admin-questions-editor")


def _id(editor, index):
    return editor.locator(".question-item").nth(index).get_attribute("id").removeprefix("question-")


def test_an_appointment_yes_no_question_is_answered_with_the_keyboard(page, demo_server, shots):
    _staff_login(page, demo_server)
    page.goto(f"{demo_server.url}/admin/preferences/appointments")
    add = page.locator("form.add-question")
    page.locator("#new-label").fill("Is this your first visit?")
    page.locator("#new-answer_type").select_option(label="Yes or no")
    add.get_by_label("Required").check()
    add.get_by_role("button", name="Add question").click()
    expect(page.locator("#questions-status")).to_have_text(
        "Question “Is this your first visit?” added."
    )
    page.get_by_role("button", name="Log out").click()

    page.set_viewport_size({"width": 1000, "height": 900})
    to_review(page, demo_server, "priya@example.com", "consultation")

    group = page.get_by_role("group", name="Is this your first visit?")
    expect(group).to_be_visible()
    expect(page.get_by_label("Outfit changes")).to_have_count(0)  # a session question
    group.get_by_label("Yes").focus()
    page.keyboard.press("ArrowRight")  # arrow keys move through a radio group
    expect(group.get_by_label("No")).to_be_checked()
    shots(page, "review-yes-no")
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="You're booked!").wait_for()
    answers = " ".join(page.locator(".your-answers").inner_text().split())
    assert answers == "Your answers Is this your first visit? No"
