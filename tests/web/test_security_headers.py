"""Security headers on every response, pages and failures and files alike: a CSP without inline
script or style, no sniffing, a referrer policy, and HSTS when the request came over HTTPS
(directly, or through TRUSTED_PROXIES proxies that say so)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from core.models import OnlinePreferences
from tests.conftest import WebClient
from tests.factories import PASSWORD

ROOT = Path(__file__).parents[2]


def logo(web: WebClient, make: Any, data: bytes) -> Any:
    staff = make.staff()
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)
    return web.post(
        "/admin/preferences/logo",
        {"show_logo": "y", "upload": (io.BytesIO(data), "logo.png")},
        content_type="multipart/form-data",
    )


def png(**options: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 10), "#2f5d62").save(buffer, format="PNG", **options)
    return buffer.getvalue()


RESPONSES = {
    "widget page": lambda web: web.get("/book"),
    "admin page": lambda web: web.get("/admin/login"),
    "widget 404": lambda web: web.get("/no-such-page"),
    "admin 404": lambda web: web.get("/admin/no-such-page"),
    "refused form (400)": lambda web: web.raw.post("/login", data={"email": "a@b.c"}),
    "htmx fragment": lambda web: web.htmx("/login", "main"),
    "widget script": lambda web: web.get("/static/widget/widget.js"),
    "widget stylesheet": lambda web: web.get("/book/widget.css"),
    "admin stylesheet": lambda web: web.get("/admin/static/admin.css"),
    "health check": lambda web: web.get("/healthz"),
    "405": lambda web: web.raw.put("/book"),
}


@pytest.mark.parametrize("name", RESPONSES)
def test_every_response_carries_the_security_headers(web: WebClient, name: str) -> None:
    response = RESPONSES[name](web)
    response.close()  # static files stream from an open file

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp
    assert "Strict-Transport-Security" not in response.headers  # plain http: the demo


def test_a_rate_limited_answer_carries_them_too(web: WebClient) -> None:
    for _ in range(6):
        response = web.post("/login", {"email": "x@example.com", "password": "guess"})

    assert response.status_code == 429
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(
    "url", ["/book", "/admin/login", "/no-such-page", "/static/widget/widget.js"]
)
def test_https_requests_get_hsts(web: WebClient, url: str) -> None:
    response = web.raw.get(url, base_url="https://studio.test")
    response.close()

    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


_BEHIND_PROXY = """
from wsgi import create_app

app = create_app({"TESTING": True, "SERVER_NAME": "studio.test"})
client = app.test_client()
forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
print(client.get("/healthz", headers=forwarded).headers.get("Strict-Transport-Security"))
print(client.get("/healthz").headers.get("Strict-Transport-Security"))
"""


@pytest.mark.parametrize(("proxies", "expected"), [("1", "max-age=31536000"), ("0", "None")])
def test_behind_a_trusted_proxy_its_https_counts(
    database_url: str, proxies: str, expected: str
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "proxy-test",
        "TRUSTED_PROXIES": proxies,
    }
    done = subprocess.run(
        [sys.executable, "-c", _BEHIND_PROXY],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    # Forwarded as HTTPS: HSTS only when the proxy is trusted; never for plain http.
    assert done.stdout.split() == [expected, "None"]


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|javascript:|hx-on"
    r"|\son(?:click|change|submit|load|error|input|focus|blur|key\w+|mouse\w+|pointer\w+)=",
    re.I,
)


def test_no_page_template_has_inline_script_or_style() -> None:
    # The CSP refuses inline code, so it would silently not run: keep it in static files.
    # Mail templates are exempt (mail clients need inline styles; no CSP applies there).
    templates = [
        path
        for folder in ("web/templates", "widget/templates", "admin/templates")
        for path in (ROOT / folder).rglob("*.html")
        if "mail" not in path.relative_to(ROOT / folder).parts
    ]
    found = {
        str(path.relative_to(ROOT)): match.group(0)
        for path in templates
        for match in [INLINE.search(path.read_text())]
        if match
    }

    assert len(templates) > 50
    assert not found, f"Inline script or style (blocked by the CSP): {found}"


def test_uploaded_images_are_served_as_images_never_sniffed(
    web: WebClient, make: Any, db_session: Any
) -> None:
    logo(web, make, png() + b"<html><script>alert(1)</script></html>")
    stored = db_session.scalar(select(OnlinePreferences)).logo

    served = web.get(f"/files/{stored.public_id}")

    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"] == f'inline; filename="{stored.public_id}.png"'
    assert b"<script" not in served.data  # the appended page was not kept


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"),
        (b"<!doctype html><html><script>alert(1)</script></html>", "logo.png"),
        (b"GIF89a<script>alert(1)</script>", "logo.gif"),
    ],
    ids=["svg", "html", "gif-polyglot"],
)
def test_svg_and_html_uploads_are_refused_clearly(
    web: WebClient, make: Any, data: bytes, name: str
) -> None:
    staff = make.staff()
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)

    response = web.post(
        "/admin/preferences/logo",
        {"upload": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert "JPEG or PNG" in response.get_data(as_text=True)
