"""Price list, invoices, payments, refunds and customer deposits.

Money is integer minor units. Amounts are never overwritten: an invoice's history is its lines,
the payments made towards it, the refunds of those payments and the deposits applied to it, each
a row of its own, so every balance can be read back and recomputed.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UTCDateTime
from core.models._types import new_public_id, str_enum
from core.models.booking import Booking
from core.models.catalog import ServiceType
from core.models.people import Client, Staff
from core.models.settings import ListChoice


class PriceCategory(enum.Enum):
    SESSION_FEE = "session_fee"
    PRODUCT = "product"
    PACKAGE = "package"
    SERVICE = "service"
    GIFT_CARD = "gift_card"
    MEMBERSHIP = "membership"
    PROMOTIONAL = "promotional"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class PriceListItem(Base):
    __tablename__ = "price_list_item"
    __table_args__ = (CheckConstraint("price >= 0", name="price_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The item identifier; stored upper-cased so lookups and uniqueness ignore case.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[PriceCategory] = mapped_column(str_enum(PriceCategory, "price_category"))
    price: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<PriceListItem {self.code} {self.price}>"


class ServiceTypeItem(Base):
    """A price list item added to every invoice created for a booking of the service type."""

    __tablename__ = "service_type_item"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    service_type_id: Mapped[int] = mapped_column(
        ForeignKey("service_type.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("price_list_item.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)

    service_type: Mapped[ServiceType] = relationship(back_populates="items")
    item: Mapped[PriceListItem] = relationship()


class Invoice(Base):
    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(Text, default="")
    status_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"))
    classification_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"))
    sales_rep_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship()
    booking: Mapped[Booking | None] = relationship()
    status: Mapped[ListChoice | None] = relationship(foreign_keys=[status_id])
    classification: Mapped[ListChoice | None] = relationship(foreign_keys=[classification_id])
    sales_rep: Mapped[Staff | None] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="invoice", order_by="Payment.created_at"
    )
    deposit_applications: Mapped[list[DepositApplication]] = relationship(
        back_populates="invoice", order_by="DepositApplication.created_at"
    )

    @property
    def number(self) -> str:
        return f"INV-{self.id:06d}"


class InvoiceLine(Base):
    __tablename__ = "invoice_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("discount >= 0", name="discount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("price_list_item.id"))
    # Copied from the price list when the line is made: later price changes leave it alone.
    code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200))
    category: Mapped[PriceCategory] = mapped_column(str_enum(PriceCategory, "price_category"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    discount: Mapped[int] = mapped_column(Integer, default=0)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    @property
    def amount(self) -> int:
        return max(self.quantity * self.unit_price - self.discount, 0)


class PaymentStatus(enum.Enum):
    PENDING = "pending"  # written before the processor is asked; settled by the answer or reconcile
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Payment(Base):
    """Money received: through a gateway (idempotent per attempt key) or recorded by staff."""

    __tablename__ = "payment"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus, "payment_status"))
    gateway: Mapped[str] = mapped_column(String(20))  # "test", "stripe" or "manual"
    method: Mapped[str] = mapped_column(String(80), default="")  # e.g. "Credit card"
    reference: Mapped[str] = mapped_column(String(120), default="")
    card_brand: Mapped[str] = mapped_column(String(20), default="")
    last4: Mapped[str] = mapped_column(String(4), default="")
    failure_message: Mapped[str] = mapped_column(Text, default="")
    # What the payment was for, while pending: the held slot and service type of the attempt.
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("time_slot.id"))
    service_type_id: Mapped[int | None] = mapped_column(ForeignKey("service_type.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship()
    invoice: Mapped[Invoice | None] = relationship(back_populates="payments")
    booking: Mapped[Booking | None] = relationship()
    refunds: Mapped[list[PaymentRefund]] = relationship(
        back_populates="payment", order_by="PaymentRefund.created_at"
    )

    @property
    def refunded(self) -> int:
        return sum(r.amount for r in self.refunds if r.status is PaymentStatus.SUCCEEDED)


class PaymentRefund(Base):
    """Money given back on a payment: full or part; several refunds may follow one payment."""

    __tablename__ = "payment_refund"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payment.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    amount: Mapped[int] = mapped_column(Integer)
    status: Mapped[PaymentStatus] = mapped_column(str_enum(PaymentStatus, "payment_status"))
    reference: Mapped[str] = mapped_column(String(120), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    failure_message: Mapped[str] = mapped_column(Text, default="")  # why the processor refused
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    payment: Mapped[Payment] = relationship(back_populates="refunds")


class Deposit(Base):
    """A customer deposit held for the client, applied to invoices later by staff."""

    __tablename__ = "deposit"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), unique=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"))
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship()
    payment: Mapped[Payment | None] = relationship()
    booking: Mapped[Booking | None] = relationship()
    applications: Mapped[list[DepositApplication]] = relationship(
        back_populates="deposit", order_by="DepositApplication.created_at"
    )

    @property
    def applied(self) -> int:
        return sum(a.amount for a in self.applications)

    @property
    def remaining(self) -> int:
        return self.amount - self.applied


class DepositApplication(Base):
    """Part or all of a deposit applied to an invoice by staff."""

    __tablename__ = "deposit_application"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("deposit.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    deposit: Mapped[Deposit] = relationship(back_populates="applications")
    invoice: Mapped[Invoice] = relationship(back_populates="deposit_applications")
