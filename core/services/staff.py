"""Staff accounts and their security levels (seed 001, "Security Options"): who may log in to the
admin, and what each may do with time slots and the online booking preferences.

Only an active administrator manages accounts. Every change keeps the studio workable: at least
one active administrator (or nobody could manage accounts) and at least one active staff member
with preferences access (or nobody could change the preferences). Both are checked with the
staff who count locked, so two changes at once cannot leave nobody.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import SlotAccess, Staff, StaffRole
from core.services.accounts import MIN_PASSWORD_LENGTH, hash_password, normalize_email
from core.services.errors import BookingError, InvalidDetails, NotFound
from core.services.preferences import LastPreferencesEditor

NAME_MAX_LENGTH = 120
EMAIL_MAX_LENGTH = 254
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed from a note


class NotAdministrator(BookingError):
    status_code = 403
    default_message = "Only administrators can manage staff accounts."


class LastAdministrator(BookingError):
    status_code = 409
    default_message = (
        "The studio needs at least one active administrator: make someone else an "
        "administrator first."
    )


_LAST_EDITOR = (
    "Nobody else could change the online booking preferences: give someone else full access "
    "to them first."
)


@dataclass(frozen=True)
class StaffDetails:
    """What an administrator sets on an account."""

    name: str
    email: str
    role: StaffRole = StaffRole.STAFF
    slot_access: SlotAccess = SlotAccess.NONE
    can_edit_preferences: bool = False
    active: bool = True


@dataclass(frozen=True)
class NewStaff:
    """A created account; `password` is the generated one to pass on (shown once), else None."""

    staff: Staff
    password: str | None


def generated_password() -> str:
    """Three groups of five from an unambiguous alphabet, e.g. 'k7wqe-93hfa-tmz2p': ~74 bits."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(3))


def list_staff(session: Session) -> list[Staff]:
    """Every staff account, active ones first, then by name: one query."""
    return list(session.scalars(select(Staff).order_by(Staff.active.desc(), Staff.name, Staff.id)))


def find_staff(session: Session, staff_id: int) -> Staff:
    """The staff member with this id. Raises NotFound."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("We could not find that staff member.")
    return staff


def is_administrator(staff: Staff | None) -> bool:
    return staff is not None and staff.active and staff.role is StaffRole.ADMINISTRATOR


def _check_actor(actor: Staff) -> None:
    if not is_administrator(actor):
        raise NotAdministrator()


def _check_details(details: StaffDetails) -> None:
    errors = {}
    if not details.name.strip():
        errors["name"] = "Enter the staff member’s name."
    elif len(details.name.strip()) > NAME_MAX_LENGTH:
        errors["name"] = f"Keep the name to {NAME_MAX_LENGTH} characters."
    email = normalize_email(details.email)
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or " " in email or len(email) > EMAIL_MAX_LENGTH:
        errors["email"] = "Enter an email address, for example sam@yourstudio.com."
    if errors:
        raise InvalidDetails(errors)


def _email_taken(session: Session, email: str, other_than: int | None = None) -> bool:
    stmt = select(Staff.id).where(Staff.email == normalize_email(email))
    if other_than is not None:
        stmt = stmt.where(Staff.id != other_than)
    return session.scalar(stmt) is not None


def _email_error() -> InvalidDetails:
    return InvalidDetails({"email": "Another staff account already uses this email."})


def _apply(staff: Staff, details: StaffDetails) -> None:
    staff.name = details.name.strip()
    staff.email = normalize_email(details.email)
    staff.role = details.role
    staff.slot_access = int(details.slot_access)
    staff.can_edit_preferences = details.can_edit_preferences
    staff.active = details.active


def create_staff(
    session: Session, actor: Staff, details: StaffDetails, password: str | None = None
) -> NewStaff:
    """A new staff account with `password`, or with a generated one returned to show once.

    Raises NotAdministrator (the actor may not manage accounts) or InvalidDetails (a blank or
    malformed field, a password too short, an email another account uses, in any case).
    """
    _check_actor(actor)
    _check_details(details)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidDetails({"password": f"Use at least {MIN_PASSWORD_LENGTH} characters."})
    if _email_taken(session, details.email):
        raise _email_error()
    generated = generated_password() if password is None else None
    staff = Staff(password_hash=hash_password(password or generated or ""))
    _apply(staff, details)
    session.add(staff)
    try:
        session.commit()
    except IntegrityError:  # the same email, saved by someone else a moment ago
        session.rollback()
        raise _email_error() from None
    return NewStaff(staff, generated)


def _lock_keepers(session: Session) -> list[Staff]:
    """The active administrators and preferences editors, locked in id order."""
    return list(
        session.scalars(
            select(Staff)
            .where(
                Staff.active.is_(True),
                or_(Staff.role == StaffRole.ADMINISTRATOR, Staff.can_edit_preferences.is_(True)),
            )
            .order_by(Staff.id)
            .with_for_update()
            # Rows this session already holds (the actor) are read again, as now committed.
            .execution_options(populate_existing=True)
        )
    )


def update_staff(session: Session, actor: Staff, staff_id: int, details: StaffDetails) -> Staff:
    """The account with new details and levels; deactivated, it can no longer log in and its open
    sessions end on their next request.

    Raises NotAdministrator, NotFound, InvalidDetails (as create_staff), LastAdministrator (no
    active administrator would be left) or LastPreferencesEditor (nobody active could change
    the preferences).
    """
    _check_actor(actor)
    _check_details(details)
    keepers = _lock_keepers(session)
    try:
        # Again on the rows just locked: an actor demoted a moment ago is refused now.
        if not any(k.id == actor.id and is_administrator(k) for k in keepers):
            raise NotAdministrator()
        staff = find_staff(session, staff_id)
        if _email_taken(session, details.email, other_than=staff_id):
            raise _email_error()
        others = [k for k in keepers if k.id != staff_id]
        stays_admin = details.active and details.role is StaffRole.ADMINISTRATOR
        other_admin = any(k.role is StaffRole.ADMINISTRATOR for k in others)
        if is_administrator(staff) and not stays_admin and not other_admin:
            raise LastAdministrator()
        was_editor = staff.active and staff.can_edit_preferences
        stays_editor = details.active and details.can_edit_preferences
        if was_editor and not stays_editor and not any(k.can_edit_preferences for k in others):
            raise LastPreferencesEditor(None if staff.id == actor.id else _LAST_EDITOR)
    except BookingError:
        session.rollback()
        raise
    _apply(staff, details)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise _email_error() from None
    return staff
