"""Fixtures for the web tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import WebClient
from tests.factories import PASSWORD


@pytest.fixture
def staff_web(web: WebClient, make: Any) -> WebClient:
    """`web` with a staff member logged in (following the redirect picks up a fresh CSRF token)."""
    staff = make.staff()
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)
    return web
