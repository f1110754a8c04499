"""Typed SQLAlchemy models, one module per part of the domain."""

from core.models.booking import BookedVia, Booking, BookingStatus
from core.models.catalog import ServiceKind, ServiceType
from core.models.people import Client, Staff
from core.models.schedule import SlotState, TimeSlot, slot_service_type
from core.models.studio import Location, Resource, Studio

__all__ = [
    "BookedVia",
    "Booking",
    "BookingStatus",
    "Client",
    "Location",
    "Resource",
    "ServiceKind",
    "ServiceType",
    "SlotState",
    "Staff",
    "Studio",
    "TimeSlot",
    "slot_service_type",
]
