"""Rows every widget page reads and staff rarely change, kept by each process between requests.

Each page of the widget read the studio and its preferences, the service type behind its link
and the studio's only location anew, each a query of its own (issue 9: three of a day's four);
each booking read its type's price list items, the questions, the staff to tell, the mail's
wording and the automatic promotions, and asked whether the client waits on the waiting list.
Staff change these rarely; clients only read them (and join a waiting list now and then).
A statement marked with `cached(stmt, key)` is answered from here instead: its rows are loaded
once, frozen (`Result.freeze`) and merged into each later session without SQL
(`merge_frozen_result(load=False)`, SQLAlchemy's own recipe for caching ORM results), so every
request still gets objects of its own session, lazy loads and all.

What is kept is never stale for longer than a notification takes:
- a flush that writes to a watched table, in any session of this process, empties the cache at
  once and again when its transaction commits; on PostgreSQL it also sends NOTIFY in its own
  transaction, so every other process (each gunicorn worker listens on a connection of its own)
  empties its cache when that transaction commits, and not at all if it rolls back;
- a process keeps nothing while its listener is not connected (before it starts, after a lost
  connection: it reconnects, and starts afresh);
- a load that overlapped a change is used but not kept (a generation count);
- a session that has written to a watched table in its transaction, or holds unflushed changes
  to watched rows, reads the database, its own changes included (every cached statement reads
  watched tables only, so changes to other rows, as a booking's, do not matter).
Only PostgreSQL has the notifications, so only PostgreSQL keeps anything: on SQLite (one process,
`make run`) every statement goes to the database, as it did before.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import psycopg
from sqlalchemy import Engine, Executable, event
from sqlalchemy.engine import Result
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.loading import merge_frozen_result

from core.db import ById
from core.models import (
    BookingQuestion,
    InvoicePreferences,
    KindPreferences,
    Location,
    MailTemplate,
    NoticeSetting,
    OnlinePreferences,
    Organization,
    PriceListItem,
    Promotion,
    PromotionQualifier,
    PromotionRequirement,
    ServiceType,
    ServiceTypeItem,
    Staff,
    Studio,
    WaitlistEntry,
    promotion_location,
    promotion_resource,
    promotion_service_type,
)
from core.models.organizations import organization_service_type

S = TypeVar("S", bound=Executable)
M = TypeVar("M")
T = TypeVar("T")
log = logging.getLogger(__name__)

CHANNEL = "studiobook_read_cache"
OPTION = "studiobook_read_cache"
MAX_ENTRIES = 256  # far more than a studio's types; a flood of unknown slugs cannot grow it
RECONNECT_SECONDS = 5.0
# The tables behind the cached statements: a write to any of them empties the cache.
WATCHED = (
    Studio,
    OnlinePreferences,
    KindPreferences,
    ServiceType,
    Location,
    Organization,
    BookingQuestion,
    MailTemplate,
    Staff,
    NoticeSetting,
    ServiceTypeItem,
    PriceListItem,
    InvoicePreferences,
    Promotion,
    PromotionRequirement,
    PromotionQualifier,
    WaitlistEntry,
)
# Rows whose collections (link tables) are kept too: an organization's types, a promotion's
# types, resources and locations.
WITH_COLLECTIONS = (Organization, Promotion)
LINK_TABLES = (
    organization_service_type,
    promotion_service_type,
    promotion_resource,
    promotion_location,
)
WATCHED_TABLES = frozenset(
    [*(model.__tablename__ for model in WATCHED), *(table.name for table in LINK_TABLES)]
)
_WROTE = "studiobook.read_cache.wrote"
_MISSING = object()
_SIDE = "studiobook.read_cache.side"


def cached(statement: S, *key: Hashable) -> S:
    """`statement`, answered from the cache under `key` (which must name everything its rows
    depend on: the statement and its parameters) where the cache may answer. The statement
    must read WATCHED tables only."""
    return statement.execution_options(**{OPTION: key})


class ReadCache:
    """One database's frozen results in this process, and the listener that keeps them fresh."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._entries: dict[Hashable, Any] = {}
        self._generation = 0
        self._listening = threading.Event()
        self._listener_pid: int | None = None

    @property
    def size(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1

    @property
    def ready(self) -> bool:
        """Whether results may be kept now: while listening. The listener starts in each
        process on first use (gunicorn's workers are forked after the app is made, and threads
        do not survive a fork)."""
        if self._listener_pid != os.getpid():
            self._start_listener()
        return self._listening.is_set()

    def wait(self, seconds: float) -> bool:
        """Whether listening, waiting up to `seconds` for the listener to connect."""
        return self.ready or self._listening.wait(seconds)

    def load(self, state: ORMExecuteState, key: Hashable) -> Result[Any]:
        entry = self._entries.get(key)
        if entry is None:
            generation = self._generation
            entry = _frozen(state)
            self._keep(generation, key, entry)
        merged = merge_frozen_result(  # type: ignore[no-untyped-call]
            state.session, state.statement, entry, load=False
        )
        return merged()  # type: ignore[no-any-return]

    def value(self, key: Hashable, work_out: Callable[[], T]) -> T:
        found = self._entries.get(key, _MISSING)
        if found is _MISSING:
            generation = self._generation
            found = work_out()
            self._keep(generation, key, found)
        return found  # type: ignore[no-any-return]

    def _keep(self, generation: int, key: Hashable, entry: Any) -> None:
        """Keep `entry` unless something changed since its loading began (`generation`)."""
        with self._lock:
            if self._generation == generation and self._listening.is_set():
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = entry

    def _start_listener(self) -> None:
        with self._lock:
            if self._listener_pid == os.getpid():
                return
            self._listener_pid = os.getpid()
            self._listening.clear()
            self._entries.clear()
        threading.Thread(target=self._listen, name="read-cache-listener", daemon=True).start()

    def _listen(self) -> None:
        pid = os.getpid()
        while self._listener_pid == pid:
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as link:
                    link.execute(f"LISTEN {CHANNEL}")
                    self._set_listening(True)
                    for notice in link.notifies():
                        if notice.payload != _sender():  # this process cleared at its commit
                            self.clear()
            except psycopg.Error as error:
                log.warning("read cache: not listening (%s); reading the database", error)
            self._set_listening(False)
            threading.Event().wait(RECONNECT_SECONDS)

    def _set_listening(self, listening: bool) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
            if listening:
                self._listening.set()
            else:
                self._listening.clear()

    def _forked(self) -> None:
        """In a new child process: nothing kept, no listener yet, and a lock no thread of the
        parent can be holding."""
        self._lock = threading.Lock()
        self._entries = {}
        self._listening = threading.Event()
        self._listener_pid = None


_by_url: dict[str, ReadCache] = {}
_by_engine: WeakKeyDictionary[Engine, ReadCache] = WeakKeyDictionary()


def _after_fork() -> None:
    for kept in _by_url.values():
        kept._forked()


os.register_at_fork(after_in_child=_after_fork)


def serve(engine: Engine) -> None:
    """Keep results read through `engine` (PostgreSQL only; any other database keeps none).
    Engines of one database share one cache and one listener per process."""
    if engine.dialect.name != "postgresql":
        return
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    _by_engine[engine] = _by_url.setdefault(conninfo, ReadCache(conninfo))


def keeps(engine: Engine, wait: float = 0.0) -> bool:
    """Whether results read through `engine` are kept now (waiting up to `wait` seconds for
    this process's listener to connect)."""
    kept = _by_engine.get(engine)
    return kept is not None and kept.wait(wait)


def size(engine: Engine) -> int:
    """How many results are kept for `engine`'s database."""
    kept = _by_engine.get(engine)
    return 0 if kept is None else kept.size


def stop(engine: Engine) -> None:
    """Read everything through `engine` from the database again."""
    _by_engine.pop(engine, None)


def get(session: Session, model: type[M], ident: Hashable) -> M | None:
    """`session.get(model, ident)` for a WATCHED model: the session's own object if it has
    one, else the row from the cache where the cache may answer (None, kept too, when there
    is no such row)."""
    by_id = _BY_ID.get(model) or _BY_ID.setdefault(model, ById(model))
    found = session.identity_map.get(by_id.identity_key(ident))
    if found is not None:
        return found  # type: ignore[no-any-return]
    one = session.execute(cached(by_id.statement, model.__name__, ident), {"ident": ident})
    return one.scalar_one_or_none()


_BY_ID: dict[type, ById[Any]] = {}  # each WATCHED model's SELECT by id, built once


def clear_all() -> None:
    """Forget everything kept in this process (after writes that bypass sessions, as tests'
    TRUNCATE between tests)."""
    for kept in _by_url.values():
        kept.clear()


def _frozen(state: ORMExecuteState) -> Any:
    """The statement's rows loaded by a session of their own on the same connection (so no
    session that goes on living holds, expires or changes the objects kept), frozen."""
    connection = state.session.connection()
    with Session(bind=connection, info={_SIDE: True}) as side:
        return side.execute(state.statement, state.parameters).freeze()


@event.listens_for(Session, "do_orm_execute")
def _answer(state: ORMExecuteState) -> Result[Any] | None:
    key = state.execution_options.get(OPTION)
    session = state.session
    if key is None or session.info.get(_SIDE):
        return None
    kept = _answering(session)
    return None if kept is None else kept.load(state, key)


def value(session: Session, key: Hashable, work_out: Callable[[], T]) -> T:
    """What `work_out()` makes of WATCHED tables read through `session` (as the promotions the
    engine weighs), kept under `key` as statements' rows are; where the cache may not answer,
    worked out afresh. Every request gets the same object: it must be immutable."""
    kept = _answering(session)
    return work_out() if kept is None else kept.value(key, work_out)


def answers(session: Session) -> bool:
    """Whether the cache answers `session` now: what is kept for it is used (PostgreSQL, its
    listener connected, and nothing watched written or pending in the session)."""
    return _answering(session) is not None


def _answering(session: Session) -> ReadCache | None:
    kept = _by_engine.get(session.get_bind())  # type: ignore[arg-type]
    if kept is None or not kept.ready or session.info.get(_WROTE) or _pending_watched(session):
        return None
    return kept


def _pending_watched(session: Session) -> bool:
    """Whether the session holds unflushed changes to watched rows (flushed only after this
    hook, they would be missed). Changes to other rows cannot change what is kept: every cached
    statement reads watched tables only."""
    return any(isinstance(row, WATCHED) for row in (*session.new, *session.deleted)) or any(
        _changed(session, row) for row in session.dirty
    )


@event.listens_for(Session, "do_orm_execute")
def _watch_statements(state: ORMExecuteState) -> None:
    """Bulk and Core writes through a session (none today) count as writes too."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            _wrote(state.session)


@event.listens_for(Session, "after_flush")
def _watch_flush(session: Session, _flush: UOWTransaction) -> None:
    if _pending_watched(session):
        _wrote(session)


def _changed(session: Session, row: object) -> bool:
    """Whether a flushed row changed what is kept: its columns, or an organization's types (a
    location that merely gained a resource did not)."""
    if not isinstance(row, WATCHED):
        return False
    return session.is_modified(row, include_collections=isinstance(row, WITH_COLLECTIONS))


def _wrote(session: Session) -> None:
    if not session.info.get(_WROTE):
        session.info[_WROTE] = True
        if session.get_bind().dialect.name == "postgresql":
            notify = "SELECT pg_notify(%(channel)s, %(sender)s)"
            session.connection().exec_driver_sql(notify, {"channel": CHANNEL, "sender": _sender()})
    clear_all()


_senders: dict[int, str] = {}


def _sender() -> str:
    """This process's name in its notifications (a forked worker is a process of its own)."""
    pid = os.getpid()
    if pid not in _senders:
        _senders[pid] = f"{pid}-{secrets.token_hex(8)}"
    return _senders[pid]


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        clear_all()  # in this process at once; the others on NOTIFY


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_WROTE, None)
