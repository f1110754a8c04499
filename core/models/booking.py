"""Bookings: a client's booked session or appointment on one time slot."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models._types import new_public_id, str_enum
from core.models.catalog import ServiceType
from core.models.people import Client, Staff
from core.models.schedule import TimeSlot
from core.models.studio import Location


def _new_uid() -> str:
    return f"{uuid.uuid4().hex}@studiobook"


class BookingStatus(enum.Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"  # moved to another slot: `rescheduled_to` is the live booking


class BookedVia(enum.Enum):
    WIDGET = "widget"
    STAFF = "staff"


class Booking(Base):
    __tablename__ = "booking"
    __table_args__ = (
        # The database's own guarantee against double booking: one live booking per slot.
        Index(
            "uq_booking_live_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("time_slot.id"), index=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"))
    status: Mapped[BookingStatus] = mapped_column(
        str_enum(BookingStatus, "booking_status"), default=BookingStatus.BOOKED
    )
    description: Mapped[str] = mapped_column(Text, default="")
    booked_via: Mapped[BookedVia] = mapped_column(str_enum(BookedVia, "booked_via"))
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    notes: Mapped[str] = mapped_column(Text, default="")  # the client's notes for the studio
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"), default=None)
    # The type's booked / rescheduled / cancelled status label at the time (seed 002).
    status_label_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"), default=None)
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), default=None)
    # The calendar event (RFC 5545): one UID for the booking and the bookings it is rescheduled
    # to, and a SEQUENCE that rises with each change, so calendar apps update the same event.
    calendar_uid: Mapped[str] = mapped_column(String(64), default=_new_uid, index=True)
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Set when the reminder mail was queued: a second reminder run sends nothing again.
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The embed's `source` and UTM parameters of the page the client booked from (see Client).
    attribution: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)

    client: Mapped[Client] = relationship()
    slot: Mapped[TimeSlot] = relationship(foreign_keys=[slot_id])
    service_type: Mapped[ServiceType] = relationship()
    booked_by: Mapped[Staff | None] = relationship()

    def __repr__(self) -> str:
        return f"<Booking {self.id} slot={self.slot_id} {self.status.value}>"


class WaitlistStatus(enum.Enum):
    WAITING = "waiting"
    BOOKED = "booked"  # the client booked that day and type: no more mail
    LEFT = "left"  # the client left the list


class WaitlistEntry(Base):
    """A client waiting for a time to open up for a service type on a day at a location."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (
        # One live entry per client, type, location and day.
        Index(
            "uq_waitlist_entry_waiting",
            "client_id",
            "service_type_id",
            "location_id",
            "day",
            unique=True,
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
        Index("ix_waitlist_entry_day", "service_type_id", "location_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_type.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    day: Mapped[date] = mapped_column(Date)  # local at the location
    status: Mapped[WaitlistStatus] = mapped_column(
        str_enum(WaitlistStatus, "waitlist_status"), default=WaitlistStatus.WAITING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)  # last mail
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    client: Mapped[Client] = relationship()
    service_type: Mapped[ServiceType] = relationship()
    location: Mapped[Location] = relationship()
