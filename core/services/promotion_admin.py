"""Staff editing promotions (seeds 003, 004): every field checked from plain values, the single
code of a coded promotion and the barcode id generated when left blank, and the client's
standing discount and membership. Reading (list, preview, report) is in promotion_overview."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import (
    ApplyTo,
    Client,
    DiscountKind,
    Location,
    PriceCategory,
    PriceListItem,
    Promotion,
    PromotionChannel,
    PromotionCode,
    PromotionQualifier,
    PromotionRequirement,
    Redemption,
    RequirementKind,
    Resource,
    ServiceType,
)
from core.rules import promotions as rules
from core.services.errors import InvalidDetails, NotFound
from core.services.promotion_codes import taken_codes

NAME_MAX_LENGTH = 120
EXTERNAL_ID_MAX_LENGTH = 40
MAX_REQUIREMENTS = 3
EXTERNAL_ID_FORMAT = "Use letters, digits and hyphens only, up to 40 characters."


@dataclass(frozen=True)
class QualifiedDetails:
    """Qualified items: price list categories (PriceCategory values) and price list item ids."""

    categories: tuple[str, ...] = ()
    item_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class RequirementDetails:
    kind: str  # a RequirementKind value
    minimum: int  # items, or minor units for "value"
    qualified: QualifiedDetails = QualifiedDetails()


@dataclass(frozen=True)
class PromotionDetails:
    """A promotion as staff typed it; blank `code` / `external_id` are generated."""

    name: str
    description: str = ""
    active: bool = True
    auto_apply: bool = False
    code: str = ""
    external_id: str = ""
    redeem_first_day: date | None = None
    redeem_from_time: time | None = None
    redeem_last_day: date | None = None
    redeem_until_time: time | None = None
    appointment_first_day: date | None = None
    appointment_from_time: time | None = None
    appointment_last_day: date | None = None
    appointment_until_time: time | None = None
    hours_start: time | None = None
    hours_end: time | None = None
    weekdays: tuple[int, ...] = ()
    service_type_ids: tuple[int, ...] = ()
    resource_ids: tuple[int, ...] = ()
    location_ids: tuple[int, ...] = ()
    max_uses: int | None = None
    once: bool = False
    once_per_client: bool = False
    first_appointment_only: bool = False
    new_clients_only: bool = False
    membership_required: bool = False
    channel: str = "anywhere"
    one_use_per_booking: bool = False
    combinable: bool = True
    requirements: tuple[RequirementDetails, ...] = ()
    discount_kind: str = "percent"
    percent: Decimal = Decimal(0)
    amount: int = 0
    apply_to: str = "criteria_items"
    up_to: int | None = None
    benefit: QualifiedDetails = field(default_factory=QualifiedDetails)


def find_promotion(session: Session, promotion_id: int) -> Promotion:
    """The promotion; raises NotFound."""
    promotion = session.get(Promotion, promotion_id)
    if promotion is None:
        raise NotFound("We could not find that promotion.")
    return promotion


def single_code(session: Session, promotion_id: int) -> tuple[str, int]:
    """The promotion's code when it holds exactly one (else ""), and how many codes it holds."""
    codes = list(
        session.scalars(
            select(PromotionCode.code).where(PromotionCode.promotion_id == promotion_id).limit(2)
        )
    )
    count = (
        len(codes)
        if len(codes) < 2
        else session.scalar(
            select(func.count(PromotionCode.id)).where(PromotionCode.promotion_id == promotion_id)
        )
        or 0
    )
    return (codes[0] if len(codes) == 1 else ""), count


# Checks -------------------------------------------------------------------------------------


def _window_errors(details: PromotionDetails, prefix: str, errors: dict[str, str]) -> None:
    first_day = getattr(details, f"{prefix}_first_day")
    from_time = getattr(details, f"{prefix}_from_time")
    last_day = getattr(details, f"{prefix}_last_day")
    until_time = getattr(details, f"{prefix}_until_time")
    if from_time is not None and first_day is None:
        errors[f"{prefix}_first_day"] = "Enter the first day too: a start time needs a day."
    elif until_time is not None and last_day is None:
        errors[f"{prefix}_last_day"] = "Enter the last day too: an end time needs a day."
    else:
        try:
            rules.Window(first_day, from_time, last_day, until_time)
        except ValueError:
            errors[f"{prefix}_last_day"] = "The end must come after the start."


def _enum_error(value: str, kind: type, name: str, errors: dict[str, str], what: str) -> None:
    if value not in {member.value for member in kind}:  # type: ignore[attr-defined]
        errors[name] = f"Choose one of the {what} offered."


def _missing(session: Session, model: type, ids: tuple[int, ...]) -> bool:
    if not ids:
        return False
    column = model.id  # type: ignore[attr-defined]
    found = session.scalar(select(func.count(column)).where(column.in_(set(ids))))
    return found != len(set(ids))


def _qualified_errors(
    session: Session, qualified: QualifiedDetails, name: str, errors: dict[str, str]
) -> None:
    categories = {category.value for category in PriceCategory}
    if any(c not in categories for c in qualified.categories) or _missing(
        session, PriceListItem, qualified.item_ids
    ):
        errors[name] = "Choose among the categories and price list items offered."


def check(session: Session, details: PromotionDetails) -> dict[str, str]:
    """Every problem with the details, one message per field name (empty: fine)."""
    errors: dict[str, str] = {}
    if not details.name.strip():
        errors["name"] = "Enter a name: staff see it in the list, clients on the invoice."
    elif len(details.name.strip()) > NAME_MAX_LENGTH:
        errors["name"] = f"Keep the name to {NAME_MAX_LENGTH} characters."
    if details.auto_apply and details.code.strip():
        errors["code"] = "An auto-applied promotion has no code: leave the code blank."
    elif details.code.strip() and not rules.is_well_formed(rules.normalize_code(details.code)):
        errors["code"] = rules.CODE_FORMAT
    external = details.external_id.strip()
    if external and not (
        len(external) <= EXTERNAL_ID_MAX_LENGTH
        and all(c.isascii() and (c.isalnum() or c == "-") for c in external)
    ):
        errors["external_id"] = EXTERNAL_ID_FORMAT
    _window_errors(details, "redeem", errors)
    _window_errors(details, "appointment", errors)
    if (details.hours_start is None) != (details.hours_end is None):
        errors["hours_end" if details.hours_end is None else "hours_start"] = (
            "Enter both times of the hours, or neither."
        )
    elif details.hours_start is not None and details.hours_start == details.hours_end:
        errors["hours_end"] = "The hours end at a different time than they start."
    if any(not 0 <= day <= 6 for day in details.weekdays):
        errors["weekdays"] = "Choose days of the week offered."
    if _missing(session, ServiceType, details.service_type_ids):
        errors["service_type_ids"] = "Choose among the session and appointment types offered."
    if _missing(session, Resource, details.resource_ids):
        errors["resource_ids"] = "Choose among the resources offered."
    if _missing(session, Location, details.location_ids):
        errors["location_ids"] = "Choose among the locations offered."
    if details.max_uses is not None and details.max_uses < 1:
        errors["max_uses"] = "Enter at least 1, or leave it blank for no limit."
    elif details.max_uses is not None and details.once:
        errors["max_uses"] = "Choose “once” or a number of times, not both."
    _enum_error(details.channel, PromotionChannel, "channel", errors, "channels")
    if len(details.requirements) > MAX_REQUIREMENTS:
        errors["requirements"] = f"At most {MAX_REQUIREMENTS} requirements."
    for i, requirement in enumerate(details.requirements):
        name = f"requirements-{i}"
        _enum_error(requirement.kind, RequirementKind, f"{name}-kind", errors, "requirements")
        if requirement.minimum < 1:
            errors[f"{name}-minimum"] = "Enter at least 1."
        _qualified_errors(session, requirement.qualified, f"{name}-items", errors)
    _benefit_errors(session, details, errors)
    return errors


def _benefit_errors(session: Session, details: PromotionDetails, errors: dict[str, str]) -> None:
    _enum_error(details.discount_kind, DiscountKind, "discount_kind", errors, "discounts")
    _enum_error(details.apply_to, ApplyTo, "apply_to", errors, "choices")
    if not Decimal(0) <= details.percent <= Decimal(100):
        errors["percent"] = "Enter a percentage from 0 to 100."
    if details.amount < 0:
        errors["amount"] = "Enter an amount of 0 or more."
    if details.up_to is not None and details.up_to < 1:
        errors["up_to"] = "Enter at least 1 item, or leave it blank for every item."
    if details.apply_to == ApplyTo.OTHER_ITEMS.value and not details.requirements:
        errors["apply_to"] = (
            "Add a requirement first: “different qualified items” are items other than those "
            "the requirements ask for."
        )
    _qualified_errors(session, details.benefit, "benefit_items", errors)


# Saving -------------------------------------------------------------------------------------


def _new_external_id(session: Session) -> str:
    while True:  # 10^12 ids: a clash is rare, and retried
        candidate = f"{secrets.randbelow(10**12):012d}"
        if session.scalar(select(Promotion.id).where(Promotion.external_id == candidate)) is None:
            return candidate


def _new_code(session: Session) -> str:
    while True:
        candidate = rules.generate_code()
        if not taken_codes(session, [candidate]):
            return candidate


# The fields a promotion row, its admin form and PromotionDetails share name for name and value
# for value (the rest need converting: enums, money, weekdays, links).
COPIED_FIELDS = (
    "active",
    "auto_apply",
    "redeem_first_day",
    "redeem_from_time",
    "redeem_last_day",
    "redeem_until_time",
    "appointment_first_day",
    "appointment_from_time",
    "appointment_last_day",
    "appointment_until_time",
    "hours_start",
    "hours_end",
    "max_uses",
    "once",
    "once_per_client",
    "first_appointment_only",
    "new_clients_only",
    "membership_required",
    "one_use_per_booking",
    "combinable",
    "up_to",
)
_PLAIN_FIELDS = (*COPIED_FIELDS, "percent", "amount")


def _apply(session: Session, promotion: Promotion, details: PromotionDetails) -> None:
    for name in _PLAIN_FIELDS:
        setattr(promotion, name, getattr(details, name))
    promotion.name = details.name.strip()
    promotion.description = details.description.strip()
    promotion.weekdays = "".join(str(day) for day in sorted(set(details.weekdays)))
    promotion.channel = PromotionChannel(details.channel)
    promotion.discount_kind = DiscountKind(details.discount_kind)
    promotion.apply_to = ApplyTo(details.apply_to)
    promotion.service_types = _rows(session, ServiceType, details.service_type_ids)
    promotion.resources = _rows(session, Resource, details.resource_ids)
    promotion.locations = _rows(session, Location, details.location_ids)
    if promotion.id is not None:
        session.execute(
            delete(PromotionQualifier).where(PromotionQualifier.promotion_id == promotion.id)
        )
        promotion.requirements.clear()
    session.flush()
    for position, requirement in enumerate(details.requirements):
        row = PromotionRequirement(
            promotion_id=promotion.id,
            position=position,
            kind=RequirementKind(requirement.kind),
            minimum=requirement.minimum,
        )
        promotion.requirements.append(row)
        session.flush()
        session.add_all(_qualifiers(promotion.id, row.id, requirement.qualified))
    session.add_all(_qualifiers(promotion.id, None, details.benefit))


def _rows(session: Session, model: type, ids: tuple[int, ...]) -> list:  # type: ignore[type-arg]
    if not ids:
        return []
    return list(session.scalars(select(model).where(model.id.in_(set(ids)))))  # type: ignore[attr-defined]


def _qualifiers(
    promotion_id: int, requirement_id: int | None, qualified: QualifiedDetails
) -> list[PromotionQualifier]:
    return [
        PromotionQualifier(
            promotion_id=promotion_id, requirement_id=requirement_id, category=PriceCategory(c)
        )
        for c in sorted(set(qualified.categories))
    ] + [
        PromotionQualifier(promotion_id=promotion_id, requirement_id=requirement_id, item_id=i)
        for i in sorted(set(qualified.item_ids))
    ]


def _code_and_external_id(
    session: Session, promotion: Promotion | None, details: PromotionDetails
) -> tuple[str | None, str]:
    """The code to give (None: keep the codes as they are) and the external id; raises
    InvalidDetails when either is taken, or the promotion's codes clash with auto-apply."""
    own_id = promotion.id if promotion is not None else None
    current, count = single_code(session, own_id) if own_id is not None else ("", 0)
    code = rules.normalize_code(details.code)
    if details.auto_apply:
        if count:
            raise InvalidDetails(
                {
                    "auto_apply": "Delete its codes first (Codes page): an auto-applied promotion "
                    "has no code."
                }
            )
        wanted: str | None = None
    elif count > 1 and code:
        raise InvalidDetails(
            {"code": f"This promotion holds {count} codes: manage them on its Codes page."}
        )
    elif count > 1 or (count == 1 and (not code or code == current)):
        wanted = None
    else:
        wanted = code or _new_code(session)
        if code and taken_codes(session, [code]):
            raise InvalidDetails({"code": f"{code} is already in use: choose another code."})
    external = details.external_id.strip().upper()
    if external:
        clash = session.scalar(
            select(Promotion.id).where(Promotion.external_id == external, Promotion.id != own_id)
        )
        if clash is not None:
            raise InvalidDetails({"external_id": "Another promotion has this id."})
    elif promotion is not None and promotion.external_id:
        external = promotion.external_id
    else:
        external = _new_external_id(session)
    return wanted, external


def save_promotion(
    session: Session, promotion_id: int | None, details: PromotionDetails, *, now: datetime
) -> Promotion:
    """Create (promotion_id None) or update a promotion and commit. Raises InvalidDetails with
    one message per field, or NotFound."""
    promotion = find_promotion(session, promotion_id) if promotion_id is not None else None
    errors = check(session, details)
    if errors:
        raise InvalidDetails(errors)
    code, external = _code_and_external_id(session, promotion, details)
    if promotion is None:
        promotion = Promotion(created_at=now, external_id=external, name=details.name.strip())
        session.add(promotion)
    promotion.external_id = external
    _apply(session, promotion, details)
    if code is not None:
        session.execute(delete(PromotionCode).where(PromotionCode.promotion_id == promotion.id))
        session.add(PromotionCode(promotion_id=promotion.id, code=code, created_at=now))
    try:
        session.commit()
    except IntegrityError:  # the same code or id saved by someone else at the same moment
        session.rollback()
        raise InvalidDetails({"code": "That code or id was just taken: save again."}) from None
    return promotion


def delete_promotion(session: Session, promotion_id: int) -> None:
    """Delete a promotion that no booking used; one that was used can only be switched off."""
    find_promotion(session, promotion_id)
    if session.scalar(select(Redemption.id).where(Redemption.promotion_id == promotion_id)):
        raise InvalidDetails({"active": "Bookings used this promotion: switch it off instead."})
    # Said here as well as by the foreign key: SQLite enforces ON DELETE only with a pragma.
    session.execute(delete(PromotionCode).where(PromotionCode.promotion_id == promotion_id))
    session.delete(find_promotion(session, promotion_id))
    session.commit()


# The client's standing discount (seed 003) and membership (seed 004) -------------------------


def set_client_terms(
    session: Session, client_id: int, *, standing_discount: Decimal, is_member: bool
) -> Client:
    """The client's standing discount (0-100 %) and membership; raises InvalidDetails, NotFound."""
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound("We could not find that client.")
    if not Decimal(0) <= standing_discount <= Decimal(100):
        raise InvalidDetails({"standing_discount": "Enter a percentage from 0 to 100."})
    client.standing_discount = standing_discount
    client.is_member = is_member
    session.commit()
    return client
