"""A browser that refuses every cookie inside the studio's iframe (older Safari) still books.

The studio's site is http://localhost:A framing the widget at http://127.0.0.1:B, as in
test_embedding; this time a Playwright route strips `Set-Cookie` from every widget response to
the frame (and the frame's requests go out without cookies), while the window the client opens
keeps ordinary cookies. A new client picks a time in the frame, continues in a new window, signs
up and books: the time booked is the one chosen, nobody goes round in circles, and the frame hears
that the booking is done.
"""

from __future__ import annotations

import http.client
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core.models import Booking, Client
from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD
from tests.browser import test_embedding as embedding
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_embedding import StudioSite, fits, studio_page, widget_frame

# The same studio site, client browser and widget server (SESSION_COOKIE_SECURE, so without the
# route below the frame would keep a Partitioned cookie).
studio_site, visitor, widget_server = (
    embedding.studio_site,
    embedding.visitor,
    embedding.widget_server,
)

pytestmark = pytest.mark.browser

EMAIL = "sam.nocookie@example.com"
_NOT_FORWARDED = {"cookie", "host", "connection", "content-length", "accept-encoding"}


class FrameWithoutCookies:
    """A route for the widget's requests: the frame's go to the server without cookies and come
    back without `Set-Cookie`; the top-level window's (the new window is another page, which
    page routes do not see) pass untouched."""

    def __init__(self) -> None:
        self.refused: list[str] = []  # the cookies the widget tried to set in the frame
        self.documents: list[str] = []  # pages loaded in the frame, as `navigations` writes them

    def __call__(self, route: Any) -> None:
        request = route.request
        if request.frame.parent_frame is None:
            route.continue_()
            return
        url = urlsplit(request.url)
        headers = {
            name: value
            for name, value in request.all_headers().items()
            if name.lower() not in _NOT_FORWARDED and not name.startswith(":")
        }
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
        try:
            connection.request(
                request.method,
                url.path + (f"?{url.query}" if url.query else ""),
                body=request.post_data_buffer,
                headers=headers,
            )
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        kept: dict[str, str] = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                self.refused.append(value)
            elif name.lower() not in ("content-length", "transfer-encoding", "connection"):
                kept[name] = value
        if request.resource_type == "document":
            self.documents.append(
                f"{request.method} {url.path}" + (f"?{url.query}" if url.query else "")
            )
        route.fulfill(status=response.status, headers=kept, body=body)


@pytest.fixture
def frame_without_cookies(visitor: Any, widget_server: Any) -> Iterator[FrameWithoutCookies]:
    route = FrameWithoutCookies()
    visitor.route(f"{widget_server.url}/**", route)
    yield route


def navigations(page: Any, into: list[str], *, frames: bool) -> None:
    """Record each page load (redirects included) of the frames or of the main window."""

    def requested(request: Any) -> None:
        if request.is_navigation_request() and (request.frame.parent_frame is not None) == frames:
            url = urlsplit(request.url)
            into.append(f"{request.method} {url.path}" + (f"?{url.query}" if url.query else ""))

    page.on("request", requested)


def test_a_new_client_whose_browser_refuses_cookies_in_the_frame_books_in_a_new_window(
    page: Any,
    visitor: Any,
    widget_server: Any,
    studio_site: StudioSite,
    frame_without_cookies: FrameWithoutCookies,
    shots: Any,
) -> None:
    widget = widget_server.url
    # The studio lists its site and takes the iFrame code, as in test_embedding.
    page.goto(f"{widget}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()
    page.goto(f"{widget}/admin/preferences/general")
    page.get_by_label("Sites allowed to show the booking widget").fill(studio_site.url)
    page.get_by_role("button", name="Save allowed sites").click()
    page.get_by_text("only the listed sites can show the booking widget").wait_for()
    studio_site.html = studio_page(page.locator("#snippet-1-iframe").input_value())

    in_frame: list[str] = []
    navigations(visitor, in_frame, frames=True)
    visitor.goto(f"{studio_site.url}/studio.html?utm_source=newsletter&utm_campaign=spring")
    frame = visitor.frame_locator("iframe[data-studiobook]")
    frame.get_by_role("link", name=re.compile("Northlight Brooklyn")).click()
    frame.get_by_role("link", name=re.compile("Couples & Engagement")).click()
    frame.locator("a.day:not(.day-full)").first.click()
    chosen = frame.locator("#day-times form").first
    chosen.wait_for()
    slot_id = int(chosen.locator("input[name=slot_id]").get_attribute("value"))
    chosen_time = chosen.locator("button.time").get_attribute("aria-label")
    chosen.locator("button.time").click()

    frame.get_by_role("heading", name="Continue in a new window").wait_for()
    assert frame_without_cookies.refused, "the widget did try to keep a session in the frame"
    assert chosen_time.split(" ")[0] in frame.locator(".summary").inner_text()
    fits(visitor, widget)  # still sized by the studio's page
    shots(visitor, "frame-continue-in-a-new-window")
    assert not axe_violations(widget_frame(visitor, widget))

    with visitor.expect_popup() as opened:
        frame.get_by_role("link", name="Continue in a new window").click()
    window = opened.value
    window.set_default_timeout(10_000)
    in_window: list[str] = []
    navigations(window, in_window, frames=False)
    window.get_by_role("heading", name="I'm new here").wait_for()
    assert chosen_time.split(" ")[0] in window.locator(".summary").inner_text()
    embedding.sign_up_and_confirm(window, "Sam Nocookie", EMAIL, "+1 718 555 0199")
    back = window.get_by_role("link", name=re.compile("^Back to "))
    assert back.get_attribute("href") == f"{studio_site.url}/"
    shots(window, "window-booked")

    # The frame hears of it from the window (postMessage, our own origin only).
    frame.get_by_role("status").get_by_text("Your confirmation is in the other window").wait_for()
    assert frame.get_by_role("heading", level=1).inner_text() == "You’re booked!"
    assert not frame.get_by_role("link", name="Continue in a new window").is_visible()
    assert frame.get_by_role("link", name="Book something else").is_visible()
    shots(visitor, "frame-told-booked")
    assert not axe_violations(widget_frame(visitor, widget))

    engine = create_engine(f"sqlite:///{widget_server.database}")
    with Session(engine) as session:
        client = session.scalar(select(Client).where(Client.email == EMAIL))
        booking = session.scalar(select(Booking).where(Booking.client_id == client.id))
        came_from = {
            "source": studio_site.url.removeprefix("http://"),
            "utm_source": "newsletter",
            "utm_campaign": "spring",
        }
        assert booking.slot_id == slot_id  # the time chosen in the frame
        assert client.attribution == came_from and booking.attribution == came_from
    engine.dispose()

    # No loops: each page once, the first one loaded once (embed.js gives the iframe its address).
    assert Counter(in_frame).most_common(1)[0][1] == 1, in_frame
    assert in_frame[0].startswith("GET /book?utm_source=newsletter&utm_campaign=spring&source=")
    assert in_frame == frame_without_cookies.documents  # and every one went without cookies
    assert Counter(in_window).most_common(1)[0][1] == 1 and len(in_window) <= 6, in_window
