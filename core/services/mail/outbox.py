"""The mail outbox: queue a message in the caller's transaction, send it after commit.

`queue_mail` adds an OutboxMessage row (its Message-ID fixed there) without committing, so the
message exists exactly when the change it tells about does; `queue_unwritten` adds one that the
sender writes before its first attempt (a booking's mails: writing them is most of the cost of
queuing them, and no part of the booking). `send_pending` claims due rows one by
one with a conditional UPDATE on `claimed_until` (two senders, on two hosts, never take the same
row; a crashed sender's claim simply runs out), sends each through a Transport and marks it sent,
or schedules the next attempt with backoff and gives up after the last one. With no transport
configured (no MAIL_URL) due rows are written and marked KEPT: the admin shows them under
"Sent mail".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol

from sqlalchemy import ColumnElement, insert, or_, select, update
from sqlalchemy.orm import Session

from core.db import write_rows
from core.models import MailStatus, OutboxMessage
from core.services.errors import BookingError

# Wait after the 1st, 2nd, ... failed attempt; the attempt after the last wait is the last one.
BACKOFF: tuple[timedelta, ...] = tuple(timedelta(minutes=m) for m in (1, 5, 30, 120, 720))
MAX_ATTEMPTS = len(BACKOFF) + 1
# How long a sender owns a claimed row: far longer than one SMTP conversation (30 s timeouts).
CLAIM_FOR = timedelta(minutes=5)
_ONE_ADDRESS = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+")
QUEUED_FLAG = "studiobook_mail_queued"  # set in session.info when a message is queued


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=REQUEST"
    data: bytes


@dataclass(frozen=True)
class MailContent:
    """A rendered message: subject and both bodies."""

    subject: str
    text: str
    html: str = ""


@dataclass(frozen=True)
class Written:
    """An unwritten message as its writer wrote it."""

    content: MailContent
    attachment: Attachment | None = None


class Unwritable(Exception):
    """What an unwritten message tells about is gone (its booking was deleted): it never will
    be written, and is marked failed with this message."""


# Writes an unwritten row (OutboxMessage.facts set) from what it names; raises Unwritable.
Writer = Callable[[Session, OutboxMessage], Written]


class TransportError(Exception):
    """The mail server refused or could not be reached; `permanent` when retrying cannot help
    (a 5xx answer such as an unknown recipient)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Deliver one message; raises TransportError."""


def message_id_domain(mail_from: str) -> str:
    """The domain Message-IDs use: the From address's, or studiobook.invalid."""
    address = parseaddr(mail_from)[1]
    return address.rpartition("@")[2] or "studiobook.invalid"


def _new_row(
    kind: str,
    to: str,
    now: datetime,
    domain: str,
    client_id: int | None,
    booking_id: int | None,
) -> dict[str, object]:
    """A new outbox row's columns, due now, but what it says. Raises ValueError for a recipient
    that is not one plain address (a header injection)."""
    if not _ONE_ADDRESS.fullmatch(to):
        raise ValueError(f"not one email address: {to!r}")
    return {
        "message_id": f"<{uuid.uuid4().hex}@{domain}>",
        "kind": kind,
        "to_address": to,
        "client_id": client_id,
        "booking_id": booking_id,
        "status": MailStatus.PENDING,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }


def queue_mail(
    session: Session,
    *,
    kind: str,
    to: str,
    content: MailContent,
    now: datetime,
    domain: str = "studiobook.invalid",
    attachment: Attachment | None = None,
    client_id: int | None = None,
    booking_id: int | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (not committed here); due now.

    Raises ValueError for a recipient that is not one plain address (a header injection).
    """
    message = OutboxMessage(**_new_row(kind, to, now, domain, client_id, booking_id))
    fill_in(message, Written(content, attachment))
    session.add(message)
    session.info[QUEUED_FLAG] = True  # the web layer wakes its sender after the commit
    return message


# A booking's message is written later and never read back by the booking: one INSERT, run as
# Core (issue 9: the unit of work's INSERT of the row cost twice as much, at every booking).
_ADD_UNWRITTEN = insert(OutboxMessage)


def queue_unwritten(
    session: Session,
    *,
    kind: str,
    to: str,
    facts: Mapping[str, object],
    now: datetime,
    domain: str = "studiobook.invalid",
    client_id: int | None = None,
    booking_id: int | None = None,
) -> None:
    """`queue_mail` for a message the sender's Writer writes before its first attempt, from what
    the row names (`booking_id`...) and `facts` (JSON: what may change before then, as it is
    now). Its subject and bodies are empty until then.

    Raises ValueError for a recipient that is not one plain address (a header injection).
    """
    row = _new_row(kind, to, now, domain, client_id, booking_id)
    row.update(subject="", text_body="", facts=dict(facts))
    write_rows(session, _ADD_UNWRITTEN, row)
    session.info[QUEUED_FLAG] = True  # the web layer wakes its sender after the commit


def fill_in(message: OutboxMessage, written: Written) -> None:
    """Put what a writer wrote into an unwritten row (not committed here)."""
    content, attachment = written.content, written.attachment
    message.subject = " ".join(content.subject.split())  # one line, whatever the template did
    message.text_body = content.text
    message.html_body = content.html
    message.attachment_name = attachment.filename if attachment else ""
    message.attachment_type = attachment.content_type if attachment else ""
    message.attachment = attachment.data if attachment else None
    message.facts = None


def as_written(session: Session, row: OutboxMessage, writer: Writer) -> tuple[OutboxMessage, str]:
    """The message as it reads: the row once written; else a copy written now with `writer`,
    not saved and still unwritten (for a page to say so), with what stopped writing it ("" if
    nothing)."""
    if not row.unwritten:
        return row, ""
    copy = OutboxMessage(**{c.key: getattr(row, c.key) for c in OutboxMessage.__mapper__.columns})
    try:
        fill_in(copy, writer(session, row))
    except Unwritable as error:
        return copy, str(error)
    copy.facts = row.facts
    return copy, ""


def build_email(row: OutboxMessage, mail_from: str) -> EmailMessage:
    """The message as sent: plain text, HTML alternative, optional attachment, fixed Message-ID."""
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = row.to_address
    email["Subject"] = row.subject
    email["Date"] = format_datetime(row.created_at)
    email["Message-ID"] = row.message_id
    email.set_content(row.text_body)
    if row.html_body:
        email.add_alternative(row.html_body, subtype="html")
    if row.attachment is not None and row.attachment_name:
        maintype, _, rest = (row.attachment_type or "application/octet-stream").partition("/")
        subtype, _, params = rest.partition(";")
        extra = dict(
            p.strip().split("=", 1) for p in params.split(";") if "=" in p
        )  # "method=REQUEST" for calendar invitations
        email.add_attachment(
            row.attachment,
            maintype=maintype,
            subtype=subtype.strip(),
            filename=row.attachment_name,
            params=extra,
        )
    return email


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0  # failed this time, another attempt is scheduled
    failed: int = 0  # gave up
    kept: int = 0  # no transport: kept in the outbox

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.kept


def _due(now: datetime, *, writes: bool = True) -> Sequence[ColumnElement[bool]]:
    """Rows a sender may take now; without a writer (`writes` False) only written ones."""
    return (
        OutboxMessage.status == MailStatus.PENDING,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
        *(() if writes else (OutboxMessage.facts.is_(None),)),
    )


def _due_ids(session: Session, conditions: Sequence[ColumnElement[bool]], limit: int) -> list[int]:
    due = session.scalars(
        select(OutboxMessage.id)
        .where(*conditions)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    session.rollback()  # end the read before claiming, so each claim is its own transaction
    return list(due)


def _claim(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    """Take one due row for CLAIM_FOR; the row if this sender won it."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, *_due(now))
        .values(claimed_until=now + CLAIM_FOR)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None  # another sender has it
    return session.get_one(OutboxMessage, message_id, populate_existing=True)


def _finish(session: Session, message_id: int, **values: object) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _give_up(session: Session, message_id: int, attempts: int, error: str) -> None:
    _finish(
        session, message_id, status=MailStatus.FAILED, attempts=attempts, last_error=error[:2000]
    )


def _written(session: Session, row: OutboxMessage, writer: Writer | None) -> str:
    """Write a claimed row if it is unwritten, and commit; what stops it ("" if nothing)."""
    if not row.unwritten:
        return ""
    assert writer is not None  # only a sender with a writer takes unwritten rows (_due)
    try:
        fill_in(row, writer(session, row))
    except Unwritable as error:
        session.rollback()
        return f"Could not write the message: {error}"
    session.commit()
    return ""


def send_pending(
    session: Session,
    transport: Transport | None,
    *,
    now: datetime,
    mail_from: str,
    limit: int = 100,
    writer: Writer | None = None,
) -> SendReport:
    """Send up to `limit` due messages, oldest first, writing unwritten ones first with
    `writer` (without one they wait for a sender that has one); returns what happened to them.

    Each row is claimed (and committed) before it is written and sent, and marked after, so a
    crash loses nothing: the claim runs out after CLAIM_FOR and the next run sends the row, with
    the same Message-ID. Errors other than TransportError and Unwritable propagate, leaving that
    row claimed.
    """
    report = SendReport()
    due = _due(now, writes=writer is not None)
    if transport is None:
        unwritten = _due_ids(session, (*due, OutboxMessage.facts.is_not(None)), limit)
        for message_id in unwritten:  # written first, so the admin can read what was kept
            if (row := _claim(session, message_id, now)) is None:
                continue
            if problem := _written(session, row, writer):
                _give_up(session, message_id, row.attempts + 1, problem)
                report.failed += 1
            else:
                _finish(session, message_id)
        result = session.execute(
            update(OutboxMessage)
            .where(*due, OutboxMessage.facts.is_(None))
            .values(status=MailStatus.KEPT)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        report.kept = result.rowcount  # type: ignore[attr-defined]
        return report
    for message_id in _due_ids(session, due, limit):
        if (row := _claim(session, message_id, now)) is None:
            continue
        attempts = row.attempts + 1
        if problem := _written(session, row, writer):
            _give_up(session, message_id, attempts, problem)
            report.failed += 1
            continue
        try:
            email = build_email(row, mail_from)
        except (ValueError, TypeError) as error:  # cannot be sent as stored: never will be
            _give_up(session, message_id, attempts, f"Could not build the message: {error}")
            report.failed += 1
            continue
        session.rollback()  # no transaction stays open during the SMTP conversation
        try:
            transport.send(email)
        except TransportError as error:
            if error.permanent or attempts >= MAX_ATTEMPTS:
                _give_up(session, message_id, attempts, str(error))
                report.failed += 1
            else:
                _finish(
                    session,
                    message_id,
                    attempts=attempts,
                    last_error=str(error)[:2000],
                    next_attempt_at=now + BACKOFF[attempts - 1],
                )
                report.retrying += 1
            continue
        _finish(
            session,
            message_id,
            status=MailStatus.SENT,
            attempts=attempts,
            sent_at=now,
            last_error="",
        )
        report.sent += 1
    return report


class NotResendable(BookingError):
    status_code = 409
    default_message = (
        "Only a message that failed, or one kept while no mail server was set up, can be sent "
        "again."
    )


def send_again(
    session: Session, message_id: int, *, now: datetime, kept_too: bool = False
) -> OutboxMessage:
    """Put a failed message (and a kept one, with `kept_too`) back in the queue, due now with
    fresh attempts, and commit. Raises NotResendable for any other message."""
    allowed = (MailStatus.FAILED, MailStatus.KEPT) if kept_too else (MailStatus.FAILED,)
    written = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(allowed))
        .values(status=MailStatus.PENDING, attempts=0, next_attempt_at=now, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise NotResendable()
    session.info[QUEUED_FLAG] = True
    session.commit()
    return session.get_one(OutboxMessage, message_id, populate_existing=True)
