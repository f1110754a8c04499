"""Rows kept per process between requests (core/services/read_cache.py): on PostgreSQL, read
without SQL until anything changes them, in this process or in another one; never stale.

Each test serves the database through an engine of its own, so no other test's counts change."""

from __future__ import annotations

import multiprocessing
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.orm import Session

from core.models import (
    BookingQuestion,
    Client,
    FieldMode,
    NoticeKind,
    Promotion,
    ServiceKind,
    StaffNotice,
    Studio,
)
from core.services import promotions, read_cache, studio_rows
from core.services.booking_notices import Notice, notify
from core.services.errors import NotFound
from core.services.mail import templates as mail_templates
from core.services.organizations import offered_type_by_slug
from core.services.questions import questions_to_ask
from tests.conftest import NOW
from tests.services.test_promotions_store import promotion

RENAME_ELSEWHERE = """
import sys
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
import core.services.read_cache  # the writer's side: a flush that changes the studio notifies
from core.models import Studio
with Session(create_engine(sys.argv[1])) as session:
    session.scalars(select(Studio)).one().name = sys.argv[2]
    if sys.argv[3] == "commit":
        session.commit()
"""


@pytest.fixture
def served(database_url: str, clean_db: Engine) -> Iterator[Engine]:
    """An engine of its own whose results are kept, its listener connected."""
    engine = create_engine(database_url)
    read_cache.serve(engine)
    assert read_cache.keeps(engine, wait=10)
    yield engine
    read_cache.stop(engine)
    engine.dispose()


@pytest.fixture
def statements(served: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(served, "before_cursor_execute", record)
    yield seen
    event.remove(served, "before_cursor_execute", record)


def _studio_name(engine: Engine) -> str:
    with Session(engine) as session:
        studio = studio_rows.studio(session)
        assert studio is not None
        return studio.name


def _rename_in_another_process(database_url: str, name: str, *, commit: bool) -> None:
    subprocess.run(
        [sys.executable, "-c", RENAME_ELSEWHERE, database_url, name, "commit" if commit else ""],
        check=True,
        timeout=60,
    )


def _eventually(check: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.postgres
def test_the_studio_is_read_once_then_kept(served, statements, make):
    make.studio(name="Northlight")
    assert _studio_name(served) == "Northlight"
    read_once = len(statements)
    assert [_studio_name(served) for _ in range(3)] == ["Northlight"] * 3
    assert read_once == 1 and len(statements) == 1


@pytest.mark.postgres
def test_each_session_gets_objects_of_its_own_that_it_may_change(served, statements, make):
    make.studio(name="Northlight")
    with Session(served) as first, Session(served) as second:
        mine, theirs = studio_rows.studio(first), studio_rows.studio(second)
        assert mine is not theirs and mine in first and theirs in second
        mine.name = "Northlight Brooklyn"
        first.commit()  # the session that changed it empties the cache in this process at once
    assert _studio_name(served) == "Northlight Brooklyn"


@pytest.mark.postgres
def test_a_change_committed_by_another_process_is_seen_at_once(served, database_url, make):
    make.studio(name="Northlight")
    assert _studio_name(served) == "Northlight"
    _rename_in_another_process(database_url, "Northlight Brooklyn", commit=True)
    assert _eventually(lambda: _studio_name(served) == "Northlight Brooklyn")


@pytest.mark.postgres
def test_a_change_another_process_rolled_back_keeps_what_was_kept(
    served, statements, database_url, make
):
    make.studio(name="Northlight")
    assert _studio_name(served) == "Northlight"
    _rename_in_another_process(database_url, "Never saved", commit=False)
    time.sleep(0.2)  # time for a notification, had one been sent
    statements.clear()
    assert _studio_name(served) == "Northlight" and statements == []


@pytest.mark.postgres
def test_a_session_that_wrote_reads_its_own_changes_and_nobody_else_does(served, make):
    make.studio(name="Northlight")
    assert _studio_name(served) == "Northlight"
    with Session(served) as session:
        session.scalars(select(Studio)).one().name = "Mid-change"
        session.flush()  # written, not committed
        assert studio_rows.studio(session).name == "Mid-change"  # type: ignore[union-attr]
        assert _studio_name(served) == "Northlight"
        session.rollback()
    assert _studio_name(served) == "Northlight"


@pytest.mark.postgres
def test_a_lost_listener_keeps_nothing_until_it_is_back(served, statements, make):
    make.studio(name="Northlight")
    assert _studio_name(served) == "Northlight"
    with served.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%' AND datname = current_database()"
            )
        )
    assert _eventually(lambda: not read_cache.keeps(served))
    with served.begin() as writer:  # a change no notification told anyone about
        writer.execute(text("UPDATE studio SET name = 'Renamed meanwhile'"))
    assert _studio_name(served) == "Renamed meanwhile"  # read from the database
    assert read_cache.keeps(served, wait=read_cache.RECONNECT_SECONDS + 10)
    statements.clear()
    assert [_studio_name(served) for _ in range(2)] == ["Renamed meanwhile"] * 2
    assert len(statements) == 1  # kept again once listening


@pytest.mark.postgres
def test_unknown_links_are_not_kept_without_bound(served, make):
    make.studio()
    with Session(served) as session:
        for n in range(read_cache.MAX_ENTRIES + 50):
            with pytest.raises(NotFound):
                offered_type_by_slug(session, f"no-such-type-{n}", None)
    assert read_cache.size(served) <= read_cache.MAX_ENTRIES


def test_sqlite_keeps_nothing(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'one.db'}")
    read_cache.serve(engine)
    assert not read_cache.keeps(engine, wait=1)


def _in_forked_child(engine: Engine, results: Any) -> None:
    engine.dispose(close=False)  # the parent's connections stay the parent's
    kept_at_fork = read_cache.size(engine)
    listening = read_cache.keeps(engine, wait=10)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    names = [_studio_name(engine) for _ in range(2)]
    results.put((kept_at_fork, listening, names, len(seen)))


@pytest.mark.postgres
def test_a_forked_worker_starts_empty_and_listens_for_itself(served, make):
    """gunicorn forks its workers: each keeps and listens on its own, whatever its parent held."""
    make.studio(name="Northlight")
    assert _studio_name(served) == "Northlight" and read_cache.size(served) == 1
    fork = multiprocessing.get_context("fork")
    results = fork.Queue()
    child = fork.Process(target=_in_forked_child, args=(served, results))
    child.start()
    kept_at_fork, listening, names, statements = results.get(timeout=30)
    child.join(30)
    assert (kept_at_fork, listening) == (0, True)
    assert names == ["Northlight"] * 2 and statements == 1
    assert read_cache.size(served) == 1  # the parent keeps what it had


@pytest.mark.postgres
def test_unflushed_changes_to_other_rows_do_not_stop_the_cache_but_to_kept_rows_do(
    served, statements, make
):
    """A booking's session holds new rows of its own when it reads the studio's: still
    answered from the cache. A session with an unsaved change to a kept row reads it back."""
    make.studio(name="Northlight")
    assert _studio_name(served) == "Northlight"
    statements.clear()
    with Session(served) as session:
        session.add(Client(name="Ana", email="ana@example.com", password_hash="x", created_at=NOW))
        assert studio_rows.studio(session).name == "Northlight"  # type: ignore[union-attr]
        assert statements == []
        session.scalars(select(Studio)).one().name = "Unsaved"
        assert studio_rows.studio(session).name == "Unsaved"  # type: ignore[union-attr]
        session.rollback()
    assert _studio_name(served) == "Northlight"


@pytest.mark.postgres
def test_a_bookings_wording_questions_and_staff_are_kept_until_staff_change_them(
    served, statements, make
):
    """What a confirmed booking reads besides the studio's rows: the mail's wording, the
    questions clients are asked and the staff to tell. Kept; changed by staff, seen at once."""
    make.studio()
    make.staff(name="Dana", email="dana@example.com")

    def read() -> tuple[str, list[str], int]:
        with Session(served) as session:
            subject = mail_templates.wording(session, "booking_confirmation")[0]
            questions = [q.label for q in questions_to_ask(session, ServiceKind.SESSION)]
            notice = Notice(NoticeKind.NEW_BOOKING, "New online booking")
            notify(session, notice, now=NOW)
            told = len(session.scalars(select(StaffNotice)).all())
            session.rollback()
            return subject, questions, told

    first = read()
    statements.clear()
    assert read() == first
    kept_tables = re.compile(r"FROM (mail_template|booking_question|staff)\b(?!_)")
    assert not any(kept_tables.search(s) for s in statements), statements

    body = "Hello {{ client_name }}, see you on {{ date }}."
    mail_templates.save(
        make.session,
        "booking_confirmation",
        subject="See you soon",
        body=body,
        staff_id=None,
        now=NOW,
    )
    make.session.add(
        BookingQuestion(kind=ServiceKind.SESSION, label="Who is coming?", mode=FieldMode.OPTIONAL)
    )
    make.staff(name="Eli", email="eli@example.com")
    make.session.commit()
    subject, questions, told = read()
    assert subject == "See you soon"
    assert questions == [*first[1], "Who is coming?"]
    assert told == first[2] + 1 == 2


@pytest.mark.postgres
def test_the_automatic_promotions_are_kept_until_staff_change_one_or_its_types(
    served, statements, make
):
    """The engine's view of the active automatic promotions is worked out once per process;
    editing one, or only the types it is limited to (a link table), is seen at once."""
    make.studio()
    winter = promotion(make.session, auto_apply=True, name="Winter", percent=20)
    limited_to = make.service_type()

    def autos() -> list[tuple[str, tuple[int, ...]]]:
        with Session(served) as session:
            found = promotions.offers_in_play(session, client_id=None).autos
            return [(o.promotion.name, tuple(o.promotion.service_type_ids)) for o in found]

    assert autos() == [("Winter", ())]
    statements.clear()
    assert autos() == [("Winter", ())]
    assert not any("FROM promotion" in s for s in statements), statements

    winter = make.session.get(Promotion, winter.id)
    winter.service_types.append(limited_to)
    make.session.commit()
    assert autos() == [("Winter", (limited_to.id,))]
    winter.name = "Winter sale"
    make.session.commit()
    assert autos() == [("Winter sale", (limited_to.id,))]
