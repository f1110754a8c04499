"""Staff login: a separate identity from clients, every admin page behind it, never framed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import WebClient
from tests.factories import PASSWORD

WRONG = "That email and password do not match an account."

ADMIN_PAGES = [
    "/admin/",
    "/admin/bookings",
    "/admin/slots",
    "/admin/slots/new",
    "/admin/service-types",
    "/admin/service-types/new",
    "/admin/service-types/1",
]


def log_in(web: WebClient, email: str, password: str = PASSWORD, **kwargs: Any) -> Any:
    return web.post("/admin/login", {"email": email, "password": password}, **kwargs)


def test_staff_log_in_with_email_and_password_and_land_in_the_admin(
    web: WebClient, make: Any
) -> None:
    staff = make.staff(name="Dana Demo")

    response = log_in(web, staff.email.upper(), follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path == "/admin/"
    assert "Hello, Dana Demo" in response.get_data(as_text=True)


def test_login_goes_back_to_the_page_asked_for(web: WebClient, make: Any) -> None:
    staff = make.staff()

    response = web.post(
        "/admin/login?next=/admin/slots", {"email": staff.email, "password": PASSWORD}
    )

    assert response.status_code == 303
    assert response.location == "/admin/slots"


def test_login_never_redirects_off_site(web: WebClient, make: Any) -> None:
    staff = make.staff()

    response = web.post(
        "/admin/login?next=//evil.example/", {"email": staff.email, "password": PASSWORD}
    )

    assert response.location == "/admin/"


def test_wrong_password_is_refused_with_401_and_keeps_the_email(web: WebClient, make: Any) -> None:
    staff = make.staff()

    response = log_in(web, staff.email, "not the password")

    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert WRONG in page
    assert f'value="{staff.email}"' in page
    assert web.get("/admin/bookings").status_code == 303


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(web: WebClient) -> None:
    response = log_in(web, "nobody@studio.test")

    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)


def test_inactive_staff_cannot_log_in(web: WebClient, make: Any) -> None:
    staff = make.staff(active=False)

    assert log_in(web, staff.email).status_code == 401


def test_an_empty_login_form_is_a_400_with_messages(web: WebClient) -> None:
    response = web.post("/admin/login", {"email": "", "password": ""})

    assert response.status_code == 400
    assert "Enter your email address." in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_send_anonymous_visitors_to_the_login(web: WebClient, url: str) -> None:
    response = web.get(url)

    assert response.status_code == 303
    assert response.location.startswith("/admin/login?next=")


@pytest.mark.parametrize(
    "url", ["/admin/bookings/abc/cancel", "/admin/slots/new", "/admin/service-types/new"]
)
def test_admin_forms_refuse_anonymous_posts(web: WebClient, url: str) -> None:
    response = web.post(url, {})

    assert response.status_code == 303
    assert response.location.startswith("/admin/login")


@pytest.mark.parametrize("cookie_path", ["/admin/", "/book"])
def test_a_client_session_does_not_reach_the_admin(
    web: WebClient, make: Any, cookie_path: str
) -> None:
    client = make.client()
    with web.raw.session_transaction(cookie_path) as session:
        session["_user_id"] = f"client:{client.id}"
        session["_fresh"] = True

    response = web.get("/admin/bookings")

    assert response.status_code == 303
    assert response.location.startswith("/admin/login")


def test_log_out_ends_the_staff_session(web: WebClient, make: Any) -> None:
    log_in(web, make.staff().email, follow_redirects=True)

    response = web.post("/admin/logout", follow_redirects=True)

    assert "You are logged out." in response.get_data(as_text=True)
    assert web.get("/admin/bookings").status_code == 303


def test_log_out_is_not_a_get(web: WebClient) -> None:
    assert web.get("/admin/logout").status_code == 405


@pytest.mark.parametrize("logged_in", [False, True])
def test_admin_pages_can_never_be_framed(web: WebClient, make: Any, logged_in: bool) -> None:
    if logged_in:
        log_in(web, make.staff().email)

    response = web.get("/admin/bookings" if logged_in else "/admin/login")

    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
