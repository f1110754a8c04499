"""Typed SQLAlchemy models, one module per part of the domain."""

from core.models.billing import (
    Deposit,
    DepositApplication,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentRefund,
    PaymentStatus,
    PriceCategory,
    PriceListItem,
    ServiceTypeItem,
)
from core.models.booking import BookedVia, Booking, BookingStatus
from core.models.catalog import PaymentOption, ServiceKind, ServiceType
from core.models.people import Client, Staff
from core.models.schedule import SlotState, TimeSlot, slot_service_type
from core.models.settings import InvoicePreferences, ListChoice, ListKind
from core.models.studio import Location, Resource, Studio

__all__ = [
    "BookedVia",
    "Booking",
    "BookingStatus",
    "Client",
    "Deposit",
    "DepositApplication",
    "Invoice",
    "InvoiceLine",
    "InvoicePreferences",
    "ListChoice",
    "ListKind",
    "Location",
    "Payment",
    "PaymentOption",
    "PaymentRefund",
    "PaymentStatus",
    "PriceCategory",
    "PriceListItem",
    "Resource",
    "ServiceKind",
    "ServiceType",
    "ServiceTypeItem",
    "SlotState",
    "Staff",
    "Studio",
    "TimeSlot",
    "slot_service_type",
]
