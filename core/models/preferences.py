"""The studio's online booking preferences (seed 001, the preference tabs), and uploaded files.

One `OnlinePreferences` row for the studio-wide tabs; one `KindPreferences` row per kind
(sessions, appointments) for the Sessions and Appointments tabs.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models._types import new_public_id, str_enum
from core.models.catalog import ServiceKind
from core.models.people import Staff


class FieldMode(enum.Enum):
    """How a form field shows to clients: the seed's Hidden / Required checkboxes."""

    HIDDEN = "hidden"
    OPTIONAL = "optional"
    REQUIRED = "required"


class BookingStyle(enum.Enum):
    LINK = "link"  # clients follow a link to our pages; a redirect URL leads back
    IFRAME = "iframe"  # the widget is embedded in the studio's own site


class LoginPattern(enum.Enum):
    """What "Set for all existing clients now" uses as the default username and password."""

    EMAIL_AND_PHONE = "email_phone"  # username: email; password: the phone's digits
    EMAIL_AND_RANDOM = "email_random"  # username: email; password: generated, shown to staff


class StoredFile(Base):
    """An uploaded image (logo, marketing image), kept in the database so every host serves it."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _mode_column(name: str, default: FieldMode) -> Mapped[FieldMode]:
    # One enum name per column: each gets its own CHECK constraint name.
    return mapped_column(str_enum(FieldMode, name), default=default)


class OnlinePreferences(Base):
    __tablename__ = "online_preferences"
    __table_args__ = (
        CheckConstraint("colour_accent IS NULL OR length(colour_accent) = 7", name="accent_hex"),
        # The studio has one set of preferences: a second row cannot exist.
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("slot_job_weekday BETWEEN 0 AND 6", name="slot_job_weekday_range"),
        CheckConstraint(
            "reminder_hours IS NULL OR reminder_hours BETWEEN 1 AND 720",
            name="reminder_hours_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    # Activation
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # General
    style: Mapped[BookingStyle] = mapped_column(
        str_enum(BookingStyle, "booking_style"), default=BookingStyle.IFRAME
    )
    redirect_url: Mapped[str] = mapped_column(String(500), default="")
    login_pattern: Mapped[LoginPattern] = mapped_column(
        str_enum(LoginPattern, "login_pattern"), default=LoginPattern.EMAIL_AND_PHONE
    )
    # Logo
    show_logo: Mapped[bool] = mapped_column(Boolean, default=False)
    logo_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"), default=None)
    # Clients
    disable_new_accounts: Mapped[bool] = mapped_column(Boolean, default=False)
    new_client_status_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"))
    new_client_lead_source_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"))
    ask_lead_source: Mapped[bool] = mapped_column(Boolean, default=False)
    phone_mode: Mapped[FieldMode] = _mode_column("phone_mode", FieldMode.OPTIONAL)
    mobile_mode: Mapped[FieldMode] = _mode_column("mobile_mode", FieldMode.HIDDEN)
    address_mode: Mapped[FieldMode] = _mode_column("address_mode", FieldMode.HIDDEN)
    texting_consent_mode: Mapped[FieldMode] = _mode_column("texting_consent_mode", FieldMode.HIDDEN)
    marketing_consent_mode: Mapped[FieldMode] = _mode_column(
        "marketing_consent_mode", FieldMode.OPTIONAL
    )
    # Customization: "#rrggbb" or None for the default
    colour_accent: Mapped[str | None] = mapped_column(String(7), default=None)
    colour_background: Mapped[str | None] = mapped_column(String(7), default=None)
    colour_text: Mapped[str | None] = mapped_column(String(7), default=None)
    # Promotions go to the most expensive qualifying item first (seed 004's studio setting).
    promotions_highest_first: Mapped[bool] = mapped_column(Boolean, default=False)
    # Time Slots: the weekly job copies the source (template) week into the next week not yet
    # filled, from the first target week on, when run on its weekday.
    slot_job_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    slot_job_source_week: Mapped[date | None] = mapped_column(Date, default=None)  # a Monday
    slot_job_first_week: Mapped[date | None] = mapped_column(Date, default=None)  # a Monday
    slot_job_weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday
    slot_job_skip_booked: Mapped[bool] = mapped_column(Boolean, default=True)
    slot_job_skip_closed: Mapped[bool] = mapped_column(Boolean, default=True)
    slot_job_notify_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), default=None
    )
    slot_job_email: Mapped[str] = mapped_column(String(254), default="")
    # Reminder mails go this many hours before the appointment; None: no reminders.
    reminder_hours: Mapped[int | None] = mapped_column(Integer, default=24)
    # Sites allowed to frame the widget (CSP frame-ancestors), origins separated by spaces, e.g.
    # "https://studio.example https://www.studio.example"; None: the WIDGET_FRAME_ANCESTORS config.
    frame_ancestors: Mapped[str | None] = mapped_column(Text, default=None)

    logo: Mapped[StoredFile | None] = relationship()
    slot_job_notify_staff: Mapped[Staff | None] = relationship()


class KindPreferences(Base):
    """The Sessions tab or the Appointments tab."""

    __tablename__ = "kind_preferences"
    __table_args__ = (
        CheckConstraint(
            "(notice_book_minutes IS NULL OR notice_book_minutes >= 0) AND "
            "(notice_reschedule_minutes IS NULL OR notice_reschedule_minutes >= 0) AND "
            "(notice_cancel_minutes IS NULL OR notice_cancel_minutes >= 0)",
            name="notice_not_negative",
        ),
    )

    kind: Mapped[ServiceKind] = mapped_column(
        str_enum(ServiceKind, "service_kind"), primary_key=True
    )
    default_description: Mapped[str] = mapped_column(Text, default="")
    default_booker_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    notes_mode: Mapped[FieldMode] = _mode_column("notes_mode", FieldMode.OPTIONAL)
    # The promo code field (seed 000): hidden until the studio un-hides it.
    promo_code_mode: Mapped[FieldMode] = _mode_column("promo_code_mode", FieldMode.HIDDEN)
    # Scheduling limits; None = no limit (the seed: "leave that box blank").
    notice_book_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    notice_reschedule_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    notice_cancel_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    ask_booking_reason: Mapped[bool] = mapped_column(Boolean, default=False)

    default_booker: Mapped[Staff | None] = relationship()
