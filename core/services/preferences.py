"""Reading the studio's online booking preferences; defaults until staff save them.

Writers (the admin's tabs) add their update functions here, each validating its own tab.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from core.models import (
    BookingStyle,
    FieldMode,
    KindPreferences,
    ListChoice,
    ListKind,
    Location,
    LoginPattern,
    OnlinePreferences,
    ServiceKind,
    Staff,
)
from core.services import files, studio_rows
from core.services.errors import BookingError
from core.services.settings import InvalidPreference

# Read once per transaction (studio_rows): every widget request and every booking reads them.
online_preferences = studio_rows.online_preferences
kind_preferences = studio_rows.kind_preferences
with_defaults = studio_rows.with_defaults


# Writers, one per tab. Each validates its own tab and commits.

URL_MAX_LENGTH = 500
DISPLAY_NAME_MAX_LENGTH = 120
REMINDER_HOURS_MIN, REMINDER_HOURS_MAX = 1, 720  # the column's check constraint
DESCRIPTION_MAX_LENGTH = 500
NOTICE_MAX_MINUTES = 365 * 24 * 60  # a year: anything longer is a typo
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


class LastPreferencesEditor(BookingError):
    status_code = 409
    default_message = (
        "You are the only staff member who can change preferences: give someone else full "
        "access first."
    )


def _save(session: Session, prefs: OnlinePreferences | KindPreferences) -> None:
    """Commit the tab; the first save of a defaults row inserts it."""
    session.add(prefs)
    session.commit()


def set_active(session: Session, active: bool) -> OnlinePreferences:
    """Turn online booking on or off; off, clients see an "online booking is not available"
    page."""
    prefs = online_preferences(session)
    prefs.active = active
    _save(session, prefs)
    return prefs


# General


@dataclass(frozen=True)
class GeneralSettings:
    style: BookingStyle
    redirect_url: str
    login_pattern: LoginPattern
    display_names: dict[int, str] = field(default_factory=dict)  # location id -> display name
    reminder_hours: int | None = 24  # the reminder mail, hours before; None: none


def set_promotion_order(session: Session, highest_first: bool) -> OnlinePreferences:
    """Apply promotions to the most expensive qualifying items first instead of the cheapest
    (seed 004, "Apply Promotions in Order of Highest to Lowest Item Cost")."""
    prefs = online_preferences(session)
    prefs.promotions_highest_first = highest_first
    _save(session, prefs)
    return prefs


def clean_url(url: str, *, field_name: str = "redirect_url") -> str:
    """`url` trimmed: an absolute http(s) URL of at most URL_MAX_LENGTH characters, or "".
    Raises InvalidPreference."""
    url = url.strip()
    if not url:
        return ""
    if len(url) > URL_MAX_LENGTH:
        raise InvalidPreference(
            f"Keep the address to {URL_MAX_LENGTH} characters or fewer.", field=field_name
        )
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in url:
        raise InvalidPreference(
            "Enter a full web address starting with https:// (or http://), for example "
            "https://www.yourstudio.com/.",
            field=field_name,
        )
    return url


def update_general(session: Session, general: GeneralSettings) -> OnlinePreferences:
    """Save the General tab: booking style, redirect URL (needed for the link style), login
    pattern and each location's display name. Raises InvalidPreference."""
    redirect_url = clean_url(general.redirect_url)
    if general.style is BookingStyle.LINK and not redirect_url:
        raise InvalidPreference(
            "With the link style, enter your website's address so clients can get back to it.",
            field="redirect_url",
        )
    hours = general.reminder_hours
    if hours is not None and not REMINDER_HOURS_MIN <= hours <= REMINDER_HOURS_MAX:
        raise InvalidPreference(
            f"Enter a number of hours from {REMINDER_HOURS_MIN} to {REMINDER_HOURS_MAX}, or "
            "leave it blank for no reminders.",
            field="reminder_hours",
        )
    locations = {loc.id: loc for loc in session.scalars(select(Location))}
    names: dict[int, str] = {}
    for location_id, name in general.display_names.items():
        name = " ".join(name.split())
        field_name = f"location_{location_id}"
        if location_id not in locations:
            raise InvalidPreference("We could not find that location.", field=field_name)
        if not name:
            raise InvalidPreference("Enter the name clients see.", field=field_name)
        if len(name) > DISPLAY_NAME_MAX_LENGTH:
            raise InvalidPreference(
                f"Keep the name to {DISPLAY_NAME_MAX_LENGTH} characters or fewer.",
                field=field_name,
            )
        names[location_id] = name
    prefs = online_preferences(session)
    prefs.style = general.style
    prefs.redirect_url = redirect_url
    prefs.login_pattern = general.login_pattern
    if hours is None and inspect(prefs).transient:  # an INSERT of None takes the default (24)
        session.add(prefs)
        session.flush()
    prefs.reminder_hours = hours
    for location_id, name in names.items():
        locations[location_id].display_name = name
    _save(session, prefs)
    return prefs


# Logo


def update_logo(
    session: Session, *, show_logo: bool, upload: bytes | None, remove: bool, now: datetime
) -> OnlinePreferences:
    """Save the Logo tab: store a new logo (JPEG or PNG, see files.store_image), or remove it,
    and whether to show it. Showing needs a logo. Raises InvalidImage, ImageTooLarge or
    InvalidPreference."""
    prefs = online_preferences(session)
    old = prefs.logo
    new = old
    if upload:
        new = files.store_image(session, upload, now=now)
    elif remove:
        new = None
    if show_logo and new is None:
        session.rollback()
        raise InvalidPreference("Upload a logo to show it.", field="show_logo")
    prefs.logo = new
    prefs.show_logo = show_logo
    session.add(prefs)
    if old is not None and new is not old:
        session.delete(old)  # only the logo points at it
    session.commit()
    return prefs


# Clients


@dataclass(frozen=True)
class ClientSettings:
    disable_new_accounts: bool = False
    new_client_status_id: int | None = None
    new_client_lead_source_id: int | None = None
    ask_lead_source: bool = False
    phone_mode: FieldMode = FieldMode.OPTIONAL
    mobile_mode: FieldMode = FieldMode.HIDDEN
    address_mode: FieldMode = FieldMode.HIDDEN
    texting_consent_mode: FieldMode = FieldMode.HIDDEN
    marketing_consent_mode: FieldMode = FieldMode.OPTIONAL


def _check_choice(
    session: Session, choice_id: int | None, kind: ListKind, current: int | None, field_name: str
) -> int | None:
    if choice_id is None or choice_id == current:  # a retired current default may stay
        return choice_id
    choice = session.get(ListChoice, choice_id)
    if choice is None or choice.kind is not kind or not choice.active:
        raise InvalidPreference("Choose one of the entries offered.", field=field_name)
    return choice_id


def update_clients(session: Session, settings: ClientSettings) -> OnlinePreferences:
    """Save the Clients tab. The default status and lead source must be active entries of their
    lists (or the ones already saved). Raises InvalidPreference."""
    prefs = online_preferences(session)
    status_id = _check_choice(
        session,
        settings.new_client_status_id,
        ListKind.CLIENT_STATUS,
        prefs.new_client_status_id,
        "new_client_status_id",
    )
    lead_source_id = _check_choice(
        session,
        settings.new_client_lead_source_id,
        ListKind.LEAD_SOURCE,
        prefs.new_client_lead_source_id,
        "new_client_lead_source_id",
    )
    for name, value in asdict(settings).items():
        setattr(prefs, name, value)
    prefs.new_client_status_id = status_id
    prefs.new_client_lead_source_id = lead_source_id
    _save(session, prefs)
    return prefs


# Sessions and Appointments


@dataclass(frozen=True)
class KindSettings:
    default_description: str = ""
    default_booker_id: int | None = None
    notes_mode: FieldMode = FieldMode.OPTIONAL
    promo_code_mode: FieldMode = FieldMode.HIDDEN  # never REQUIRED: a code is a bonus
    notice_book_minutes: int | None = None  # None = no limit
    notice_reschedule_minutes: int | None = None
    notice_cancel_minutes: int | None = None
    ask_booking_reason: bool = False


def update_kind(session: Session, kind: ServiceKind, settings: KindSettings) -> KindPreferences:
    """Save the Sessions or the Appointments tab. Notice limits are whole minutes from 0 to a
    year, or None for no limit; the default booker an active staff member (or the one already
    saved). Raises InvalidPreference."""
    description = settings.default_description.strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise InvalidPreference(
            f"Keep the description to {DESCRIPTION_MAX_LENGTH} characters or fewer.",
            field="default_description",
        )
    for name in ("notice_book_minutes", "notice_reschedule_minutes", "notice_cancel_minutes"):
        minutes = getattr(settings, name)
        if minutes is not None and not 0 <= minutes <= NOTICE_MAX_MINUTES:
            raise InvalidPreference(
                "Enter a number of hours from 0 to 8760 (a year), or leave it blank for no limit.",
                field=name,
            )
    if settings.promo_code_mode is FieldMode.REQUIRED:
        raise InvalidPreference(
            "A promo code cannot be required: choose Hidden or Optional.", field="promo_code_mode"
        )
    prefs = kind_preferences(session, kind)
    booker_id = settings.default_booker_id
    if booker_id is not None and booker_id != prefs.default_booker_id:
        booker = session.get(Staff, booker_id)
        if booker is None or not booker.active:
            raise InvalidPreference(
                "Choose one of the staff members offered.", field="default_booker_id"
            )
    for name, value in asdict(settings).items():
        setattr(prefs, name, value)
    prefs.default_description = description
    _save(session, prefs)
    return prefs


# Customization


@dataclass(frozen=True)
class Colours:
    accent: str = ""  # "#rrggbb" or "" for the default
    background: str = ""
    text: str = ""


def clean_colour(value: str, *, field_name: str) -> str | None:
    """ "#rrggbb" in lower case, or None (the default) for a blank. Raises InvalidPreference."""
    value = value.strip()
    if not value:
        return None
    if not _HEX.fullmatch(value):
        raise InvalidPreference(
            "Enter a colour as # and six hex digits, for example #1a73e8, or leave it blank "
            "for the default.",
            field=field_name,
        )
    return value.lower()


def update_colours(session: Session, colours: Colours) -> OnlinePreferences:
    """Save the Customization tab's colours (blank = the default). Raises InvalidPreference."""
    accent = clean_colour(colours.accent, field_name="accent")
    background = clean_colour(colours.background, field_name="background")
    text = clean_colour(colours.text, field_name="text")
    prefs = online_preferences(session)
    prefs.colour_accent, prefs.colour_background, prefs.colour_text = accent, background, text
    _save(session, prefs)
    return prefs


# Permissions


def staff_for_permissions(session: Session) -> list[Staff]:
    """Active staff by name, for the Permissions tab."""
    stmt = select(Staff).where(Staff.active.is_(True)).order_by(Staff.name, Staff.id)
    return list(session.scalars(stmt))
