"""The mail outbox: every message is a row, added in the same transaction as the change it
tells about, and sent after commit by a sender that claims rows (so two senders never send one
message twice), retries with backoff and marks each row sent or failed.

A booking's mails are added unwritten (`facts` set, subject and bodies empty): the sender writes
them before their first attempt, from the booking and the facts kept at the change, so the
wording, the calendar file and the HTML look cost the booking nothing (issue 9).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime
from core.models._types import str_enum


class MailStatus(enum.Enum):
    PENDING = "pending"  # waiting for the sender (or for its next attempt)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    KEPT = "kept"  # no MAIL_URL: kept in the outbox, readable in the admin ("Sent mail")


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID header, fixed when queued: a retry sends the same message, never a new one.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # "password_reset", "booking_confirmation"...
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    attachment_name: Mapped[str] = mapped_column(String(100), default="")
    attachment_type: Mapped[str] = mapped_column(String(100), default="")
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"), default=None)
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[MailStatus] = mapped_column(
        str_enum(MailStatus, "mail_status"), default=MailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A sender's claim: while it lies in the future no other sender touches the row.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # What writing the message needs, kept from the moment of the change (a booking mail's
    # links, calendar sequence, status); None once written, and for messages queued written.
    facts: Mapped[dict[str, object] | None] = mapped_column(JSON(none_as_null=True), default=None)

    @property
    def unwritten(self) -> bool:
        return self.facts is not None

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status.value}>"


class MailTemplate(Base):
    """A message's wording as the studio edited it; kinds without a row use the built-in one.

    The body is plain text with {{ placeholders }}; the HTML version wraps its paragraphs in the
    studio's logo and colours.
    """

    __tablename__ = "mail_template"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), default=None
    )
