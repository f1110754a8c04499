"""Staff notices about bookings (issue 7): a new online booking, a cancellation, a failed online
payment. Each active staff member gets one on the home screen unless they turned the kind off,
and an email copy if they asked for one (NoticeSetting; a kind without a row: on the screen, no
email).

`notify` writes in the caller's transaction and never commits, so a notice exists exactly when
the change it tells about does. Core knows no URLs: the web layer puts a Messenger in the
session (`use`) with the admin's links and the email's look; without one, notices have no link
and their copies are plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from sqlalchemy import and_, bindparam, insert, select
from sqlalchemy.orm import Session

from core.db import write_rows
from core.models import (
    Booking,
    Client,
    NoticeKind,
    NoticeSetting,
    Payment,
    ServiceType,
    Staff,
    StaffNotice,
    TimeSlot,
)
from core.money import format_money
from core.services import studio_rows
from core.services.mail import MailContent, queue_mail
from core.services.read_cache import cached

MAIL_KIND = "staff_notice"
MESSENGER_KEY = "studiobook_booking_notices"  # session.info: the web layer's Messenger


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    title: str
    body: str = ""
    link: str = ""  # a path in the admin
    failed: bool = False


@dataclass(frozen=True)
class Messenger:
    """Where notices link to in the admin, and how their email copies are worded."""

    invoice_link: Callable[[int], str] = lambda invoice_id: ""
    bookings_link: Callable[[], str] = lambda: ""
    client_link: Callable[[int], str] = lambda client_id: ""
    absolute: Callable[[str], str] = lambda path: path  # a link that works from a mail program
    # The notice, its absolute link and the staff member's name -> their copy.
    compose: Callable[[Notice, str, str], MailContent] | None = None
    domain: Callable[[], str] = lambda: "studiobook.invalid"  # of the copies' Message-IDs


def use(session: Session, messenger: Messenger) -> None:
    """Let notices written in this session link into the admin (the web layer, per request)."""
    session.info[MESSENGER_KEY] = messenger


def _messenger(session: Session) -> Messenger:
    found = session.info.get(MESSENGER_KEY)
    return found if isinstance(found, Messenger) else Messenger()


def plain_mail(notice: Notice, link: str, staff_name: str = "") -> MailContent:
    lines = [notice.title, "", notice.body] if notice.body else [notice.title]
    if link:
        lines += ["", f"Open it: {link}"]
    return MailContent(subject=notice.title, text="\n".join(lines) + "\n")


def _studio_locale(session: Session) -> tuple[str, str]:
    studio = studio_rows.studio(session)
    return (studio.locale, studio.currency) if studio else ("en_US", "USD")


def when(start_at: datetime, timezone: str, locale: str = "en_US") -> str:
    """'Tue Dec 1 10:00 AM EST': the start in the location's time, as staff scan it."""
    tz = ZoneInfo(timezone)
    local = start_at.astimezone(tz)
    day = format_date(local.date(), "EEE MMM d", locale=locale)
    return f"{day} {format_time(local, 'short', locale=locale)} {local:%Z}"


def _what(
    session: Session, client_id: int, service_type_id: int | None, slot_id: int | None
) -> str:
    """'Alex Rivera, Family Portrait Session, Tue Dec 1 10:00 AM EST'."""
    client = session.get(Client, client_id)  # loaded already when the client booked online
    name = client.name if client is not None and client.name else "A client"
    service = session.get(ServiceType, service_type_id) if service_type_id else None
    slot = session.get(TimeSlot, slot_id) if slot_id else None
    parts = [name] + ([service.public_name] if service else [])
    if slot is not None:
        parts.append(when(slot.start_at, slot.location.timezone, _studio_locale(session)[0]))
    return ", ".join(parts)


def new_booking(session: Session, booking: Booking, *, invoice_id: int | None) -> Notice:
    """The notice of a new online booking, linking to its invoice (`invoice_id`) if it has one."""
    what = _what(session, booking.client_id, booking.service_type_id, booking.slot_id)
    messenger = _messenger(session)
    link = (
        messenger.invoice_link(invoice_id) if invoice_id is not None else messenger.bookings_link()
    )
    return Notice(NoticeKind.NEW_BOOKING, f"New online booking: {what}", link=link)


def cancellation(session: Session, booking: Booking, *, by_client: bool) -> Notice:
    what = _what(session, booking.client_id, booking.service_type_id, booking.slot_id)
    body = "Cancelled by the client." if by_client else "Cancelled by staff."
    body += " The time is open for booking again."
    link = _messenger(session).client_link(booking.client_id)
    return Notice(NoticeKind.CANCELLATION, f"Booking cancelled: {what}", body, link)


def failed_payment(session: Session, payment: Payment) -> Notice:
    what = _what(session, payment.client_id, payment.service_type_id, payment.slot_id)
    locale, _ = _studio_locale(session)
    amount = format_money(payment.amount, payment.currency, locale)
    reason = payment.failure_message or "The payment failed."
    body = f"{amount} was not charged, so the time is not booked. {reason}"
    link = _messenger(session).client_link(payment.client_id)
    return Notice(
        NoticeKind.FAILED_PAYMENT, f"Online payment failed: {what}", body, link, failed=True
    )


# Built once (issue 9: building them took longer than running them, once a booking): the staff
# to tell of a kind of notice, each with their setting for it, and the notices' INSERT, run as
# Core (the ORM's bulk INSERT copies the statement at every call).
_RECIPIENTS = (
    select(Staff.id, Staff.email, Staff.name, NoticeSetting.on_screen, NoticeSetting.by_email)
    .outerjoin(
        NoticeSetting,
        and_(
            NoticeSetting.staff_id == Staff.id,
            NoticeSetting.kind == bindparam("kind", type_=NoticeSetting.kind.type),
        ),
    )
    .where(Staff.active.is_(True))
    .order_by(Staff.id)
)
_ADD_NOTICES = insert(StaffNotice)


def notify(
    session: Session,
    notice: Notice,
    *,
    now: datetime,
    only: Collection[int] | None = None,
    mailed_already: Collection[str] = (),
) -> int:
    """Add the notice for every active staff member (or those in `only`) who has its kind on
    the home screen, and queue an email copy for those who asked for one (not to an address in
    `mailed_already`), in the caller's transaction (no commit). Returns how many notices were
    added; a constant number of queries however many staff."""
    recipients = _RECIPIENTS if only is None else _RECIPIENTS.where(Staff.id.in_(only))
    key = None if only is None else tuple(sorted(only))
    found = session.execute(
        cached(recipients, "notice recipients", notice.kind, key), {"kind": notice.kind}
    )
    wanted = found.all()
    on_screen = [row.id for row in wanted if row.on_screen is None or row.on_screen]
    if on_screen:
        rows = [
            {
                "staff_id": staff_id,
                "kind": notice.kind,
                "title": notice.title[:200],
                "body": notice.body,
                "link": notice.link[:500],
                "failed": notice.failed,
                "created_at": now,
            }
            for staff_id in on_screen
        ]
        write_rows(session, _ADD_NOTICES, rows)
    skip = {address.lower() for address in mailed_already}
    by_email = [row for row in wanted if row.by_email and row.email.lower() not in skip]
    if by_email:
        messenger = _messenger(session)
        link = messenger.absolute(notice.link) if notice.link else ""
        compose = messenger.compose or plain_mail
        for row in by_email:
            queue_mail(
                session,
                kind=MAIL_KIND,
                to=row.email,
                content=compose(notice, link, row.name),
                now=now,
                domain=messenger.domain(),
            )
    return len(on_screen)
