"""Clients (customer accounts) and staff: two separate identities."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UTCDateTime
from core.models._types import str_enum


class StaffRole(enum.Enum):
    ADMINISTRATOR = "administrator"  # manages staff accounts and their levels
    STAFF = "staff"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class SlotAccess(enum.IntEnum):
    """Security option "Scheduling Time Slots" (seed 001), each level including the ones below.

    MODIFY_OVERRIDABLE: edit, move and delete the slots marked overridable; CREATE: that, and
    create new slots (one at a time, on the calendar, copying); FULL: every slot, and delete.
    """

    NONE = 0
    MODIFY_OVERRIDABLE = 1
    CREATE = 2
    FULL = 3

    @property
    def label(self) -> str:
        return {0: "No access", 1: "Modify overridable", 2: "Create new", 3: "Full access"}[self]


class Client(Base):
    __tablename__ = "client"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Stored lower-cased and trimmed, so the unique index is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mobile: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    texting_consent: Mapped[bool] = mapped_column(Boolean, default=False)  # "May we text you?"
    # "May we email you marketing material?" unticked = Do Not Market (seed 001).
    do_not_market: Mapped[bool] = mapped_column(Boolean, default=True)
    status_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"), default=None)
    lead_source_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"), default=None)
    # True when the login was set by the studio's "Set for all existing clients now".
    login_from_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # A member of an organization (a school's student) books through its deep link.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), default=None, index=True
    )
    # A standing discount staff give the client, in percent (seed 003); used when no code is.
    standing_discount: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(0))
    # Holds a membership: "Membership required" promotions (seed 004) apply.
    is_member: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where a client who signed up online came from: the embed's `source` and the studio page's
    # UTM parameters ({"source": ..., "utm_source": ..., ...}); None for clients staff added.
    attribution: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)

    def __repr__(self) -> str:
        return f"<Client {self.id} {self.email}>"


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (CheckConstraint("slot_access BETWEEN 0 AND 3", name="slot_access_level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Security option "Preferences - Online Booking" (seed 001): no access / full access.
    can_edit_preferences: Mapped[bool] = mapped_column(Boolean, default=True)
    role: Mapped[StaffRole] = mapped_column(
        str_enum(StaffRole, "staff_role"), default=StaffRole.STAFF
    )
    # Security option "Scheduling Time Slots" (seed 001); a SlotAccess level.
    slot_access: Mapped[int] = mapped_column(Integer, default=SlotAccess.FULL)

    def __repr__(self) -> str:
        return f"<Staff {self.id} {self.email}>"
