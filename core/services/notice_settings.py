"""Which staff notices a staff member gets on the home screen and which also by email (issue 7).
A kind without a NoticeSetting row: on the screen, no email."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.models import NoticeKind, NoticeSetting


@dataclass(frozen=True)
class KindInfo:
    label: str
    about: str  # when it comes


KINDS: dict[NoticeKind, KindInfo] = {
    NoticeKind.NEW_BOOKING: KindInfo("New online booking", "A client books online."),
    NoticeKind.CANCELLATION: KindInfo(
        "Cancellation", "A booking is cancelled, by the client or by staff."
    ),
    NoticeKind.FAILED_PAYMENT: KindInfo(
        "Failed online payment", "A client’s payment fails while booking online."
    ),
    NoticeKind.SLOT_JOB: KindInfo(
        "Weekly time slot job",
        "The weekly job ran or failed (only for the staff member its settings name).",
    ),
}


@dataclass(frozen=True)
class Choice:
    on_screen: bool = True
    by_email: bool = False


def settings_for(session: Session, staff_id: int) -> dict[NoticeKind, Choice]:
    """Every kind's choice for the staff member, the defaults where they chose nothing."""
    rows = session.scalars(select(NoticeSetting).where(NoticeSetting.staff_id == staff_id))
    chosen = {row.kind: Choice(row.on_screen, row.by_email) for row in rows}
    return {kind: chosen.get(kind, Choice()) for kind in KINDS}


def save_settings(session: Session, staff_id: int, choices: Mapping[NoticeKind, Choice]) -> None:
    """Keep the staff member's choices (kinds not given: the defaults) and commit."""
    session.execute(delete(NoticeSetting).where(NoticeSetting.staff_id == staff_id))
    session.add_all(
        NoticeSetting(staff_id=staff_id, kind=kind, on_screen=c.on_screen, by_email=c.by_email)
        for kind, c in choices.items()
        if c != Choice()
    )
    session.commit()
