"""Invoices for bookings: built from the service type's price list items and the Invoices
preferences, inside the caller's transaction (booking and invoice commit together)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.models import (
    Booking,
    Invoice,
    InvoiceLine,
    InvoicePreferences,
    PaymentStatus,
    PriceListItem,
    ServiceType,
    ServiceTypeItem,
)
from core.rules import invoicing
from core.rules.invoicing import Line
from core.services import per_transaction, studio_rows
from core.services.read_cache import cached


def preferences(session: Session) -> InvoicePreferences:
    """The Invoices preferences row (an unsaved default one before staff set them)."""
    return studio_rows.invoice_preferences(session) or InvoicePreferences(
        default_description="Booked online"
    )


def studio_currency(session: Session) -> str:
    studio = studio_rows.studio(session)
    return studio.currency if studio else "USD"


def lines_for(session: Session, service_type: ServiceType) -> list[Line]:
    """The invoice lines a booking of this type gets: its price list items, in order."""
    return [
        Line(
            code=entry.item.code,
            description=entry.item.name,
            category=entry.item.category.value,
            quantity=entry.quantity,
            unit_price=entry.item.price,
        )
        for entry in _items(session, service_type.id)
    ]


def _items(session: Session, service_type_id: int) -> list[ServiceTypeItem]:
    """The type's price list items, in order; read once per transaction (a booking's quote and
    its invoice both need them), on PostgreSQL kept by the process (read_cache)."""
    return per_transaction.kept(
        session,
        (ServiceTypeItem, service_type_id),
        (ServiceTypeItem, PriceListItem),
        lambda: list(
            session.scalars(
                cached(
                    select(ServiceTypeItem)
                    .options(selectinload(ServiceTypeItem.item))
                    .where(ServiceTypeItem.service_type_id == service_type_id)
                    .order_by(ServiceTypeItem.position),
                    "type items",
                    service_type_id,
                )
            )
        ),
    )


def create_invoice_for_booking(
    session: Session,
    booking: Booking,
    *,
    now: datetime,
    description: str | None = None,
    add: bool = True,
) -> Invoice:
    """Add (not commit) the booking's invoice: its type's items, the preferences' defaults.
    `add=False`: made, not added to the session (the caller prices it before it is written)."""
    prefs = preferences(session)
    invoice = Invoice(
        client_id=booking.client_id,
        booking=booking,
        currency=studio_currency(session),
        description=description if description is not None else prefs.default_description,
        status_id=prefs.default_status_id,
        classification_id=prefs.default_classification_id,
        sales_rep_id=prefs.default_sales_rep_id,
        created_at=now,
    )
    items = _items(session, booking.service_type_id)
    invoice.lines = [
        InvoiceLine(
            position=position,
            item_id=entry.item.id,
            code=entry.item.code,
            description=entry.item.name,
            category=entry.item.category,
            quantity=entry.quantity,
            unit_price=entry.item.price,
            discount=0,  # promotions add theirs before it is written
        )
        for position, entry in enumerate(items)
    ]
    if add:
        session.add(invoice)
    return invoice


@dataclass(frozen=True)
class InvoiceSummary:
    total: int
    paid: int
    refunded: int
    deposits_applied: int

    @property
    def balance(self) -> int:
        return invoicing.balance(
            lines_total=self.total,
            paid=self.paid,
            refunded=self.refunded,
            deposits_applied=self.deposits_applied,
        )


def summarize(invoice: Invoice) -> InvoiceSummary:
    """Totals read back from the invoice's rows (load lines, payments with refunds, deposits)."""
    paid = [p for p in invoice.payments if p.status is PaymentStatus.SUCCEEDED]
    return InvoiceSummary(
        total=sum(line.amount for line in invoice.lines),
        paid=sum(p.amount for p in paid),
        refunded=sum(p.refunded for p in paid),
        deposits_applied=sum(a.amount for a in invoice.deposit_applications),
    )
