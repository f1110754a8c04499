"""The waitlist mail as the web layer writes it: the studio's wording (mail templates) with a
signed link that holds the time that opened. Both blueprints pass `waitlist_mail()` to the
changes that open a slot. Needs a request context (the CLI makes one) for the link."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from flask import current_app, url_for

from core.models import TimeSlot, WaitlistEntry
from core.services import waitlist_links
from core.services.mail import MailContent
from core.services.organizations import slot_organization
from core.services.waitlist import KIND, WaitlistMail
from web.clock import now
from web.extensions import db
from web.formatting import studio
from web.mail import id_domain
from web.mail_wording import compose

LINK_HOURS = 24  # how long a mailed link works (WAITLIST_LINK_HOURS): the time may go sooner


def link_max_age() -> timedelta:
    return timedelta(hours=int(current_app.config.get("WAITLIST_LINK_HOURS", LINK_HOURS)))


def _time_with_zone(slot: TimeSlot, locale: str) -> str:
    """'10:00 AM EST': the zone as it is on that day."""
    local = slot.start_at.astimezone(ZoneInfo(slot.location.timezone))
    zone = get_timezone_name(local, "short", locale=locale)
    if not any(c.isalpha() for c in zone) or zone.startswith("GMT+"):
        zone = get_timezone_name(local, "long", locale=locale)
    return f"{format_time(local, 'short', locale=locale)} {zone}"


def _hold_link(slot: TimeSlot, token: str) -> str:
    """The link opens in the slot's context: an organization's time through its link (`org`
    set to None keeps a request's own organization off a public time's link)."""
    organization = slot_organization(db.session, slot)
    org = organization.slug if organization else None
    return url_for("widget.waitlist_hold", token=token, org=org, _external=True)


def _compose(entry: WaitlistEntry, slot: TimeSlot) -> MailContent:
    token = waitlist_links.make_token(
        entry, slot.id, secret_key=current_app.config["SECRET_KEY"], now=now()
    )
    locale = studio().locale
    return compose(
        KIND,
        {
            "client_name": entry.client.name,
            "studio_name": studio().name,
            "service_type": entry.service_type.public_name,
            "date": format_date(entry.day, "full", locale=locale),
            "time": _time_with_zone(slot, locale),
            "location": entry.location.display_name,
            "hold_link": _hold_link(slot, token),
            "hold_minutes": current_app.config["HOLD_MINUTES"],
        },
    )


def waitlist_mail() -> WaitlistMail:
    """What core needs to mail waiting clients from this app."""
    return WaitlistMail(compose=_compose, domain=id_domain())
