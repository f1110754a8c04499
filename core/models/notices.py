"""Notices on a staff member's admin home screen (seed 001: the weekly slot job's result;
later new bookings, cancellations and failed payments), each read or unread."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime
from core.models._types import str_enum


class NoticeKind(enum.Enum):
    SLOT_JOB = "slot_job"
    NEW_BOOKING = "new_booking"
    CANCELLATION = "cancellation"
    FAILED_PAYMENT = "failed_payment"


class StaffNotice(Base):
    __tablename__ = "staff_notice"
    __table_args__ = (Index("ix_staff_notice_staff_read", "staff_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, "notice_kind"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")  # a path in the admin
    failed: Mapped[bool] = mapped_column(default=False)  # shown as an error, not news
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class NoticeSetting(Base):
    """Which notices a staff member gets on the home screen, and which also by email; a kind
    without a row: on the screen, no email."""

    __tablename__ = "notice_setting"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, "notice_kind"), primary_key=True)
    on_screen: Mapped[bool] = mapped_column(Boolean, default=True)
    by_email: Mapped[bool] = mapped_column(Boolean, default=False)
