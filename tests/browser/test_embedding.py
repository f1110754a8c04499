"""A studio's own site frames the widget, as on the web: two sites, third-party cookies blocked.

The "studio site" is http://localhost:A (a stdlib server with the page the admin's "Get HTML
code" gives, opened with ?utm_source=newsletter&utm_campaign=spring); the widget is
http://127.0.0.1:B. Chromium blocks third-party cookies by default, so the booking only works
because the widget's cookie is `SameSite=None; Secure; Partitioned` (SESSION_COOKIE_SECURE: Chromium
accepts Secure cookies on plain http://127.0.0.1). A new client signs up and books inside the
frame; the frame grows and shrinks with its pages; staff see where the client came from.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core.models import Booking, Client
from core.services.demo import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

EMAIL = "robin.embed@example.com"


class StudioSite:
    """The studio's own website: one page, /studio.html, holding `html`."""

    def __init__(self) -> None:
        self.html = ""
        site = self

        class Page(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = self.path.split("?")[0] == "/studio.html"
                body = (site.html if found else "Not found").encode()
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        self.url = f"http://localhost:{self.server.server_port}"  # another site than 127.0.0.1
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StudioSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def widget_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The demo studio, its cookies Secure (so the widget's is SameSite=None; Partitioned)."""
    from flask_migrate import upgrade

    from core.services.demo import seed_demo
    from web.extensions import db
    from wsgi import create_app

    database = tmp_path_factory.mktemp("embedding") / "demo.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SECRET_KEY": "browser",
            "SESSION_COOKIE_SECURE": True,
        }
    )
    with app.app_context():
        upgrade()
        seed_demo(db.session, now=datetime.now(UTC))
    with LiveServer(app) as server:
        server.database = database
        yield server


@pytest.fixture
def studio_site() -> Iterator[StudioSite]:
    with StudioSite() as site:
        yield site


@pytest.fixture
def visitor(browser: Any) -> Iterator[Any]:
    """A client's own browser (its own cookies); console errors fail the test."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


def studio_page(snippet: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Northlight Studio</title>
<link rel="icon" href="data:,"></head>
<body>
<h1>Northlight Studio</h1>
<p>Portraits in Brooklyn. Book your session below.</p>
{snippet}
<footer><p id="below">Northlight Studio, 214 Wythe Avenue</p></footer>
</body></html>"""


def widget_frame(page: Any, widget_url: str) -> Any:
    return next(f for f in page.frames if f.url.startswith(widget_url))


def fits(page: Any, widget_url: str) -> tuple[int, int]:
    """The iframe's height on the studio's page, once it shows its whole page without an inner
    scrollbar (the height posted by the widget arrived); raises after 5 s."""
    frame_box = page.locator("iframe[data-studiobook]")
    outer, inner = 0, [0, 0]
    for _ in range(50):
        time.sleep(0.1)
        try:
            inner = widget_frame(page, widget_url).evaluate(
                "[document.documentElement.scrollHeight, window.innerHeight]"
            )
        except PlaywrightError:  # the frame is between two pages
            continue
        outer = frame_box.evaluate("f => f.clientHeight")
        if inner[0] <= inner[1] and abs(outer - inner[0]) <= 1:
            return outer, inner[0]
    raise AssertionError(f"the frame does not fit its page: frame {outer}px, page {inner}")


def sign_up_and_confirm(page: Any, name: str, email: str, phone: str) -> None:
    """On the account step (in a frame or a window): a new client signs up, answers the
    demo's required question and confirms, up to "You're booked!"."""
    form = page.locator("form[action^='/register']")
    form.locator("#register-name").fill(name)
    form.locator("#register-email").fill(email)
    form.locator("#register-phone").fill(phone)
    form.locator("#register-password").fill("a good long password")
    form.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Review and confirm").wait_for()
    page.get_by_label("Outfit changes").select_option("2")
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="You're booked!").wait_for()


def test_a_new_client_books_inside_the_studios_site_and_staff_see_where_they_came_from(
    page: Any, visitor: Any, widget_server: Any, studio_site: StudioSite, shots: Any
) -> None:
    widget = widget_server.url
    # Staff allow the studio's site and take the iFrame code.
    page.set_viewport_size({"width": 1300, "height": 900})
    page.goto(f"{widget}/admin/login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()
    page.goto(f"{widget}/admin/preferences/general")
    page.get_by_label("Sites allowed to show the booking widget").fill(
        f"{studio_site.url}/\nhttps://www.northlight.example"
    )
    page.get_by_role("button", name="Save allowed sites").click()
    page.get_by_text("only the listed sites can show the booking widget").wait_for()
    page.locator("#sites-heading").scroll_into_view_if_needed()
    shots(page, "admin-allowed-sites")
    snippet = page.locator("#snippet-1-iframe").input_value()
    assert "data-studiobook" in snippet and "embed.js" in snippet
    studio_site.html = studio_page(snippet)

    cookies: list[str] = []
    visitor.on(
        "response",
        lambda r: (
            r.url.startswith(widget) and (c := r.header_value("set-cookie")) and cookies.append(c)
        ),
    )
    visitor.goto(f"{studio_site.url}/studio.html?utm_source=newsletter&utm_campaign=spring")
    frame = visitor.frame_locator("iframe[data-studiobook]")
    frame.get_by_role("link", name=re.compile("Northlight Brooklyn")).click()
    short, _ = fits(visitor, widget)
    assert short != 800  # sized to the list of types, not the snippet's 800px

    frame.get_by_role("link", name=re.compile("Couples & Engagement")).click()
    first_day = frame.locator("a.day:not(.day-full)").first
    first_day.click()  # htmx swaps the day's times in: the frame follows
    frame.locator("#day-times .time").first.wait_for()
    tall, _ = fits(visitor, widget)
    assert tall != short
    shots(visitor, "studio-site-month")
    frame.locator("#day-times .time").first.click()

    frame.get_by_role("heading", name="I'm new here").wait_for()
    fits(visitor, widget)
    sign_up_and_confirm(frame, "Robin Embed", EMAIL, "+1 718 555 0112")
    fits(visitor, widget)
    visitor.locator("#below").scroll_into_view_if_needed()
    shots(visitor, "studio-site-booked")

    # The only cookie that works in a blocked third-party frame is a partitioned one.
    widget_cookies = [c for c in cookies if c.startswith("studiobook=")]
    assert widget_cookies and all(
        "Secure" in c and "SameSite=None" in c and "Partitioned" in c for c in widget_cookies
    )
    came_from = {
        "source": studio_site.url.removeprefix("http://"),
        "utm_source": "newsletter",
        "utm_campaign": "spring",
    }
    engine = create_engine(f"sqlite:///{widget_server.database}")
    with Session(engine) as session:
        client = session.scalar(select(Client).where(Client.email == EMAIL))
        booking = session.scalar(select(Booking).where(Booking.client_id == client.id))
        assert client.attribution == came_from and booking.attribution == came_from
    engine.dispose()

    shown = f"newsletter (utm_campaign=spring) on {came_from['source']}"
    page.goto(f"{widget}/admin/clients/{client.id}")
    assert f"Came from {shown}" in " ".join(page.inner_text("main").split())
    shots(page, "admin-client")
    page.goto(f"{widget}/admin/bookings")
    assert f"Came from: {shown}" in page.inner_text("main")
