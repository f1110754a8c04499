"""Sessions: a login starts a new session (a cookie from before it is not logged in), logout
forgets it, and a staff session ends after ADMIN_IDLE_MINUTES without a request."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core.models import PriceListItem
from tests.conftest import Clock, WebClient
from tests.factories import PASSWORD
from tests.web.helpers import log_in_client, text_of

AREAS = {
    # area: (cookie name, cookie path, login url, a page that needs the login)
    "widget": ("studiobook", "/", "/login", "/account/bookings"),
    "admin": ("studiobook_admin", "/admin", "/admin/login", "/admin/bookings"),
}


def cookie(web: WebClient, area: str) -> str | None:
    name, path, _, _ = AREAS[area]
    found = web.raw.get_cookie(name, domain="studio.test", path=path)
    return found.value if found else None


def replay(app: Any, area: str, value: str) -> Any:
    """A request from another browser that copied the cookie `value`."""
    name, path, _, page = AREAS[area]
    other = app.test_client()
    other.set_cookie(name, value, domain="studio.test", path=path)
    return other.get(page)


def person(make: Any, area: str) -> Any:
    return make.staff() if area == "admin" else make.client()


@pytest.mark.parametrize("area", AREAS)
def test_a_cookie_from_before_login_is_not_logged_in_after_it(
    web: WebClient, make: Any, app: Any, area: str
) -> None:
    _, _, login, page = AREAS[area]
    web.get(login)  # an attacker could have planted this session (it has its CSRF token)
    planted = cookie(web, area)
    assert planted

    web.post(login, {"email": person(make, area).email, "password": PASSWORD})

    assert cookie(web, area) not in (None, planted)
    assert web.get(page).status_code == 200
    refused = replay(app, area, planted)  # type: ignore[arg-type]
    assert refused.status_code == 303 and refused.location.startswith(login)


@pytest.mark.parametrize("area", AREAS)
def test_logout_forgets_the_session(web: WebClient, make: Any, area: str) -> None:
    _, _, login, page = AREAS[area]
    web.post(login, {"email": person(make, area).email, "password": PASSWORD})
    web.get(page)

    logout = web.post(login.replace("login", "logout"))

    assert logout.status_code == 303
    assert web.get(page).status_code == 303
    assert "_user_id" not in str(web.raw.get_cookie(AREAS[area][0], "studio.test", AREAS[area][1]))


def staff_logged_in(web: WebClient, make: Any) -> Any:
    staff = make.staff()
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)
    return staff


def test_staff_are_logged_out_after_30_idle_minutes_and_come_back_where_they_were(
    web: WebClient, make: Any, clock: Clock
) -> None:
    staff = staff_logged_in(web, make)
    clock.travel(minutes=31)

    response = web.get("/admin/slots?week=2026-11-23")

    assert response.status_code == 303
    assert response.location == "/admin/login?next=/admin/slots?week%3D2026-11-23"
    login_page = web.get(response.location)
    assert "You were logged out after 30 minutes without activity." in text_of(login_page)
    assert web.get("/admin/bookings").status_code == 303  # really logged out
    back = web.post(response.location, {"email": staff.email, "password": PASSWORD})
    assert back.location == "/admin/slots?week=2026-11-23"


def test_each_request_keeps_the_staff_session_alive(
    web: WebClient, make: Any, clock: Clock
) -> None:
    staff_logged_in(web, make)
    for _ in range(4):
        clock.travel(minutes=25)
        assert web.get("/admin/bookings").status_code == 200


def test_the_idle_time_is_a_setting(web: WebClient, make: Any, clock: Clock, app: Any) -> None:
    app.config["ADMIN_IDLE_MINUTES"] = 5
    try:
        staff_logged_in(web, make)
        clock.travel(minutes=6)
        response = web.get("/admin/bookings")
        message = text_of(web.get(response.location))
    finally:
        app.config["ADMIN_IDLE_MINUTES"] = 30

    assert response.status_code == 303
    assert "logged out after 5 minutes without activity" in message


def test_an_idle_htmx_request_sends_the_whole_page_to_the_login(
    web: WebClient, make: Any, clock: Clock
) -> None:
    staff_logged_in(web, make)
    web.get("/admin/bookings")
    clock.travel(hours=2)

    response = web.raw.get(
        "/admin/bookings",
        headers={
            "HX-Request": "true",
            "HX-Target": "results",
            "HX-Current-URL": "http://studio.test/admin/bookings?q=x",
        },
    )

    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/admin/login?next=/admin/bookings?q%3Dx"


def test_an_idle_form_post_is_not_carried_out(
    web: WebClient, make: Any, clock: Clock, db_session: Any
) -> None:
    staff_logged_in(web, make)
    web.get("/admin/price-list/new")
    clock.travel(minutes=45)

    response = web.post(
        "/admin/price-list/new",
        {"code": "PR1", "name": "Print", "category": "product", "price": "20"},
        headers={"Referer": "http://studio.test/admin/price-list/new"},
    )

    assert response.status_code == 303
    assert response.location == "/admin/login?next=/admin/price-list/new"
    assert db_session.scalar(select(func.count()).select_from(PriceListItem)) == 0


def test_client_sessions_do_not_idle_out_like_staff(
    web: WebClient, make: Any, clock: Clock
) -> None:
    log_in_client(web, make.client())
    clock.travel(hours=3)
    assert web.get("/account/bookings").status_code == 200
