"""Fixtures for every layer: a real database (SQLite file, or a fresh PostgreSQL database when
DATABASE_URL points at one), a Flask-free Session for core tests, the app, and a web client."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

import core.services.payments  # noqa: F401  (registers the test-mode ledger tables)
from core.db import Base, scratch_database
from core.services import read_cache
from tests import factories
from tests.localstripe import localstripe  # noqa: F401  (a fixture, shared)

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: run with DATABASE_URL=postgresql+psycopg://... (CI does)"
    )
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)


def fresh_database(
    sqlite_file: Path, prefix: str = "studiobook_test"
) -> AbstractContextManager[str]:
    """The URL of a new empty database: a new PostgreSQL database (dropped afterwards) when
    DATABASE_URL points at a server, else the given SQLite file."""
    return scratch_database(DATABASE_URL, sqlite_file, prefix)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this test run's own: a new PostgreSQL database, or a SQLite file."""
    with fresh_database(tmp_path_factory.mktemp("db") / "test.db") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
    read_cache.clear_all()  # emptied behind the sessions' backs: as a new process would start


@pytest.fixture
def clean_db(engine: Engine) -> Iterator[Engine]:
    """An empty database for the test; emptied again after it (commits are real)."""
    yield engine
    _empty_all_tables(engine)


@pytest.fixture
def session(clean_db: Engine) -> Iterator[Session]:
    """A plain SQLAlchemy Session for core service tests: no Flask involved."""
    with Session(clean_db) as session:
        yield session


NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


class Clock:
    """A clock tests can set and move; the app reads it through app.config['CLOCK']."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def travel(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def _app(database_url: str, engine: Engine) -> Iterator[Any]:
    from web.extensions import db
    from wsgi import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "SERVER_NAME": "studio.test",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app: Any, clean_db: Engine, clock: Clock) -> Iterator[Any]:
    """The app on an empty database. No app context is pushed, so each request gets its own
    (its own `g` and session), as in production; use `with app.app_context()` where needed."""
    _app.config["CLOCK"] = clock
    from web.extensions import db, limiter

    limiter.reset()  # rate limits count per test, not across the run
    with _app.app_context():
        read_cache.keeps(db.engine, wait=10)  # on PostgreSQL: listening before the test starts
    yield _app
    _app.config.pop("CLOCK", None)


@pytest.fixture
def app_engine(app: Any) -> Engine:
    """The app's own engine (Flask-SQLAlchemy's), e.g. to count the queries a page makes."""
    from web.extensions import db

    with app.app_context():
        return db.engine  # type: ignore[no-any-return]


@pytest.fixture
def db_session(app: Any, session: Session) -> Session:
    """A plain Session on the app's database, for arranging and checking data in web tests."""
    return session


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class WebClient:
    """The Flask test client with CSRF tokens filled in from the last page, as a browser would."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.raw = app.test_client()
        self.tokens: dict[str, str] = {}

    def _area(self, url: str) -> str:
        return "admin" if url.startswith("/admin") else "widget"

    def _remember(self, url: str, response: Any) -> Any:
        if response.mimetype == "text/html":
            found = CSRF_META.search(response.get_data(as_text=True))
            if found:
                self.tokens[self._area(url)] = found.group(1)
        return response

    def get(self, url: str, **kwargs: Any) -> Any:
        return self._remember(url, self.raw.get(url, **kwargs))

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        area = self._area(url)
        if area not in self.tokens:
            self.get("/admin/login" if area == "admin" else "/book")
        data = {"csrf_token": self.tokens[area], **(data or {})}
        response = self.raw.post(url, data=data, **kwargs)
        if 300 <= response.status_code < 400:
            # A login starts a new session with a new token: a browser would read it from the
            # next page, so fetch one before the next post.
            self.tokens.pop(area, None)
        return self._remember(url, response)

    def htmx(self, url: str, target: str, **kwargs: Any) -> Any:
        headers = {"HX-Request": "true", "HX-Target": target}
        return self.raw.get(url, headers=headers, **kwargs)


@pytest.fixture
def web(app: Any) -> WebClient:
    return WebClient(app)


@pytest.fixture
def make(session: Session) -> factories.Factory:
    """`make.location(...)`, `make.slot(...)`, ...: factories committing through a plain Session."""
    return factories.Factory(session)


core_make = make


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what arrives; see tests/smtp.py."""
    from tests.smtp import SmtpServer

    with SmtpServer() as server:
        yield server
