"""Declarative base, constraint naming convention, the column types every model shares, the
commit of transactions that need not wait for the disk, and the statements of every request
built once (a row by its id; prebuilt writes run as Core)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    CursorResult,
    DateTime,
    Dialect,
    Executable,
    MetaData,
    Select,
    bindparam,
    create_engine,
    inspect,
    make_url,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.types import TypeDecorator

# Named constraints so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend: SQLite stores it naive, PostgreSQL as timestamptz.

    Refuses naive datetimes on the way in, so a local time can never be stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def commit_without_waiting_for_disk(session: Session) -> None:
    """Commit; on PostgreSQL without waiting for the write-ahead log to reach the disk
    (`synchronous_commit` off for this transaction only: PostgreSQL's "asynchronous commit").

    The transaction is committed and seen by everyone at once, as any other; only a crash of
    the database server in the moment before the log writer flushes it (three times
    `wal_writer_delay`, 600 ms by default) loses it, and then wholly: never half of it, and no
    later transaction that waited for the disk. Waiting costs an fsync (0.16 ms on an idle disk
    here, several milliseconds on a busy one): spared for what is cheap to lose, as a client's
    hold on a time, which a lost commit merely leaves open.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    session.commit()


def write_rows(
    session: Session,
    statement: Executable,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> CursorResult[Any]:
    """Run a prebuilt INSERT, UPDATE or DELETE, its values bound now (a list: one row each), in
    `session`'s transaction, after flushing what the session holds: what `session.execute` does
    with it, without the ORM's part, which copies the statement at every call, so its cache key
    is worked out afresh (issue 9: ~40% of such a write's CPU, at each of a booking's). For rows
    nobody reads back as objects (an UPDATE marked `synchronize_session=False`, an INSERT whose
    row is not used after), in tables the read cache does not watch: it hears of writes through
    the session's ORM events (core/services/read_cache.py)."""
    session.flush()
    return session.connection().execute(statement, values)


M = TypeVar("M")


class ById(Generic[M]):
    """`session.get(model, ident, options=options)` with its SELECT built once: `session.get`
    builds one at every call, and SQLAlchemy then works out its cache key afresh (issue 9: a
    quarter of loading the logged-in client, on every page). The session's own object, if it
    has one, as `session.get` gives it; else the row (None if there is none), loaded with
    `options`; `statement` is the SELECT, its id bound as "ident"."""

    def __init__(self, model: type[M], *options: ORMOption) -> None:
        mapper = inspect(model)
        self._mapper = mapper
        self.statement: Select[M] = (
            select(model).options(*options).where(mapper.primary_key[0] == bindparam("ident"))
        )

    def identity_key(self, ident: object) -> Any:
        return self._mapper.identity_key_from_primary_key([ident])

    def __call__(self, session: Session, ident: object) -> M | None:
        found = session.identity_map.get(self.identity_key(ident))
        if found is not None:
            return found  # type: ignore[no-any-return]
        loaded = session.execute(self.statement, {"ident": ident})
        return loaded.unique().scalar_one_or_none()


@contextmanager
def scratch_database(server_url: str, sqlite_file: Path, prefix: str) -> Iterator[str]:
    """The URL of a new empty database for tests and benchmarks: a PostgreSQL database made on
    `server_url`'s server and dropped afterwards, or, for any other URL, the SQLite file."""
    if not server_url.startswith("postgresql"):
        yield f"sqlite:///{sqlite_file}"
        return
    server = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
