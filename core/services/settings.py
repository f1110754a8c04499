"""The studio's editable lists (invoice statuses, classifications, payment methods, client
statuses, lead sources, booking reasons, session and appointment statuses) and the
Invoices preferences (seed 001, Invoices tab): the defaults every new invoice gets.

List entries are retired, never deleted: invoices and payments that name one keep it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import InvoicePreferences, ListChoice, ListKind, Staff
from core.services.errors import BookingError, NotFound
from core.services.invoicing import preferences

CHOICE_MAX_LENGTH = 80
DESCRIPTION_MAX_LENGTH = 500

DEFAULT_LISTS = {
    ListKind.INVOICE_STATUS: ("Open", "Paid", "Void"),
    ListKind.INVOICE_CLASSIFICATION: ("Session fee", "Print order"),
    ListKind.PAYMENT_METHOD: ("Credit card", "Cash", "Check", "Bank transfer"),
    ListKind.CLIENT_STATUS: ("Prospect", "Client", "Client – booked online"),
    ListKind.LEAD_SOURCE: ("Google", "Instagram", "Friend or family", "Returning client"),
    ListKind.BOOKING_REASON: ("Family photos", "Holiday cards", "Gift", "Milestone"),
    ListKind.SESSION_STATUS: (
        "Session booked – online",
        "Session rescheduled – online",
        "Session cancelled – online",
    ),
    ListKind.APPOINTMENT_STATUS: (
        "Appointment booked – online",
        "Appointment rescheduled – online",
        "Appointment cancelled – online",
    ),
}
# Lists whose entries clients may be offered in the booking pages ("show online").
ONLINE_LISTS = (ListKind.LEAD_SOURCE, ListKind.BOOKING_REASON)


class InvalidChoiceName(BookingError):
    status_code = 400
    default_message = "Enter a name."


class ChoiceNameTaken(BookingError):
    status_code = 409
    default_message = "This list already has an entry with that name."


class InvalidPreference(BookingError):
    """A default that is not (or no longer) on offer; `field` names the preference."""

    status_code = 400

    def __init__(self, message: str | None = None, *, field: str) -> None:
        super().__init__(message)
        self.field = field


# Editable lists


INVOICE_LISTS = (ListKind.INVOICE_STATUS, ListKind.INVOICE_CLASSIFICATION, ListKind.PAYMENT_METHOD)


def all_lists(
    session: Session, kinds: tuple[ListKind, ...] = INVOICE_LISTS
) -> dict[ListKind, list[ListChoice]]:
    """Every entry of these lists, retired ones included, in list order (one query)."""
    lists: dict[ListKind, list[ListChoice]] = defaultdict(list)
    stmt = select(ListChoice).where(ListChoice.kind.in_(kinds))
    for choice in session.scalars(stmt.order_by(ListChoice.position, ListChoice.id)):
        lists[choice.kind].append(choice)
    return {kind: lists[kind] for kind in kinds}


def list_choices(session: Session, kind: ListKind) -> list[ListChoice]:
    """One list's entries, retired ones included, in list order."""
    stmt = select(ListChoice).where(ListChoice.kind == kind)
    return list(session.scalars(stmt.order_by(ListChoice.position, ListChoice.id)))


def find_choice(session: Session, choice_id: int) -> ListChoice:
    """The list entry with this id. Raises NotFound."""
    choice = session.get(ListChoice, choice_id)
    if choice is None:
        raise NotFound("We could not find that list entry.")
    return choice


def _clean_name(session: Session, kind: ListKind, name: str, own_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidChoiceName()
    if len(name) > CHOICE_MAX_LENGTH:
        raise InvalidChoiceName(f"Keep the name to {CHOICE_MAX_LENGTH} characters or fewer.")
    # The constraint is case-sensitive; "paid" next to "Paid" would only confuse staff.
    clash = session.scalar(
        select(ListChoice).where(
            ListChoice.kind == kind,
            func.lower(ListChoice.name) == name.lower(),
            ListChoice.id != (own_id or 0),
        )
    )
    if clash is not None:
        retired = "" if clash.active else " (retired: restore it instead)"
        raise ChoiceNameTaken(f"This list already has “{clash.name}”{retired}.")
    return name


def _commit_or_taken(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError:  # the same name saved by someone else at the same moment
        session.rollback()
        raise ChoiceNameTaken() from None


def add_choice(session: Session, kind: ListKind, name: str) -> ListChoice:
    """A new active entry at the end of the list. Raises InvalidChoiceName or ChoiceNameTaken."""
    name = _clean_name(session, kind, name)
    last = session.scalar(select(func.max(ListChoice.position)).where(ListChoice.kind == kind))
    choice = ListChoice(kind=kind, name=name, position=(last if last is not None else -1) + 1)
    session.add(choice)
    _commit_or_taken(session)
    return choice


def rename_choice(session: Session, choice_id: int, name: str) -> ListChoice:
    """The entry with a new name (invoices that name it show the new one). Raises NotFound,
    InvalidChoiceName or ChoiceNameTaken."""
    choice = find_choice(session, choice_id)
    choice.name = _clean_name(session, choice.kind, name, own_id=choice.id)
    _commit_or_taken(session)
    return choice


def set_choice_active(session: Session, choice_id: int, active: bool) -> ListChoice:
    """Retire an entry (no longer offered; rows that name it keep it) or restore it.
    Raises NotFound."""
    choice = find_choice(session, choice_id)
    choice.active = active
    session.commit()
    return choice


def set_choice_show_online(session: Session, choice_id: int, show_online: bool) -> ListChoice:
    """Offer a lead source or booking reason to clients online, or keep it for staff only.
    Raises NotFound, or InvalidChoiceName for a list that is never shown online."""
    choice = find_choice(session, choice_id)
    if choice.kind not in ONLINE_LISTS:
        raise InvalidChoiceName("Only lead sources and booking reasons are shown online.")
    choice.show_online = show_online
    session.commit()
    return choice


def move_choice(session: Session, choice_id: int, offset: int) -> ListChoice:
    """Move an entry up (offset -1) or down (+1) its list; at either end it stays put.
    Raises NotFound."""
    choice = find_choice(session, choice_id)
    entries = list_choices(session, choice.kind)
    index = entries.index(choice)
    target = min(max(index + offset, 0), len(entries) - 1)
    entries.insert(target, entries.pop(index))
    for position, entry in enumerate(entries):
        entry.position = position
    session.commit()
    return choice


def ensure_default_lists(session: Session) -> int:
    """Add the default entries (DEFAULT_LISTS) to each list that has none, retired or not;
    returns how many were added. Idempotent. Adds and flushes but does not commit: the caller's
    transaction does."""
    have = set(session.scalars(select(ListChoice.kind).distinct()))
    added = 0
    for kind, names in DEFAULT_LISTS.items():
        if kind in have:
            continue
        online = kind in ONLINE_LISTS
        session.add_all(
            ListChoice(kind=kind, name=n, position=i, show_online=online)
            for i, n in enumerate(names)
        )
        added += len(names)
    session.flush()
    return added


# Invoices preferences


@dataclass(frozen=True)
class InvoiceDefaults:
    """The Invoices preferences as staff set them; None = no default."""

    description: str = ""
    status_id: int | None = None
    classification_id: int | None = None
    sales_rep_id: int | None = None
    payment_method_id: int | None = None


def invoice_preferences(session: Session) -> InvoicePreferences:
    """The Invoices preferences (an unsaved default row before staff first save them)."""
    return preferences(session)


def active_staff(session: Session) -> list[Staff]:
    """Staff who can be the default sales rep, by name."""
    stmt = select(Staff).where(Staff.active.is_(True)).order_by(Staff.name, Staff.id)
    return list(session.scalars(stmt))


_FIELDS = {
    ListKind.INVOICE_STATUS: "status_id",
    ListKind.INVOICE_CLASSIFICATION: "classification_id",
    ListKind.PAYMENT_METHOD: "payment_method_id",
}


def _check_choice(
    session: Session, choice_id: int | None, kind: ListKind, current: int | None
) -> int | None:
    if choice_id is None or choice_id == current:  # a retired current default may stay
        return choice_id
    choice = session.get(ListChoice, choice_id)
    if choice is None or choice.kind is not kind or not choice.active:
        raise InvalidPreference("Choose one of the entries offered.", field=_FIELDS[kind])
    return choice_id


def _check_staff(session: Session, staff_id: int | None, current: int | None) -> int | None:
    if staff_id is None or staff_id == current:
        return staff_id
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise InvalidPreference("Choose one of the staff members offered.", field="sales_rep_id")
    return staff_id


def update_invoice_preferences(session: Session, defaults: InvoiceDefaults) -> InvoicePreferences:
    """Save the Invoices preferences. Each default must be an active entry of its own list (or an
    active staff member), unless it is the one already saved. Raises InvalidPreference."""
    prefs = session.scalar(select(InvoicePreferences).limit(1)) or InvoicePreferences()
    description = defaults.description.strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidPreference(
            f"Keep the description to {DESCRIPTION_MAX_LENGTH} characters or fewer.",
            field="description",
        )
    checked = {
        "default_status_id": _check_choice(
            session, defaults.status_id, ListKind.INVOICE_STATUS, prefs.default_status_id
        ),
        "default_classification_id": _check_choice(
            session,
            defaults.classification_id,
            ListKind.INVOICE_CLASSIFICATION,
            prefs.default_classification_id,
        ),
        "default_payment_method_id": _check_choice(
            session,
            defaults.payment_method_id,
            ListKind.PAYMENT_METHOD,
            prefs.default_payment_method_id,
        ),
        "default_sales_rep_id": _check_staff(
            session, defaults.sales_rep_id, prefs.default_sales_rep_id
        ),
    }
    prefs.default_description = description
    for name, value in checked.items():
        setattr(prefs, name, value)
    session.add(prefs)
    session.commit()
    return prefs
