"""Staff notices: each staff member sees their own unread notices, newest first, in a fixed number
of queries, and marks one or all of them read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.models import NoticeKind
from core.services import notices
from core.services.errors import NotFound
from tests.conftest import NOW
from tests.web.helpers import count_queries


def add(session: Session, staff_id: int, title: str, minutes: int = 0) -> int:
    notice = notices.add(
        session,
        staff_id=staff_id,
        kind=NoticeKind.SLOT_JOB,
        title=title,
        now=NOW + timedelta(minutes=minutes),
    )
    session.commit()
    return notice.id


def test_a_staff_member_sees_only_their_own_unread_notices_newest_first(
    session: Session, make: Any
) -> None:
    me, other = make.staff(), make.staff()
    add(session, me.id, "older")
    add(session, me.id, "newer", minutes=5)
    add(session, other.id, "not mine")

    inbox = notices.inbox(session, me.id)

    assert [n.title for n in inbox.unread] == ["newer", "older"]
    assert inbox.unread_count == 2


def test_the_inbox_takes_two_queries_however_many_notices_there_are(
    session: Session, make: Any
) -> None:
    me = make.staff().id
    for n in range(30):
        add(session, me, f"notice {n}", minutes=n)

    with count_queries(session.get_bind()) as statements:
        inbox = notices.inbox(session, me)
        titles = [n.title for n in inbox.unread]

    assert len(statements) == 2
    assert len(titles) == notices.SHOWN and inbox.unread_count == 30


def test_a_notice_marked_read_leaves_the_inbox_but_stays_in_the_recent_list(
    session: Session, make: Any
) -> None:
    me = make.staff()
    first = add(session, me.id, "first")
    add(session, me.id, "second", minutes=1)

    notices.mark_read(session, staff_id=me.id, notice_id=first, now=NOW)
    notices.mark_read(session, staff_id=me.id, notice_id=first, now=NOW)  # twice is fine

    assert [n.title for n in notices.inbox(session, me.id).unread] == ["second"]
    assert [n.title for n in notices.recent(session, me.id)] == ["second", "first"]


def test_nobody_marks_another_staff_members_notice_read(session: Session, make: Any) -> None:
    me, other = make.staff(), make.staff()
    theirs = add(session, other.id, "theirs")

    with pytest.raises(NotFound):
        notices.mark_read(session, staff_id=me.id, notice_id=theirs, now=NOW)

    assert notices.inbox(session, other.id).unread_count == 1


def test_mark_all_read_empties_only_the_staff_members_own_inbox(
    session: Session, make: Any
) -> None:
    me, other = make.staff(), make.staff()
    add(session, me.id, "a")
    add(session, me.id, "b")
    add(session, other.id, "c")

    assert notices.mark_all_read(session, staff_id=me.id, now=NOW) == 2

    assert notices.inbox(session, me.id).unread_count == 0
    assert notices.inbox(session, other.id).unread_count == 1
