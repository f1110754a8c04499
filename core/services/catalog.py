"""What the studio offers and where: service types (create, update, slugs, billing), locations.

Slugs are the last part of a service type's deep link, so they are validated here, once, and
their uniqueness is left to the database's unique constraint. Billing settings (seed 002) are
checked against core.rules.invoicing.due_now, the rule the widget charges by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from core.models import (
    ListChoice,
    ListKind,
    Location,
    PaymentOption,
    ServiceKind,
    ServiceType,
    ServiceTypeItem,
    StoredFile,
)
from core.rules.invoicing import BillingSetupError, DueKind, DueNow, Line, due_now, total
from core.services.errors import BookingError, NotFound
from core.services.files import store_image
from core.services.pricelist import InvalidAmount, to_amount, type_items

SLUG_MAX_LENGTH = 80
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Words the client widget uses for its own pages under /book/, so no deep link may take them.
RESERVED_SLUGS = frozenset({"checkout", "confirm", "confirmed"})


class InvalidSlug(BookingError):
    status_code = 400
    default_message = (
        "Use lowercase letters, digits and single hyphens only, for example family-portrait."
    )


class SlugTaken(BookingError):
    status_code = 409
    default_message = "Another session type already uses this slug. Please choose another one."


class InvalidServiceType(BookingError):
    status_code = 400


class InvalidTypeStatus(InvalidServiceType):
    """A booked / rescheduled / cancelled status that is not on the type's kind's list; `field`
    names it."""

    def __init__(self, message: str | None = None, *, field: str) -> None:
        super().__init__(message)
        self.field = field


# The status list each kind of type chooses its booked / rescheduled / cancelled labels from.
STATUS_LISTS = {
    ServiceKind.SESSION: ListKind.SESSION_STATUS,
    ServiceKind.APPOINTMENT: ListKind.APPOINTMENT_STATUS,
}
STATUS_FIELDS = ("booked_status_id", "rescheduled_status_id", "cancelled_status_id")


@dataclass(frozen=True)
class ServiceTypeDetails:
    """Everything staff set on a service type; `display_price` in minor units, None = not shown."""

    kind: ServiceKind
    name: str
    slug: str
    duration_minutes: int
    online: bool = False
    online_name: str = ""
    marketing_description: str = ""
    display_price: int | None = None
    location_address: str = ""
    auto_remove_conflicts: bool = False
    accepts_promo_codes: bool = True
    booked_status_id: int | None = None
    rescheduled_status_id: int | None = None
    cancelled_status_id: int | None = None


def validate_slug(slug: str) -> str:
    """The slug if it is lowercase letters, digits and single hyphens. Raises InvalidSlug."""
    if not slug:
        raise InvalidSlug("Enter a slug: it becomes the end of the online booking link.")
    if len(slug) > SLUG_MAX_LENGTH:
        raise InvalidSlug(f"Keep the slug to {SLUG_MAX_LENGTH} characters or fewer.")
    if not _SLUG.fullmatch(slug):
        raise InvalidSlug()
    if slug in RESERVED_SLUGS:
        raise InvalidSlug(
            f"“{slug}” is reserved for the booking pages. Please choose another slug."
        )
    return slug


def _check(details: ServiceTypeDetails) -> None:
    validate_slug(details.slug)
    if not details.name.strip():
        raise InvalidServiceType("Enter an internal name.")
    if details.duration_minutes <= 0:
        raise InvalidServiceType("The duration must be at least one minute.")
    if details.display_price is not None and details.display_price < 0:
        raise InvalidServiceType("The display price cannot be negative.")


def _check_statuses(
    session: Session, details: ServiceTypeDetails, current: ServiceType | None
) -> None:
    """Each status must be an active entry of the kind's list, or the one already saved."""
    kind = STATUS_LISTS[details.kind]
    for field in STATUS_FIELDS:
        choice_id = getattr(details, field)
        kept = (
            current is not None
            and current.kind is details.kind
            and choice_id == getattr(current, field)
        )
        if choice_id is None or kept:  # a retired status already saved may stay
            continue
        choice = session.get(ListChoice, choice_id)
        if choice is None or choice.kind is not kind or not choice.active:
            what = "session" if details.kind is ServiceKind.SESSION else "appointment"
            raise InvalidTypeStatus(f"Choose one of the {what} statuses offered.", field=field)


def _apply(service_type: ServiceType, details: ServiceTypeDetails) -> None:
    service_type.kind = details.kind
    service_type.name = details.name.strip()
    service_type.slug = details.slug
    service_type.duration_minutes = details.duration_minutes
    service_type.online = details.online
    service_type.online_name = details.online_name.strip()
    service_type.marketing_description = details.marketing_description.strip()
    service_type.display_price = details.display_price
    service_type.location_address = details.location_address.strip()
    service_type.auto_remove_conflicts = details.auto_remove_conflicts
    service_type.accepts_promo_codes = details.accepts_promo_codes
    for field in STATUS_FIELDS:
        setattr(service_type, field, getattr(details, field))


def _commit_or_slug_taken(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError:  # every other constraint was checked first: the slug is not unique
        session.rollback()
        raise SlugTaken() from None


def create_service_type(session: Session, details: ServiceTypeDetails) -> ServiceType:
    """A new service type. Raises InvalidSlug, InvalidServiceType (InvalidTypeStatus) or
    SlugTaken."""
    _check(details)
    _check_statuses(session, details, None)
    service_type = ServiceType()
    _apply(service_type, details)
    session.add(service_type)
    _commit_or_slug_taken(session)
    return service_type


def update_service_type(
    session: Session, service_type_id: int, details: ServiceTypeDetails
) -> ServiceType:
    """The service type with new details. Raises NotFound, InvalidSlug, InvalidServiceType
    (InvalidTypeStatus: a retired status already saved may stay while the kind does) or
    SlugTaken."""
    service_type = find_service_type(session, service_type_id)
    _check(details)
    _check_statuses(session, details, service_type)
    _apply(service_type, details)
    _commit_or_slug_taken(session)
    return service_type


def find_service_type(session: Session, service_type_id: int) -> ServiceType:
    """The service type with this id. Raises NotFound."""
    service_type = session.get(ServiceType, service_type_id)
    if service_type is None:
        raise NotFound("We could not find that session type.")
    return service_type


def all_service_types(session: Session, kind: ServiceKind | None = None) -> list[ServiceType]:
    """Every service type (or every one of `kind`), sessions first, then by internal name."""
    stmt = select(ServiceType).order_by(ServiceType.kind.desc(), ServiceType.name)
    if kind is not None:
        stmt = stmt.where(ServiceType.kind == kind)
    return list(session.scalars(stmt))


def status_choices(session: Session, kind: ServiceKind) -> list[ListChoice]:
    """The kind's status list (SESSION_STATUS or APPOINTMENT_STATUS), retired entries included,
    in list order."""
    stmt = select(ListChoice).where(ListChoice.kind == STATUS_LISTS[kind])
    return list(session.scalars(stmt.order_by(ListChoice.position, ListChoice.id)))


# Marketing image (seed 002, Online Booking 2 tab): shown with the type in the booking pages.


def set_type_image(
    session: Session, service_type_id: int, data: bytes, *, now: datetime
) -> ServiceType:
    """The service type with a new marketing image (a JPEG or PNG). Raises NotFound, or
    InvalidImage / ImageTooLarge from core.services.files."""
    service_type = find_service_type(session, service_type_id)
    service_type.image_id = store_image(session, data, now=now).id
    session.commit()
    return service_type


def remove_type_image(session: Session, service_type_id: int) -> ServiceType:
    """The service type without a marketing image (the stored file stays for old links).
    Raises NotFound."""
    service_type = find_service_type(session, service_type_id)
    service_type.image_id = None
    session.commit()
    return service_type


def image_public_ids(session: Session) -> dict[int, str]:
    """The public id of each service type's marketing image, by service type id (one query)."""
    stmt = select(ServiceType.id, StoredFile.public_id).join(
        StoredFile, StoredFile.id == ServiceType.image_id
    )
    return {row.id: row.public_id for row in session.execute(stmt)}


def all_locations(session: Session) -> list[Location]:
    """Every location by display name, with its resources loaded."""
    stmt = select(Location).options(selectinload(Location.resources))
    return list(session.scalars(stmt.order_by(Location.display_name)))


# Billing (seed 002): auto-create invoice, online payment and the payment option.


class InvalidBilling(BookingError):
    """Billing settings that cannot work together; `field` names the setting to change."""

    status_code = 400

    def __init__(self, message: str | None = None, *, field: str = "payment_option") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BillingSettings:
    """A service type's billing; `payment_amount` in currency units (listed amount or deposit)."""

    auto_create_invoice: bool = False
    online_payment_required: bool = False
    payment_option: PaymentOption | None = None
    payment_amount: Decimal | None = None


_INVOICE_PAYMENTS = (PaymentOption.LISTED_AMOUNT, PaymentOption.FULL_AMOUNT)
_SET_AMOUNTS = (PaymentOption.LISTED_AMOUNT, PaymentOption.DEPOSIT)


def _lines(entries: list[ServiceTypeItem]) -> list[Line]:
    return [
        Line(e.item.code, e.item.name, e.item.category.value, e.quantity, e.item.price)
        for e in entries
    ]


def _billing_amount(session: Session, settings: BillingSettings) -> int | None:
    """The set amount in minor units, for the options that use one (None for the others)."""
    if settings.payment_option not in _SET_AMOUNTS:
        return None
    what = "deposit" if settings.payment_option is PaymentOption.DEPOSIT else "amount to pay"
    if settings.payment_amount is None:
        raise InvalidBilling(f"Enter the {what} online.", field="payment_amount")
    try:
        amount = to_amount(session, settings.payment_amount)
    except InvalidAmount as error:
        raise InvalidBilling(str(error), field="payment_amount") from None
    if amount == 0:
        raise InvalidBilling(f"The {what} must be more than 0.", field="payment_amount")
    return amount


def update_billing(
    session: Session, service_type_id: int, settings: BillingSettings
) -> ServiceType:
    """The service type with new billing settings. Raises NotFound or InvalidBilling: online
    payment without an option, an invoice payment without auto-create invoice, or a listed amount
    or deposit that is missing or not more than 0."""
    service_type = find_service_type(session, service_type_id)
    option = settings.payment_option
    if settings.online_payment_required and option is None:
        raise InvalidBilling("Online payment is required: choose how clients pay.")
    if option in _INVOICE_PAYMENTS and not settings.auto_create_invoice:
        raise InvalidBilling(
            "An invoice payment needs “Auto-create invoice”: tick it, or choose a customer deposit."
        )
    amount = _billing_amount(session, settings)
    try:  # the rule the booking pages charge by must accept these settings too
        due_now(
            online_payment_required=settings.online_payment_required,
            payment_option=option.value if option else None,
            payment_amount=amount,
            auto_create_invoice=settings.auto_create_invoice,
            invoice_total=total(_lines(type_items(session, service_type_id))),
        )
    except BillingSetupError as error:
        raise InvalidBilling(str(error).capitalize() + ".") from None
    service_type.auto_create_invoice = settings.auto_create_invoice
    service_type.online_payment_required = settings.online_payment_required
    service_type.payment_option = option
    service_type.payment_amount = amount
    session.commit()
    return service_type


@dataclass(frozen=True)
class BillingSummary:
    """What a booking of the type is billed, before any promotion, and what is paid online."""

    auto_create_invoice: bool
    invoice_total: int
    display_price: int | None
    payment_amount: int | None
    due: DueNow | None  # None when the stored settings cannot work
    problem: str  # why they cannot ("" when they can)

    @property
    def display_price_differs(self) -> bool:
        """Clients are shown one price and invoiced another (seed 002: keep them equal)."""
        return (
            self.auto_create_invoice
            and self.display_price is not None
            and self.display_price != self.invoice_total
        )

    @property
    def listed_amount_capped(self) -> bool:
        """The listed amount is more than the invoice, so clients pay only the invoice total."""
        return (
            self.due is not None
            and self.payment_amount is not None
            and self.due.kind is DueKind.INVOICE
            and self.due.amount < self.payment_amount
        )


def billing_summary(service_type: ServiceType, entries: list[ServiceTypeItem]) -> BillingSummary:
    """The summary for `service_type` with its items `entries` (see pricelist.type_items)."""
    invoice_total = total(_lines(entries))
    option = service_type.payment_option
    try:
        due: DueNow | None = due_now(
            online_payment_required=service_type.online_payment_required,
            payment_option=option.value if option else None,
            payment_amount=service_type.payment_amount,
            auto_create_invoice=service_type.auto_create_invoice,
            invoice_total=invoice_total,
        )
        problem = ""
    except BillingSetupError as error:
        due, problem = None, str(error).capitalize() + "."
    return BillingSummary(
        auto_create_invoice=service_type.auto_create_invoice,
        invoice_total=invoice_total,
        display_price=service_type.display_price,
        payment_amount=service_type.payment_amount,
        due=due,
        problem=problem,
    )
