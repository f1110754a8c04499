"""Preferences, Customization: colours below WCAG AA are saved; the page warns, with the ratio."""

from __future__ import annotations

from tests.conftest import WebClient
from tests.web.helpers import text_of


def _save(staff_web: WebClient, accent: str, background: str, text: str) -> str:
    response = staff_web.post(
        "/admin/preferences/customization",
        {"accent": accent, "background": background, "text": text},
    )
    assert response.status_code == 303  # saved, not refused
    return text_of(staff_web.get("/admin/preferences/customization"))


def test_weak_colours_are_saved_with_a_warning_that_gives_the_ratio(staff_web: WebClient) -> None:
    page = _save(staff_web, accent="#ffcc00", background="#ffffff", text="#999999")
    assert "Some text may be hard to read." in page
    assert "Text on the background has a contrast of 2.84:1" in page
    assert "The accent as link and time colour on the background has a contrast of 1.51:1" in page
    assert "below the 4.5:1 that WCAG AA asks for text" in page
    assert "use a darker shade" in page


def test_light_text_on_a_dark_background_is_not_warned_about(staff_web: WebClient) -> None:
    page = _save(staff_web, accent="#9fd3ff", background="#101820", text="#f5f5f5")
    assert "hard to read" not in page


def test_the_defaults_are_readable(staff_web: WebClient) -> None:
    assert "hard to read" not in text_of(staff_web.get("/admin/preferences/customization"))
