"""Promotions (seeds 000, 003, 004): discount rules with their codes, and their uses.

A row here maps onto `core.rules.promotions.Promotion`, which decides; these tables only keep.
Redemptions are the one record of use: counts are read from them under a lock on the code (or,
for an auto-applied promotion, the promotion) row, so limits hold under concurrent bookings.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Time,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models._types import str_enum
from core.models.billing import InvoiceLine, PriceCategory, PriceListItem
from core.models.catalog import ServiceType
from core.models.studio import Location, Resource


class PromotionChannel(enum.Enum):
    ANYWHERE = "anywhere"
    ONLINE = "online"
    STUDIO = "studio"


class DiscountKind(enum.Enum):
    PERCENT = "percent"
    AMOUNT = "amount"
    FREE = "free"
    SET_PRICE = "set_price"


class ApplyTo(enum.Enum):
    CRITERIA_ITEMS = "criteria_items"
    EACH_ITEM = "each_item"
    OTHER_ITEMS = "other_items"


class RequirementKind(enum.Enum):
    ITEMS = "items"
    IDENTICAL_ITEMS = "identical_items"
    VALUE = "value"


def _link(name: str, target: str) -> Table:
    return Table(
        f"promotion_{name}",
        Base.metadata,
        Column("promotion_id", ForeignKey("promotion.id", ondelete="CASCADE"), primary_key=True),
        Column(f"{name}_id", ForeignKey(f"{target}.id"), primary_key=True, index=True),
    )


promotion_service_type = _link("service_type", "service_type")
promotion_resource = _link("resource", "resource")
promotion_location = _link("location", "location")

# myStratus promo items (seed 000): promotional price list items a service type offers by code.
service_type_promo_item = Table(
    "service_type_promo_item",
    Base.metadata,
    Column("service_type_id", ForeignKey("service_type.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", ForeignKey("price_list_item.id"), primary_key=True, index=True),
)


class Promotion(Base):
    __tablename__ = "promotion"
    __table_args__ = (
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("max_uses IS NULL OR max_uses >= 1", name="max_uses_positive"),
        CheckConstraint("up_to IS NULL OR up_to >= 1", name="up_to_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")  # staff only
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_apply: Mapped[bool] = mapped_column(Boolean, default=False)
    # The barcode / external id (seed 004); generated when left blank.
    external_id: Mapped[str] = mapped_column(String(40), unique=True)
    # Validity, in the location's wall-clock time: when the booking is made ...
    redeem_first_day: Mapped[date | None] = mapped_column(Date, default=None)
    redeem_from_time: Mapped[time | None] = mapped_column(Time, default=None)
    redeem_last_day: Mapped[date | None] = mapped_column(Date, default=None)
    redeem_until_time: Mapped[time | None] = mapped_column(Time, default=None)
    # ... and when the appointment is.
    appointment_first_day: Mapped[date | None] = mapped_column(Date, default=None)
    appointment_from_time: Mapped[time | None] = mapped_column(Time, default=None)
    appointment_last_day: Mapped[date | None] = mapped_column(Date, default=None)
    appointment_until_time: Mapped[time | None] = mapped_column(Time, default=None)
    # Time of day without a date ("happy hour"); both or neither.
    hours_start: Mapped[time | None] = mapped_column(Time, default=None)
    hours_end: Mapped[time | None] = mapped_column(Time, default=None)
    # Days of the week as digits, 0 = Monday ("56" = weekends); blank = every day.
    weekdays: Mapped[str] = mapped_column(String(7), default="")
    # Restrictions
    max_uses: Mapped[int | None] = mapped_column(Integer, default=None)  # "N times"
    once: Mapped[bool] = mapped_column(Boolean, default=False)  # "once": one booking, repeats too
    once_per_client: Mapped[bool] = mapped_column(Boolean, default=False)
    first_appointment_only: Mapped[bool] = mapped_column(Boolean, default=False)
    new_clients_only: Mapped[bool] = mapped_column(Boolean, default=False)
    membership_required: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[PromotionChannel] = mapped_column(
        str_enum(PromotionChannel, "promotion_channel"), default=PromotionChannel.ANYWHERE
    )
    one_use_per_booking: Mapped[bool] = mapped_column(Boolean, default=False)
    combinable: Mapped[bool] = mapped_column(Boolean, default=True)
    # Benefit
    discount_kind: Mapped[DiscountKind] = mapped_column(
        str_enum(DiscountKind, "promotion_discount_kind"), default=DiscountKind.PERCENT
    )
    percent: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(0))
    amount: Mapped[int] = mapped_column(Integer, default=0)  # minor units off, or the set price
    apply_to: Mapped[ApplyTo] = mapped_column(
        str_enum(ApplyTo, "promotion_apply_to"), default=ApplyTo.CRITERIA_ITEMS
    )
    up_to: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    service_types: Mapped[list[ServiceType]] = relationship(secondary=promotion_service_type)
    resources: Mapped[list[Resource]] = relationship(secondary=promotion_resource)
    locations: Mapped[list[Location]] = relationship(secondary=promotion_location)
    requirements: Mapped[list[PromotionRequirement]] = relationship(
        back_populates="promotion",
        cascade="all, delete-orphan",
        order_by="PromotionRequirement.position",
    )
    # The benefit's own qualified items (requirement_id NULL).
    benefit_qualifiers: Mapped[list[PromotionQualifier]] = relationship(
        primaryjoin="and_(PromotionQualifier.promotion_id == Promotion.id, "
        "PromotionQualifier.requirement_id.is_(None))",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<Promotion {self.id} {self.name!r}>"


class PromotionRequirement(Base):
    __tablename__ = "promotion_requirement"
    __table_args__ = (CheckConstraint("minimum >= 1", name="minimum_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(
        ForeignKey("promotion.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[RequirementKind] = mapped_column(
        str_enum(RequirementKind, "promotion_requirement_kind")
    )
    minimum: Mapped[int] = mapped_column(Integer)  # items, or minor units for VALUE

    promotion: Mapped[Promotion] = relationship(back_populates="requirements")
    qualifiers: Mapped[list[PromotionQualifier]] = relationship(
        cascade="all, delete-orphan", overlaps="benefit_qualifiers"
    )


class PromotionQualifier(Base):
    """One qualified category or item: of a requirement, or (requirement_id NULL) of the benefit."""

    __tablename__ = "promotion_qualifier"
    __table_args__ = (
        CheckConstraint("(category IS NULL) <> (item_id IS NULL)", name="category_or_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(
        ForeignKey("promotion.id", ondelete="CASCADE"), index=True
    )
    requirement_id: Mapped[int | None] = mapped_column(
        ForeignKey("promotion_requirement.id", ondelete="CASCADE"), default=None
    )
    category: Mapped[PriceCategory | None] = mapped_column(
        str_enum(PriceCategory, "qualifier_category"), default=None
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("price_list_item.id"), default=None)

    item: Mapped[PriceListItem | None] = relationship()


class PromotionCode(Base):
    """One redeemable code: stored normalized (upper case, single spaces), unique everywhere."""

    __tablename__ = "promotion_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int] = mapped_column(
        ForeignKey("promotion.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    promotion: Mapped[Promotion] = relationship()


class Redemption(Base):
    """One use of a promotion, or of a myStratus promo item (seed 000), by a booking; released
    (not deleted) when the booking is cancelled or staff take it off, so history stays and the
    use counts again."""

    __tablename__ = "redemption"
    __table_args__ = (
        CheckConstraint("discount >= 0", name="discount_not_negative"),
        CheckConstraint("uses >= 1", name="uses_positive"),
        CheckConstraint(
            "(promotion_id IS NULL) <> (promo_item_id IS NULL)", name="promotion_or_promo_item"
        ),
        # One live use of a promotion (or promo item) per booking.
        Index(
            "uq_redemption_live_booking_promotion",
            "booking_id",
            "promotion_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
        Index(
            "uq_redemption_live_booking_promo_item",
            "booking_id",
            "promo_item_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
        Index("ix_redemption_promotion_client", "promotion_id", "client_id"),
        # A limited promotion's live uses, counted at each booking: read off the index alone.
        Index(
            "ix_redemption_live_promotion",
            "promotion_id",
            postgresql_include=["uses"],
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    promotion_id: Mapped[int | None] = mapped_column(
        ForeignKey("promotion.id", ondelete="CASCADE"), default=None
    )
    # A promotional price list item typed as a code (seed 000); set instead of promotion_id.
    promo_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("price_list_item.id"), default=None, index=True
    )
    # The typed code; NULL for an auto-applied promotion or a client's standing discount. A code
    # removed by a mass delete leaves its redemptions (and their bookings) alone.
    code_id: Mapped[int | None] = mapped_column(
        ForeignKey("promotion_code.id", ondelete="SET NULL"), default=None, index=True
    )
    code: Mapped[str] = mapped_column(String(40), default="")  # as typed, kept after a delete
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    discount: Mapped[int] = mapped_column(Integer)  # minor units given
    uses: Mapped[int] = mapped_column(Integer, default=1)  # appointments, repeats included
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    promotion: Mapped[Promotion | None] = relationship()
    promo_item: Mapped[PriceListItem | None] = relationship()
    lines: Mapped[list[RedemptionLine]] = relationship(cascade="all, delete-orphan")


class RedemptionLine(Base):
    """What one redemption took off one invoice line, so taking a promotion off a booking gives
    exactly that back."""

    __tablename__ = "redemption_line"
    __table_args__ = (CheckConstraint("discount >= 0", name="discount_not_negative"),)

    redemption_id: Mapped[int] = mapped_column(
        ForeignKey("redemption.id", ondelete="CASCADE"), primary_key=True
    )
    invoice_line_id: Mapped[int] = mapped_column(
        ForeignKey("invoice_line.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    discount: Mapped[int] = mapped_column(Integer)

    # A booking's new line and its redemption are written in one flush, the line first.
    invoice_line: Mapped[InvoiceLine] = relationship()
