"""Bookings: a client's booked session or appointment on one time slot."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models._types import new_public_id, str_enum
from core.models.catalog import ServiceType
from core.models.people import Client, Staff
from core.models.schedule import TimeSlot


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

    client: Mapped[Client] = relationship()
    slot: Mapped[TimeSlot] = relationship(foreign_keys=[slot_id])
    service_type: Mapped[ServiceType] = relationship()
    booked_by: Mapped[Staff | None] = relationship()

    def __repr__(self) -> str:
        return f"<Booking {self.id} slot={self.slot_id} {self.status.value}>"
