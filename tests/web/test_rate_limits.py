"""Guessing is slowed down: logins, new accounts, reset requests and promo codes are limited per
IP address and per account; a limited request is a 429 in the widget's (or admin's) look with a
Retry-After, and says nothing about whether the email has an account."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis

from core.models import FieldMode, KindPreferences, PaymentOption, ServiceKind
from tests.conftest import WebClient
from tests.factories import PASSWORD
from tests.web.helpers import at, log_in_client, text_of

REDIS_URL = "redis://127.0.0.1:6379"
LOGINS = {"widget": "/login", "admin": "/admin/login"}


def attempt(web: WebClient, url: str, email: str, ip: str = "10.0.0.1", **kw: Any) -> Any:
    return web.post(
        url,
        {"email": email, "password": "wrong password"},
        environ_base={"REMOTE_ADDR": ip},
        **kw,
    )


@pytest.mark.parametrize("area", LOGINS)
def test_a_burst_of_failed_logins_on_one_email_is_a_429_with_retry_after(
    web: WebClient, make: Any, area: str
) -> None:
    email = (make.staff() if area == "admin" else make.client()).email
    statuses = [attempt(web, LOGINS[area], email).status_code for _ in range(5)]

    limited = attempt(web, LOGINS[area], email)

    assert statuses == [401] * 5
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert "Too many login attempts. Please wait a few minutes" in text_of(limited)
    # The page keeps the area's look, and the right password does not get through either.
    css = "admin.css" if area == "admin" else "widget.css"
    assert css in limited.get_data(as_text=True)
    right = web.post(LOGINS[area], {"email": email, "password": PASSWORD})
    assert right.status_code == 429


@pytest.mark.parametrize("area", LOGINS)
def test_unknown_and_known_emails_are_limited_alike(web: WebClient, make: Any, area: str) -> None:
    known = (make.staff() if area == "admin" else make.client()).email
    answers = {}
    for email in (known, "nobody@example.com"):
        for _ in range(5):
            attempt(web, LOGINS[area], email)
        limited = attempt(web, LOGINS[area], email)
        answers[email] = (limited.status_code, text_of(limited))

    assert answers[known] == answers["nobody@example.com"]


def test_another_email_and_another_ip_are_not_affected(web: WebClient, make: Any) -> None:
    limited, other = make.client(), make.client()
    for _ in range(6):
        attempt(web, "/login", limited.email)

    # Another account from the same address still gets its own attempts...
    assert attempt(web, "/login", other.email).status_code == 401
    # ...and its owner logs in.
    assert web.post("/login", {"email": other.email, "password": PASSWORD}).status_code == 303
    # The limited account from elsewhere is still limited (it is the account under attack).
    assert attempt(web, "/login", limited.email, ip="10.9.9.9").status_code == 429


def test_successful_logins_do_not_use_up_the_attempts(web: WebClient, make: Any) -> None:
    client = make.client()
    for _ in range(8):
        response = web.post("/login", {"email": client.email, "password": PASSWORD})
        assert response.status_code == 303
        web.post("/logout")


def test_one_ip_trying_many_emails_is_limited(web: WebClient, app: Any) -> None:
    app.config["AUTH_RATE_LIMIT_PER_IP"] = "3 per minute"
    try:
        statuses = [attempt(web, "/login", f"guess{n}@example.com").status_code for n in range(4)]
        elsewhere = attempt(web, "/login", "guess9@example.com", ip="10.7.7.7")
    finally:
        app.config["AUTH_RATE_LIMIT_PER_IP"] = "30 per minute"

    assert statuses == [401, 401, 401, 429]
    assert elsewhere.status_code == 401


def test_the_limits_are_settings(web: WebClient, make: Any, app: Any) -> None:
    app.config["LOGIN_RATE_LIMIT_PER_EMAIL"] = "2 per minute"
    try:
        statuses = [attempt(web, "/login", "someone@example.com").status_code for _ in range(3)]
    finally:
        app.config["LOGIN_RATE_LIMIT_PER_EMAIL"] = "5 per minute;20 per hour"

    assert statuses == [401, 401, 429]


def test_an_htmx_request_gets_the_message_alone(web: WebClient) -> None:
    for _ in range(5):
        attempt(web, "/login", "someone@example.com")

    limited = attempt(web, "/login", "someone@example.com", headers={"HX-Request": "true"})

    assert limited.status_code == 429
    html = limited.get_data(as_text=True)
    assert "<html" not in html and 'role="alert"' in html
    assert "Too many login attempts" in html


def test_creating_accounts_is_limited_per_ip(web: WebClient, app: Any) -> None:
    app.config["AUTH_RATE_LIMIT_PER_IP"] = "3 per minute"
    try:
        statuses = [
            web.post(
                "/register",
                {"name": "N", "email": f"new{n}@example.com", "password": "short"},
                environ_base={"REMOTE_ADDR": "10.0.0.2"},
            ).status_code
            for n in range(4)
        ]
    finally:
        app.config["AUTH_RATE_LIMIT_PER_IP"] = "30 per minute"

    assert statuses[:3] == [400] * 3
    assert statuses[3] == 429


def test_reset_requests_are_limited_per_email_whether_or_not_it_has_an_account(
    web: WebClient, make: Any
) -> None:
    known = make.client().email
    for email in (known, "nobody@example.com"):
        statuses = [
            web.post("/account/forgot-password", {"email": email}).status_code for _ in range(6)
        ]
        assert statuses == [200] * 5 + [429], email


def code(web: WebClient, typed: str, ip: str = "10.0.0.1") -> int:
    headers = {"HX-Request": "true", "HX-Target": "price-summary"}
    return web.post(  # type: ignore[no-any-return]
        "/book/promo", {"promo_code": typed}, headers=headers, environ_base={"REMOTE_ADDR": ip}
    ).status_code


def test_promo_codes_are_limited_per_client_and_per_ip(
    make: Any, priced_offer: Any, app: Any
) -> None:
    make._save(KindPreferences(kind=ServiceKind.SESSION, promo_code_mode=FieldMode.OPTIONAL))
    slot = priced_offer(PaymentOption.FULL_AMOUNT)
    slots = [slot] + [
        make.slot(at(2026, 12, 4 + n, 15), service_types=slot.service_types) for n in range(2)
    ]
    a, b, c = (WebClient(app) for _ in slots)
    for browser, held in zip((a, b, c), slots, strict=True):
        log_in_client(browser, make.client())
        browser.post("/book/fam/hold", {"slot_id": held.id})
    app.config.update(
        PROMO_CODE_RATE_LIMIT="2 per minute", PROMO_CODE_RATE_LIMIT_PER_IP="3 per minute"
    )
    try:
        # Two clients at one address: the address has 3 guesses, each client 2.
        guesses = [code(a, "GUESS1"), code(a, "GUESS2"), code(b, "OTHER1"), code(b, "OTHER2")]
        # Client A from another address: its own 2 are used up wherever it is.
        moved = code(a, "GUESS3", ip="10.3.3.3")
        # A third client at another address is not affected.
        elsewhere = code(c, "THIRD1", ip="10.4.4.4")
    finally:
        app.config.update(
            PROMO_CODE_RATE_LIMIT="10 per minute;60 per hour",
            PROMO_CODE_RATE_LIMIT_PER_IP="30 per minute;300 per hour",
        )

    assert guesses == [422, 422, 422, 429]
    assert moved == 429
    assert elsewhere == 422


_WORKER = """
import sys
from wsgi import create_app

app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SERVER_NAME": "studio.test"})
client = app.test_client()
for _ in range(int(sys.argv[1])):
    response = client.post("/login", data={"email": "shared@example.com", "password": "x"})
    print(response.status_code)
"""


def _worker(attempts: int, env: dict[str, str]) -> list[int]:
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, str(attempts)],
        env=env,
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [int(line) for line in done.stdout.split()]


@pytest.fixture
def redis_prefix() -> Any:
    """A key prefix of this test's own in the local Redis, removed afterwards."""
    try:
        server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: start it to test shared limits")
    prefix = f"studiobook-test-{uuid.uuid4().hex}"
    yield prefix
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    server.close()


def test_app_instances_sharing_redis_share_the_count(
    database_url: str, clean_db: Any, redis_prefix: str
) -> None:
    # Two processes, as two gunicorn workers would be: 3 failed logins each on one email.
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "redis-test",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "LOGIN_RATE_LIMIT_PER_EMAIL": "5 per minute",
    }

    assert _worker(3, env) == [401, 401, 401]
    assert _worker(3, env) == [401, 401, 429]
