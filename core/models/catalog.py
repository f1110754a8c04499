"""What a client can book: session and appointment types with their online settings."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models._types import str_enum

if TYPE_CHECKING:
    from core.models.billing import ServiceTypeItem


class ServiceKind(enum.Enum):
    SESSION = "session"
    APPOINTMENT = "appointment"


class PaymentOption(enum.Enum):
    """What a client pays online when booking (seed 002, Payment Options)."""

    LISTED_AMOUNT = "listed_amount"  # a set amount, paid towards the booking's invoice
    FULL_AMOUNT = "full_amount"  # the invoice's whole total, after any promotion
    DEPOSIT = "deposit"  # a customer deposit of a set amount, applied to an invoice later


class ServiceType(Base):
    __tablename__ = "service_type"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("display_price IS NULL OR display_price >= 0", name="price_not_negative"),
        CheckConstraint(
            "payment_amount IS NULL OR payment_amount >= 0", name="payment_amount_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ServiceKind] = mapped_column(str_enum(ServiceKind, "service_kind"))
    name: Mapped[str] = mapped_column(String(120))  # internal name, staff only
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    online_name: Mapped[str] = mapped_column(String(120), default="")
    marketing_description: Mapped[str] = mapped_column(Text, default="")
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    # Informational only (seed 002): minor units, None = not shown.
    display_price: Mapped[int | None] = mapped_column(Integer, default=None)
    # Shown on the confirmation page; blank = the location's own address.
    location_address: Mapped[str] = mapped_column(Text, default="")
    # Billing (seed 002): invoice on booking, online payment and how much of it.
    auto_create_invoice: Mapped[bool] = mapped_column(Boolean, default=False)
    online_payment_required: Mapped[bool] = mapped_column(Boolean, default=False)
    payment_option: Mapped[PaymentOption | None] = mapped_column(
        str_enum(PaymentOption, "payment_option"), default=None
    )
    # The listed amount (LISTED_AMOUNT) or the deposit (DEPOSIT), in minor units.
    payment_amount: Mapped[int | None] = mapped_column(Integer, default=None)

    # Seed 002, Online Booking tabs.
    auto_remove_conflicts: Mapped[bool] = mapped_column(Boolean, default=False)
    # Promo codes may be entered when booking this type (with the kind's promo code field shown).
    accepts_promo_codes: Mapped[bool] = mapped_column(Boolean, default=True)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"), default=None)
    booked_status_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"), default=None)
    rescheduled_status_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_choice.id"), default=None
    )
    cancelled_status_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_choice.id"), default=None
    )

    items: Mapped[list[ServiceTypeItem]] = relationship(
        back_populates="service_type",
        cascade="all, delete-orphan",
        order_by="ServiceTypeItem.position",
    )

    @property
    def public_name(self) -> str:
        """The name clients see: the online name, or the internal one when none is set."""
        return self.online_name or self.name

    def __repr__(self) -> str:
        return f"<ServiceType {self.slug}>"
