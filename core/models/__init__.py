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
from core.models.mail import MailStatus, OutboxMessage
from core.models.organizations import Organization, organization_service_type
from core.models.people import Client, Staff
from core.models.preferences import (
    BookingStyle,
    FieldMode,
    KindPreferences,
    LoginPattern,
    OnlinePreferences,
    StoredFile,
)
from core.models.promotions import (
    ApplyTo,
    DiscountKind,
    Promotion,
    PromotionChannel,
    PromotionCode,
    PromotionQualifier,
    PromotionRequirement,
    Redemption,
    RedemptionLine,
    RequirementKind,
    promotion_location,
    promotion_resource,
    promotion_service_type,
    service_type_promo_item,
)
from core.models.questions import AnswerType, BookingAnswer, BookingQuestion
from core.models.schedule import SlotState, TimeSlot, slot_service_type
from core.models.settings import InvoicePreferences, ListChoice, ListKind
from core.models.studio import Location, Resource, Studio

__all__ = [
    "AnswerType",
    "ApplyTo",
    "BookedVia",
    "Booking",
    "BookingAnswer",
    "BookingQuestion",
    "BookingStatus",
    "BookingStyle",
    "Client",
    "Deposit",
    "DepositApplication",
    "DiscountKind",
    "FieldMode",
    "Invoice",
    "InvoiceLine",
    "InvoicePreferences",
    "KindPreferences",
    "ListChoice",
    "ListKind",
    "Location",
    "LoginPattern",
    "MailStatus",
    "OnlinePreferences",
    "Organization",
    "OutboxMessage",
    "Payment",
    "PaymentOption",
    "PaymentRefund",
    "PaymentStatus",
    "PriceCategory",
    "PriceListItem",
    "Promotion",
    "PromotionChannel",
    "PromotionCode",
    "PromotionQualifier",
    "PromotionRequirement",
    "Redemption",
    "RedemptionLine",
    "RequirementKind",
    "Resource",
    "ServiceKind",
    "ServiceType",
    "ServiceTypeItem",
    "SlotState",
    "Staff",
    "StoredFile",
    "Studio",
    "TimeSlot",
    "organization_service_type",
    "promotion_location",
    "promotion_resource",
    "promotion_service_type",
    "service_type_promo_item",
    "slot_service_type",
]
