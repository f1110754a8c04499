"""The client's booking mails as the web layer words them: the studio's text (its editable
templates) wrapped in the mail look (logo, accent colour), the From address and the link to
My bookings. Needs an app and a request context (the CLI makes one) for the links."""

from __future__ import annotations

from flask import url_for

from core.services.booking_mail import BookingMailer
from web.mail import id_domain, mail_from
from web.mail_wording import html_body


def booking_mailer() -> BookingMailer:
    """What core needs to queue the client's booking mails from this app."""
    return BookingMailer(
        organizer=mail_from(),
        manage_link=url_for("widget.my_bookings", _external=True),
        html=html_body,
        domain=id_domain(),
    )
