"""Nothing tells a visitor whether an email has an account: the widget login, the staff login and
"forgot password" answer an unknown email exactly as a known one (status, words, and the time a
password check takes). Creating an account with a taken email does say so: see the last test."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from argon2 import PasswordHasher

from core.services import accounts
from tests.conftest import WebClient
from tests.web.helpers import text_of

KNOWN = "known@example.com"
UNKNOWN = "unknown@example.com"


def answer(web: WebClient, url: str, email: str, **form: str) -> tuple[int, str]:
    response = web.post(url, {"email": email, **form})
    return response.status_code, text_of(response).replace(email, "EMAIL")


@pytest.fixture
def known(make: Any) -> None:
    make.client(email=KNOWN)
    make.staff(email=KNOWN)


@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("/login", {"password": "not the password"}),
        ("/admin/login", {"password": "not the password"}),
        ("/account/forgot-password", {}),
    ],
    ids=["widget login", "staff login", "forgot password"],
)
def test_an_unknown_email_gets_the_answer_a_known_one_gets(
    web: WebClient, known: None, url: str, form: dict[str, str]
) -> None:
    assert answer(web, url, KNOWN, **form) == answer(web, url, UNKNOWN, **form)


def test_a_client_without_a_password_gets_the_same_answer(web: WebClient, make: Any) -> None:
    # Clients the studio entered have no login yet: they look like any wrong password.
    make.client(email="entered@example.com", password_hash=None)
    make.client(email=KNOWN)

    entered = answer(web, "/login", "entered@example.com", password="guess")

    assert entered == answer(web, "/login", KNOWN, password="guess")


@pytest.mark.parametrize("url", ["/login", "/admin/login"])
def test_an_unknown_email_costs_one_password_check_like_a_known_one(
    web: WebClient, known: None, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    checks: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            checks.append(str(hash)[:8])
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    for email in (KNOWN, UNKNOWN):
        web.post(url, {"email": email, "password": "not the password"})

    assert len(checks) == 2
    assert all(check.startswith("$argon2") for check in checks)


def test_unknown_and_known_emails_take_about_as_long(web: WebClient, make: Any, app: Any) -> None:
    # The real hasher's cost for both: the answer's time does not tell them apart.
    assert accounts._hasher.time_cost == PasswordHasher().time_cost
    make.client(email=KNOWN)
    app.config["LOGIN_RATE_LIMIT_PER_EMAIL"] = "100 per minute"
    try:
        timings: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
        for _ in range(5):
            for email in timings:
                start = time.perf_counter()
                web.post("/login", {"email": email, "password": "not the password"})
                timings[email].append(time.perf_counter() - start)
    finally:
        app.config["LOGIN_RATE_LIMIT_PER_EMAIL"] = "5 per minute;20 per hour"

    ratio = statistics.median(timings[UNKNOWN]) / statistics.median(timings[KNOWN])
    assert 0.5 < ratio < 2, timings


def test_a_taken_email_at_account_creation_says_so_and_points_to_login(
    web: WebClient, make: Any
) -> None:
    # Decided: a client in the middle of booking must learn to log in instead (a "check your
    # email" answer would strand their held time); guessing through this form is slowed by the
    # per-IP limit on account creation (tests/web/test_rate_limits.py).
    make.client(email=KNOWN)

    response = web.post(
        "/register",
        {"name": "Someone", "email": KNOWN, "phone": "+1 555 0100", "password": "long enough pw"},
    )

    assert response.status_code == 409
    assert "An account with this email already exists. Please log in instead." in text_of(response)
