"""Time slots: bookable start times on a resource, for one or more service types."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models._types import str_enum
from core.models.catalog import ServiceType
from core.models.studio import Location, Resource

# A slot lasts at most a day (the forms and core/services/slots refuse longer ones): queries
# for the slots overlapping a time rely on it to scan only a day's index entries before it.
MAX_SLOT_MINUTES = 24 * 60


class SlotState(enum.Enum):
    OPEN = "open"
    HELD = "held"  # reserved while a client logs in and pays; free again once held_until passes
    BOOKED = "booked"
    HIDDEN = "hidden"  # auto-removed because an overlapping slot was booked
    CLOSED = "closed"


slot_service_type = Table(
    "slot_service_type",
    Base.metadata,
    Column("slot_id", ForeignKey("time_slot.id", ondelete="CASCADE"), primary_key=True),
    Column("service_type_id", ForeignKey("service_type.id"), primary_key=True, index=True),
)


class TimeSlot(Base):
    __tablename__ = "time_slot"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        UniqueConstraint("resource_id", "start_at", "end_at"),
        Index("ix_time_slot_location_start", "location_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    state: Mapped[SlotState] = mapped_column(
        str_enum(SlotState, "slot_state"), default=SlotState.OPEN
    )
    hold_token: Mapped[str | None] = mapped_column(String(64), default=None)
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # HIDDEN slots: the booking whose overlapping slot hid this one (auto-remove conflicts).
    hidden_by_booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking.id", use_alter=True, name="fk_time_slot_hidden_by_booking_id_booking"),
        default=None,
    )
    # Set: the slot belongs to that organization and shows only through its deep link.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), default=None, index=True
    )
    # Staff with "Modify overridable" access (seed 001) may change this slot.
    overridable: Mapped[bool] = mapped_column(Boolean, default=False)

    resource: Mapped[Resource] = relationship()
    location: Mapped[Location] = relationship()
    service_types: Mapped[list[ServiceType]] = relationship(secondary=slot_service_type)

    def __repr__(self) -> str:
        return f"<TimeSlot {self.id} {self.start_at:%Y-%m-%d %H:%M}Z {self.state.value}>"


class LocationClosure(Base):
    """A day a location is closed: copies and the weekly job can skip it."""

    __tablename__ = "location_closure"
    __table_args__ = (UniqueConstraint("location_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    location: Mapped[Location] = relationship()


class SlotJobRun(Base):
    """One successful run of the weekly slot job (seed 001, Time Slots tab) for one target week.

    The unique week is what makes a second run, or a run on another host at the same time,
    create nothing: its insert fails and its transaction, slots included, rolls back.
    """

    __tablename__ = "slot_job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, unique=True)  # the Monday it filled
    source_week: Mapped[date] = mapped_column(Date)
    created: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text, default="")
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime)
