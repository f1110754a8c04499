"""The admin's "Sent mail": the outbox a page at a time, and one message."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, load_only

from core.models import OutboxMessage
from core.services.errors import NotFound

PER_PAGE = 25


@dataclass(frozen=True)
class OutboxPage:
    rows: list[OutboxMessage]  # bodies and attachments not loaded
    total: int
    page: int
    pages: int


def outbox_page(session: Session, query: str = "", page: int = 1) -> OutboxPage:
    """One page of the outbox, newest first, whose recipient or subject contains `query` (any
    case); a page past the last gives the last. Two queries, however many messages."""
    conditions = (
        [
            or_(
                OutboxMessage.to_address.icontains(query, autoescape=True),
                OutboxMessage.subject.icontains(query, autoescape=True),
            )
        ]
        if query
        else []
    )
    total = session.scalar(select(func.count(OutboxMessage.id)).where(*conditions)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        select(OutboxMessage)
        .options(
            load_only(
                OutboxMessage.kind,
                OutboxMessage.to_address,
                OutboxMessage.subject,
                OutboxMessage.status,
                OutboxMessage.attempts,
                OutboxMessage.created_at,
                OutboxMessage.sent_at,
                OutboxMessage.next_attempt_at,
                OutboxMessage.facts,
            )
        )
        .where(*conditions)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return OutboxPage(list(rows), total, page, pages)


def find_message(session: Session, message_id: int) -> OutboxMessage:
    """One outbox message. Raises NotFound."""
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound("There is no such message in the outbox.")
    return row
