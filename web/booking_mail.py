"""The client's booking mails as the web layer words them: the studio's text (its editable
templates) wrapped in the mail look (logo, accent colour), the From address and the link to
My bookings. Queuing needs a request context (the CLI makes one) for the links; the sender
writes them later in one of its own, at the address the change was made from."""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for
from sqlalchemy.orm import Session

from core.models import OutboxMessage
from core.services import booking_mail
from core.services.booking_mail import BookingMailer
from core.services.mail import Unwritable, Written
from web.mail import id_domain, mail_from
from web.mail_wording import html_body


def booking_mailer() -> BookingMailer:
    """What core needs to queue the client's booking mails from this app."""
    return BookingMailer(
        organizer=mail_from(),
        manage_link=url_for("widget.my_bookings", _external=True),
        html=html_body,
        domain=id_domain(),
        base_url=request.url_root if has_request_context() else "",
    )


def write_booking_mail(session: Session, row: OutboxMessage) -> Written:
    """The sender's Writer: an unwritten booking mail in the studio's wording and look, read
    with the sender's `session`, its links made for the address the booking was made at."""
    if row.kind not in booking_mail.KINDS:
        raise Unwritable(f"no one writes mails of the kind {row.kind!r}.")
    base_url = (row.facts or {}).get("base_url") or None
    with current_app.test_request_context(base_url=base_url):  # url_for for the logo's address
        mailer = BookingMailer(
            organizer=mail_from(session),
            html=lambda subject, text: html_body(subject, text, session=session),
        )
        return booking_mail.write(session, row, mailer)
