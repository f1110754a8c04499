"""The Alembic migrations build exactly the schema the models describe, and take it down again."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import Base
from core.models import BookedVia, Booking, BookingStatus, Client
from tests.conftest import NOW, fresh_database
from tests.factories import Factory


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own, on the backend the run uses."""
    with fresh_database(tmp_path / "migrated.db", prefix="studiobook_migrate") as url:
        yield url


@pytest.fixture
def _logging_untouched() -> Iterator[None]:
    """migrations/env.py runs logging.fileConfig, which disables every other logger; undo it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    disabled = {
        name: logger.disabled
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.disabled = disabled.get(name, False)


@pytest.fixture
def migrated_app(fresh_url: str, _logging_untouched: None) -> Iterator[Any]:
    """The app on the fresh database, upgraded to the latest migration."""
    from flask_migrate import upgrade

    from web.extensions import db
    from wsgi import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_url, "TESTING": True, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def _schema_differences(app: Any) -> list[Any]:
    from web.extensions import db

    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)  # type: ignore[no-any-return]


def test_migrations_build_the_schema_the_models_describe(migrated_app: Any) -> None:
    assert _schema_differences(migrated_app) == []


def test_migrations_create_every_model_table(migrated_app: Any) -> None:
    from web.extensions import db

    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}

    assert tables == set(Base.metadata.tables)


def test_migrations_downgrade_to_an_empty_database(migrated_app: Any) -> None:
    from flask_migrate import downgrade

    from web.extensions import db

    downgrade(revision="base")

    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_the_migrated_schema_refuses_a_second_live_booking_on_a_slot(migrated_app: Any) -> None:
    # compare_metadata does not compare a partial index's WHERE clause, so check what it does.
    from web.extensions import db

    with Session(db.engine) as session:
        slot = Factory(session).slot(NOW + timedelta(days=1))
        clients = [Factory(session).client() for _ in range(3)]

        def booking(client: Client, status: BookingStatus) -> Booking:
            return Booking(
                client=client,
                slot=slot,
                service_type=slot.service_types[0],
                status=status,
                booked_via=BookedVia.STAFF,
                created_at=NOW,
            )

        session.add_all(
            [
                booking(clients[0], BookingStatus.CANCELLED),
                booking(clients[1], BookingStatus.BOOKED),
            ]
        )
        session.commit()
        session.add(booking(clients[2], BookingStatus.BOOKED))
        with pytest.raises(IntegrityError):
            session.commit()


def test_downgrading_below_unwritten_mail_fails_it_rather_than_send_it_empty(
    migrated_app: Any,
) -> None:
    from flask_migrate import downgrade
    from sqlalchemy import text

    from core.services.mail import MailContent, queue_mail, queue_unwritten
    from web.extensions import db

    with Session(db.engine) as session:
        queue_unwritten(session, kind="booking_confirmation", to="a@example.com", facts={}, now=NOW)
        queue_mail(
            session,
            kind="password_reset",
            to="b@example.com",
            content=MailContent("Hi", "x"),
            now=NOW,
        )
        session.commit()

    downgrade(revision="3c1d7e5a9b20")  # the revision before booking mails were written later

    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT to_address, status FROM outbox_message ORDER BY id"))
        assert [tuple(row) for row in rows] == [
            ("a@example.com", "failed"),
            ("b@example.com", "pending"),
        ]
