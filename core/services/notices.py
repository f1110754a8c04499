"""Notices on a staff member's admin home screen: added by jobs and services in their own
transaction, listed unread first, marked read one by one or all at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.models import NoticeKind, StaffNotice
from core.services.errors import NotFound

SHOWN = 20  # notices on the home screen at once


def add(
    session: Session,
    *,
    staff_id: int,
    kind: NoticeKind,
    title: str,
    body: str = "",
    link: str = "",
    failed: bool = False,
    now: datetime,
) -> StaffNotice:
    """Add a notice in the caller's transaction (not committed here)."""
    notice = StaffNotice(
        staff_id=staff_id,
        kind=kind,
        title=title[:200],
        body=body,
        link=link[:500],
        failed=failed,
        created_at=now,
    )
    session.add(notice)
    return notice


@dataclass(frozen=True)
class Inbox:
    unread: list[StaffNotice]  # newest first, at most SHOWN
    unread_count: int  # all of them, also those not shown


def inbox(session: Session, staff_id: int, *, limit: int = SHOWN) -> Inbox:
    """The staff member's unread notices, newest first; two queries however many there are."""
    mine = StaffNotice.staff_id == staff_id
    unread = StaffNotice.read_at.is_(None)
    shown = session.scalars(
        select(StaffNotice)
        .where(mine, unread)
        .order_by(StaffNotice.created_at.desc(), StaffNotice.id.desc())
        .limit(limit)
    )
    count = session.scalar(select(func.count(StaffNotice.id)).where(mine, unread))
    return Inbox(unread=list(shown), unread_count=count or 0)


def recent(session: Session, staff_id: int, *, limit: int = SHOWN) -> list[StaffNotice]:
    """The staff member's latest notices, read or not, newest first (one query)."""
    return list(
        session.scalars(
            select(StaffNotice)
            .where(StaffNotice.staff_id == staff_id)
            .order_by(StaffNotice.created_at.desc(), StaffNotice.id.desc())
            .limit(limit)
        )
    )


def mark_read(session: Session, *, staff_id: int, notice_id: int, now: datetime) -> None:
    """Mark one of the staff member's own notices read and commit; reading it twice is fine.
    Raises NotFound for a notice that is not theirs."""
    mine = (StaffNotice.id == notice_id, StaffNotice.staff_id == staff_id)
    written = session.execute(
        update(StaffNotice)
        .where(*mine, StaffNotice.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    changed = written.rowcount  # type: ignore[attr-defined]
    if changed != 1 and session.scalar(select(StaffNotice.id).where(*mine)) is None:
        session.rollback()
        raise NotFound("That notice does not exist.")
    session.commit()


def mark_all_read(session: Session, *, staff_id: int, now: datetime) -> int:
    """Mark every unread notice of the staff member read and commit; returns how many."""
    written = session.execute(
        update(StaffNotice)
        .where(StaffNotice.staff_id == staff_id, StaffNotice.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(written.rowcount)  # type: ignore[attr-defined]
