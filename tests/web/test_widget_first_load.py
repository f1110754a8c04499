"""The widget's first load is small (README, Performance): every page names one stylesheet
(widget.css with the studio's colours) and two scripts (htmx and widget.js), each at a URL naming
its version and kept a year: with the page itself, four requests, and on the next page only the
page itself."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from core.models import OnlinePreferences
from tests.conftest import WebClient
from tests.web.helpers import assets_of, at, stylesheet_url
from widget import bp as widget_bp

HTMX = "/static/widget/vendor/htmx-2.0.11.min.js"
WIDGET_JS = "/static/widget/widget.js"
ONE_YEAR = "max-age=31536000"


def paths(urls: list[str]) -> list[str]:
    return [urlsplit(url).path for url in urls]


@pytest.fixture
def offer(make: Any) -> Any:
    make.studio(name="Northlight Studio")
    service_type = make.service_type(slug="fam", online_name="Family Portrait")
    return make.slot(at(2026, 12, 3, 15), service_types=[service_type])


@pytest.mark.parametrize(
    "page",
    ["/book", "/book/fam", "/book/fam?embed_origin=http://localhost:5000", "/login", "/register"],
)
def test_a_widget_page_names_one_stylesheet_and_two_scripts(
    web: WebClient, offer: Any, page: str
) -> None:
    stylesheets, scripts = assets_of(web.get(page))

    assert len(stylesheets) == 1 and stylesheets[0].startswith("/book/widget.css?v=")
    assert paths(scripts) == [HTMX, WIDGET_JS]
    assert all("?v=" in url for url in scripts)


def test_switched_off_booking_still_has_its_look(web: WebClient, make: Any, offer: Any) -> None:
    make._save(OnlinePreferences(active=False))

    notice = web.get("/book")
    [url], scripts = assets_of(notice)
    assert notice.status_code == 503 and paths(scripts) == [HTMX, WIDGET_JS]
    sheet = web.get(url)
    assert sheet.status_code == 200 and sheet.mimetype == "text/css"


def test_the_stylesheet_url_changes_with_the_studios_colours(
    web: WebClient, make: Any, offer: Any
) -> None:
    before = stylesheet_url(web)
    assert stylesheet_url(web, "/book/fam") == before  # one URL for every page: cached once

    make._save(OnlinePreferences(colour_accent="#8a2be2"))

    after = stylesheet_url(web)
    assert after != before
    assert "--sb-accent:#8a2be2" in web.get(after).get_data(as_text=True)


def test_the_stylesheet_is_kept_a_year_and_revalidated_by_etag(web: WebClient, offer: Any) -> None:
    response = web.get(stylesheet_url(web))

    cache = response.headers["Cache-Control"]
    assert "public" in cache and ONE_YEAR in cache and "immutable" in cache
    assert response.headers["ETag"]
    again = web.get(stylesheet_url(web), headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_an_outdated_version_gets_todays_stylesheet_but_no_long_cache(
    web: WebClient, offer: Any
) -> None:
    # A page cached before the colours changed, or another host mid-deploy: never pin it.
    response = web.get("/book/widget.css?v=0123456789abcdef")

    assert response.status_code == 200 and "--sb-accent" in response.get_data(as_text=True)
    assert ONE_YEAR not in response.headers["Cache-Control"]
    assert "no-cache" in response.headers["Cache-Control"]


def test_the_admin_keeps_its_own_small_script(web: WebClient) -> None:
    stylesheets, scripts = assets_of(web.get("/admin/login"))

    assert "/static/widget/csrf.js" in paths(scripts) and WIDGET_JS not in paths(scripts)
    assert not any("/book/" in url for url in stylesheets)


def test_the_scripts_a_page_names_are_kept_a_year(web: WebClient, offer: Any) -> None:
    _, scripts = assets_of(web.get("/book/fam"))

    for url in scripts:
        response = web.get(url)
        cache = response.headers["Cache-Control"]
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert "public" in cache and ONE_YEAR in cache and "immutable" in cache
        assert "no-cache" not in cache
        response.close()


@pytest.mark.parametrize("query", ["", "?v=0123456789ab"])
def test_a_script_asked_for_without_its_version_is_revalidated(
    web: WebClient, offer: Any, query: str
) -> None:
    # The embed snippet on studios' sites names embed.js without one; an old page, an old one.
    response = web.get(f"{WIDGET_JS}{query}")
    response.close()

    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]
    assert ONE_YEAR not in response.headers["Cache-Control"]
    again = web.get(WIDGET_JS, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_changed_script_gets_a_new_address_and_the_old_one_is_no_longer_pinned(
    web: WebClient, offer: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "static"
    shutil.copytree(str(widget_bp.static_folder), folder)
    monkeypatch.setattr(widget_bp, "static_folder", str(folder))
    before = assets_of(web.get("/book/fam"))[1][1]

    (folder / "widget.js").write_text("/* the next release */\n", encoding="utf-8")

    after = assets_of(web.get("/book/fam"))[1][1]
    assert paths([after]) == [WIDGET_JS] and after != before
    fresh = web.get(after)
    assert fresh.get_data(as_text=True) == "/* the next release */\n"
    assert "immutable" in fresh.headers["Cache-Control"]
    stale = web.get(before)  # a page from before the deploy
    assert "immutable" not in stale.headers["Cache-Control"]
    assert "no-cache" in stale.headers["Cache-Control"]
    fresh.close()
    stale.close()


def test_the_admins_stylesheet_is_versioned_and_kept_a_year_too(web: WebClient) -> None:
    [url], _ = assets_of(web.get("/admin/login"))
    assert url.startswith("/admin/static/admin.css?v=")

    response = web.get(url)
    response.close()

    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    # Admin pages are never stored; its stylesheet is the same for everyone.
    assert "no-store" in web.get("/admin/login").headers["Cache-Control"]


@pytest.mark.parametrize("asset", ["script", "stylesheet", "admin stylesheet"])
def test_files_are_the_same_whoever_asks(web: WebClient, offer: Any, asset: str) -> None:
    web.post("/book/fam/hold", {"slot_id": offer.id})  # a visit with a session of its own
    stylesheets, scripts = assets_of(web.get("/book/fam"))
    url = {
        "script": scripts[1],
        "stylesheet": stylesheets[0],
        "admin stylesheet": assets_of(web.get("/admin/login"))[0][0],
    }[asset]

    response = web.get(f"{url}&utm_source=newsletter")  # what a page would keep in the session
    response.close()

    # No Vary: Cookie, so a CDN or the proxy may keep one copy for every client; no cookie set.
    assert response.status_code == 200
    assert "Cookie" not in response.vary and "Set-Cookie" not in response.headers
    assert "Cookie" in web.get("/book/fam").vary  # pages do depend on who asks
