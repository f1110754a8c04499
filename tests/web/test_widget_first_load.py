"""The widget's first load is small (README, Performance): every page names one stylesheet
(widget.css with the studio's colours, at a versioned URL kept for a year) and two scripts (htmx
and widget.js): with the page itself, four requests, three of them cached on the next page."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import OnlinePreferences
from tests.conftest import WebClient
from tests.web.helpers import assets_of, at, stylesheet_url

HTMX = "/static/widget/vendor/htmx-2.0.11.min.js"
WIDGET_JS = "/static/widget/widget.js"
ONE_YEAR = "max-age=31536000"


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
    assert scripts == [HTMX, WIDGET_JS]


def test_switched_off_booking_still_has_its_look(web: WebClient, make: Any, offer: Any) -> None:
    make._save(OnlinePreferences(active=False))

    notice = web.get("/book")
    [url], scripts = assets_of(notice)
    assert notice.status_code == 503 and scripts == [HTMX, WIDGET_JS]
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

    assert "/static/widget/csrf.js" in scripts and WIDGET_JS not in scripts
    assert not any("/book/" in url for url in stylesheets)
