"""The wording of the mails the studio sends, to clients and to staff, as it edits it (issue 7).

Each kind has a built-in subject and plain-text body with {{ placeholders }}; the studio may
replace them (a MailTemplate row) and reset them. Saved wording is checked first: it must parse,
use only the kind's placeholders and keep the ones the mail cannot do without, so a typo is
refused on save rather than found by a client. Rendering runs in Jinja's sandbox with the kind's
values only. The HTML version of a message is made by the web layer from the rendered text
(paragraphs and links in the studio's look; a kind's action link, alone in its paragraph, as a
button).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from jinja2 import Template, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.models import MailTemplate
from core.services import read_cache
from core.services.errors import InvalidDetails

SUBJECT_MAX = 200
BODY_MAX = 10_000

_BOOKING = {
    "client_name": "The client's name",
    "studio_name": "Your studio's name",
    "service_type": "What was booked, e.g. Family Portrait Session",
    "date": "The day, e.g. Tuesday, December 1, 2026",
    "time": "The start time with its zone, e.g. 10:00 AM EST",
    "timezone": "The location's time zone, e.g. Eastern Time",
    "duration": "How long it lasts, e.g. 60 minutes",
    "location": "The location's name",
    "address": "Where to go",
    "reference": "The booking's reference",
    "manage_link": "The client's My bookings page",
}


@dataclass(frozen=True)
class Action:
    """The link a mail is for: shown as a button labelled `label` in the HTML version where the
    text has it alone in a paragraph."""

    placeholder: str
    label: str


@dataclass(frozen=True)
class MailKind:
    label: str
    about: str  # when it is sent
    placeholders: Mapping[str, str]  # name -> what it holds
    subject: str
    body: str
    to_staff: bool = False  # else to clients
    action: Action | None = None
    required: tuple[str, ...] = ()  # placeholders the body must keep


KINDS: dict[str, MailKind] = {
    "booking_confirmation": MailKind(
        "Booking confirmation",
        "The moment a client books, online or by staff.",
        _BOOKING,
        "Your {{ service_type }} on {{ date }} is booked",
        "Hello {{ client_name }},\n\n"
        "Thank you for booking with {{ studio_name }}. Here are the details:\n\n"
        "{{ service_type }}\n{{ date }} at {{ time }} ({{ duration }})\n"
        "{{ location }}\n{{ address }}\n\n"
        "The attached calendar file adds it to your calendar. To reschedule or cancel, open "
        "your bookings:\n{{ manage_link }}\n\n"
        "See you soon!\n{{ studio_name }}",
    ),
    "booking_rescheduled": MailKind(
        "Booking moved",
        "When a booking is moved to another time.",
        {**_BOOKING, "previous_date": "The old day", "previous_time": "The old start time"},
        "Your {{ service_type }} is now on {{ date }}",
        "Hello {{ client_name }},\n\n"
        "Your {{ service_type }} has moved from {{ previous_date }} at {{ previous_time }} to:\n\n"
        "{{ date }} at {{ time }} ({{ duration }})\n{{ location }}\n{{ address }}\n\n"
        "The attached calendar file updates the event in your calendar. Your bookings:\n"
        "{{ manage_link }}\n\n{{ studio_name }}",
    ),
    "booking_cancelled": MailKind(
        "Booking cancelled",
        "When a booking is cancelled, by the client or by staff.",
        _BOOKING,
        "Your {{ service_type }} on {{ date }} is cancelled",
        "Hello {{ client_name }},\n\n"
        "Your {{ service_type }} on {{ date }} at {{ time }} is cancelled. The attached calendar "
        "file removes it from your calendar.\n\n"
        "To book another time:\n{{ manage_link }}\n\n{{ studio_name }}",
    ),
    "payment_receipt": MailKind(
        "Payment receipt",
        "When a client pays online.",
        {
            **_BOOKING,
            "amount": "The amount paid, e.g. $150.00",
            "method": "How it was paid, e.g. Visa ending 4242",
            "invoice_number": "The invoice, e.g. INV-000012",
            "balance": "What is left to pay, e.g. $0.00",
        },
        "Receipt: {{ amount }} paid to {{ studio_name }}",
        "Hello {{ client_name }},\n\n"
        "We received {{ amount }} ({{ method }}) for {{ invoice_number }}, your "
        "{{ service_type }} on {{ date }} at {{ time }}.\n\n"
        "Left to pay: {{ balance }}.\n\nThank you!\n{{ studio_name }}",
    ),
    "booking_reminder": MailKind(
        "Reminder",
        "A set number of hours before the appointment (Preferences).",
        _BOOKING,
        "Reminder: {{ service_type }} on {{ date }} at {{ time }}",
        "Hello {{ client_name }},\n\n"
        "A reminder of your {{ service_type }}:\n\n"
        "{{ date }} at {{ time }} ({{ duration }})\n{{ location }}\n{{ address }}\n\n"
        "Need another time? Your bookings:\n{{ manage_link }}\n\n{{ studio_name }}",
    ),
    "waitlist_opening": MailKind(
        "A time opened up (waitlist)",
        "When a time opens on a day a client is waiting for.",
        {
            "client_name": _BOOKING["client_name"],
            "studio_name": _BOOKING["studio_name"],
            "service_type": _BOOKING["service_type"],
            "date": "The day the client is waiting for",
            "time": "The time that opened, with its zone",
            "location": _BOOKING["location"],
            "hold_link": "The link that holds the time for the client; alone in its paragraph, it "
            "is a button in the HTML version",
            "hold_minutes": "How long the time is held after the link is opened",
        },
        "A time opened up on {{ date }}",
        "Hello {{ client_name }},\n\n"
        "Good news: {{ time }} on {{ date }} is free for a {{ service_type }} at "
        "{{ location }}.\n\n"
        "Open this link to hold it for {{ hold_minutes }} minutes while you confirm:\n\n"
        "{{ hold_link }}\n\n"
        "Others waiting get this message too: the first to confirm gets the time.\n\n"
        "{{ studio_name }}",
        action=Action("hold_link", "Hold this time"),
        required=("hold_link",),
    ),
    "password_reset": MailKind(
        "Password reset",
        "When a client asks for a link to choose a new password.",
        {
            "client_name": _BOOKING["client_name"],
            "studio_name": _BOOKING["studio_name"],
            "email": "The client's email address (their login)",
            "reset_link": "The link to choose a new password; alone in its paragraph, it is "
            "a button in the HTML version",
            "minutes": "How many minutes the link works, e.g. 60",
        },
        "Choose a new password for {{ email }}",
        "Hello {{ client_name }},\n\n"
        "Someone, we hope you, asked to reset the password of your {{ studio_name }} account "
        "({{ email }}). To choose a new password, open this link:\n\n"
        "{{ reset_link }}\n\n"
        "The link works for {{ minutes }} minutes and only once. If you did not ask for it, you "
        "can ignore this message: your password stays as it is.\n\n"
        "{{ studio_name }}",
        action=Action("reset_link", "Choose a new password"),
        required=("reset_link",),
    ),
    "staff_notice": MailKind(
        "Notice copy",
        "When a staff member asked for email copies of a kind of notice (Notice settings): a new "
        "online booking, a cancellation, a failed payment, the weekly job's result.",
        {
            "staff_name": "The staff member's name",
            "studio_name": _BOOKING["studio_name"],
            "title": "What happened, e.g. New online booking: Alex Rivera, Tue Dec 1 10:00 AM EST",
            "details": "More about it, if there is more (may be empty)",
            "admin_link": "Where to see it in the admin",
        },
        "{{ title }}",
        "{{ title }}\n\n{{ details }}\n\n"
        "Open it in the admin: {{ admin_link }}\n\n"
        "You get this copy because of your notice settings in the admin (Home > Notice "
        "settings).",
        to_staff=True,
    ),
    "slot_job": MailKind(
        "Weekly time slot job",
        "After each run of the weekly time slot job, to the address in its settings.",
        {
            "studio_name": _BOOKING["studio_name"],
            "title": "The result, e.g. Weekly time slots: 12 created for the week of Dec 7, 2026",
            "details": "What was copied and what was skipped, a line each",
        },
        "{{ title }}",
        "{{ title }}\n\n{{ details }}\n\n"
        "You can change the weekly job under Preferences > Online booking > Time Slots in the "
        "admin.",
        to_staff=True,
    ),
}

_ENV = SandboxedEnvironment(autoescape=False, keep_trailing_newline=False)
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


class UnknownMailKind(InvalidDetails):
    status_code = 404


def kind_of(kind: str) -> MailKind:
    found = KINDS.get(kind)
    if found is None:
        raise UnknownMailKind({"kind": "There is no such message."})
    return found


def _check(text: str, allowed: Mapping[str, str], limit: int) -> str | None:
    if not text.strip():
        return "This cannot be empty."
    if len(text) > limit:
        return f"At most {limit} characters."
    try:
        used = meta.find_undeclared_variables(_ENV.parse(text))
    except TemplateSyntaxError as error:
        hint = "Placeholders look like {{ client_name }}."
        message = (error.message or "cannot be read").rstrip(".")
        return f"Line {error.lineno}: {message}. {hint}"
    unknown = sorted(used - set(allowed))
    if unknown:
        names = ", ".join("{{ " + name + " }}" for name in unknown)
        return f"Unknown placeholder{'s' if len(unknown) > 1 else ''} {names}: use one listed here."
    return None


def _missing(body: str, required: tuple[str, ...]) -> str | None:
    used = meta.find_undeclared_variables(_ENV.parse(body))
    lacking = [name for name in required if name not in used]
    if not lacking:
        return None
    names = ", ".join("{{ " + name + " }}" for name in lacking)
    return f"Keep {names} in the text: the mail is of no use without it."


def validate(kind: str, subject: str, body: str) -> dict[str, str]:
    """Messages per field ("subject", "body") for wording that cannot be saved; empty if fine."""
    found = kind_of(kind)
    errors = {}
    if problem := _check(subject, found.placeholders, SUBJECT_MAX):
        errors["subject"] = problem
    elif "\n" in subject.strip():
        errors["subject"] = "The subject is one line."
    if problem := _check(body, found.placeholders, BODY_MAX) or _missing(body, found.required):
        errors["body"] = problem
    return errors


def wording(session: Session, kind: str) -> tuple[str, str, bool]:
    """The kind's subject and body as the studio has them, and whether they are edited."""
    default = kind_of(kind)
    row = read_cache.get(session, MailTemplate, kind)
    if row is None:
        return default.subject, default.body, False
    return row.subject, row.body, True


@lru_cache(maxsize=256)
def _compiled(source: str) -> Template:
    """The wording compiled once per process (compiling costs more than the whole rest of a
    booking's mail, issue 9); keyed by the text, so edited wording is compiled afresh."""
    return _ENV.from_string(source)


def fill(kind: str, subject: str, body: str, values: Mapping[str, object]) -> tuple[str, str]:
    """The subject (one line) and the plain-text body with the kind's values put in."""
    allowed = kind_of(kind).placeholders
    given = {name: "" if values.get(name) is None else values[name] for name in allowed}
    text_subject = " ".join(_compiled(subject).render(given).split())
    text_body = _compiled(body).render(given).strip()
    text_body = _BLANK_LINES.sub("\n\n", text_body) + "\n"  # an empty placeholder's paragraph
    return text_subject, text_body


def render(session: Session, kind: str, values: Mapping[str, object]) -> tuple[str, str]:
    """The kind's message, in the studio's wording, for these values."""
    subject, body, _ = wording(session, kind)
    return fill(kind, subject, body, values)


def save(
    session: Session, kind: str, *, subject: str, body: str, staff_id: int | None, now: datetime
) -> MailTemplate:
    """Keep the studio's wording; raises InvalidDetails with a message per field. Commits."""
    errors = validate(kind, subject, body)
    if errors:
        raise InvalidDetails(errors)
    row = session.get(MailTemplate, kind) or MailTemplate(kind=kind)
    row.subject = " ".join(subject.split())
    row.body = body.replace("\r\n", "\n").strip()
    row.updated_at = now
    row.updated_by_id = staff_id
    session.add(row)
    session.commit()
    return row


def reset(session: Session, kind: str) -> None:
    """Back to the built-in wording. Commits."""
    kind_of(kind)
    session.execute(delete(MailTemplate).where(MailTemplate.kind == kind))
    session.commit()


def edited_kinds(session: Session) -> set[str]:
    return set(session.scalars(select(MailTemplate.kind)))
