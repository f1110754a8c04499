"""Studio-editable lists (invoice statuses, classifications, payment methods) and the Invoices
preferences (seed 001, Invoices tab)."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models._types import str_enum
from core.models.people import Staff


class ListKind(enum.Enum):
    INVOICE_STATUS = "invoice_status"
    INVOICE_CLASSIFICATION = "invoice_class"
    PAYMENT_METHOD = "payment_method"
    CLIENT_STATUS = "client_status"
    LEAD_SOURCE = "lead_source"  # "How did you hear about us?"
    BOOKING_REASON = "booking_reason"  # "Why are you booking?" (the seeds' session promotions)
    SESSION_STATUS = "session_status"  # booked / rescheduled / cancelled labels for sessions
    APPOINTMENT_STATUS = "appt_status"  # ... and for appointments


class ListChoice(Base):
    """One entry of a studio-editable list; retired entries stay for the rows that name them."""

    __tablename__ = "list_choice"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ListKind] = mapped_column(str_enum(ListKind, "list_kind"))
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Lead sources and booking reasons: offered to clients online only when set.
    show_online: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<ListChoice {self.kind.value}:{self.name}>"


class InvoicePreferences(Base):
    """Defaults for invoices and payments created by online booking (one row)."""

    __tablename__ = "invoice_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    default_description: Mapped[str] = mapped_column(Text, default="Booked online")
    default_status_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"))
    default_classification_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"))
    default_sales_rep_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    default_payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("list_choice.id"))

    default_status: Mapped[ListChoice | None] = relationship(foreign_keys=[default_status_id])
    default_classification: Mapped[ListChoice | None] = relationship(
        foreign_keys=[default_classification_id]
    )
    default_sales_rep: Mapped[Staff | None] = relationship()
    default_payment_method: Mapped[ListChoice | None] = relationship(
        foreign_keys=[default_payment_method_id]
    )
