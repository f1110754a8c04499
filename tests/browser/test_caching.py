"""A client going from page to page in the widget asks the server only for the pages: the
stylesheet and the scripts came with the first page and Chromium keeps them, across holding a
time and logging in (their session cookie changes; the files do not vary with it). README,
Performance: the next page costs 1 request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

pytestmark = pytest.mark.browser


class Hits:
    """The paths the server was asked for, as its WSGI app saw them."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.paths: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.paths.append(environ["PATH_INFO"])
        return self.app(environ, start_response)


def files(paths: list[str]) -> list[str]:
    return [p for p in paths if p.startswith("/static/") or p == "/book/widget.css"]


def test_the_next_pages_come_without_their_stylesheet_and_scripts(
    demo_server: Any, page: Any, shots: Any
) -> None:
    hits = Hits(demo_server.app.wsgi_app)
    demo_server.app.wsgi_app = hits
    try:
        page.goto(f"{demo_server.url}/book")
        first = files(hits.paths)
        assert "/book/widget.css" in first and any(p.endswith("/widget.js") for p in first)

        hits.paths.clear()
        page.locator("a.choice").first.click()  # a location
        page.locator("a.choice[href*='/book/family-portrait']").click()
        page.locator("a.day").first.wait_for()
        page.locator("a.day").first.click()  # an htmx request: the day's times
        page.locator("#day-times .time").first.wait_for()
        page.locator("#day-times .time").first.click()  # hold it: the session cookie changes
        page.locator("#login-email").fill("jordan@example.com")
        page.locator("#login-password").fill("demo-client")
        page.get_by_role("button", name="Log in").click()  # a new session altogether
        page.get_by_role("heading", name="Review and confirm").wait_for()
        page.goto(f"{demo_server.url}/account/bookings")  # typed in, not a link: kept all the same
        page.get_by_role("heading", name="My bookings").wait_for()
        shots(page, "my-bookings-from-cache")
    finally:
        demo_server.app.wsgi_app = hits.app

    assert hits.paths, "the server saw the pages"
    assert files(hits.paths) == [], f"asked again for {files(hits.paths)}"
    # The page still has its look and works: the stylesheet and htmx came from the cache.
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.locator("body").evaluate("e => getComputedStyle(e).fontFamily") != "Times"
