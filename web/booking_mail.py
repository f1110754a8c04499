"""The client's booking mails as the web layer words them: the studio's text (its editable
templates) wrapped in the mail look (logo, accent colour), the From address and the link to
My bookings. Needs an app and a request context (the CLI makes one) for the links."""

from __future__ import annotations

import re

from flask import url_for
from markupsafe import Markup, escape

from core.services.booking_mail import BookingMailer
from web.mail import id_domain, mail_from, render_mail

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")
_PARAGRAPH = "margin:0 0 16px 0;"


def _linked(line: str) -> Markup:
    """One line of text, escaped, its web addresses as links."""
    out, last = Markup(""), 0
    for match in _URL.finditer(line):
        url = match.group(0)
        out += escape(line[last : match.start()])
        out += Markup('<a href="{0}" style="color:#1f2328;word-break:break-all;">{0}</a>').format(
            url
        )
        last = match.end()
    return out + escape(line[last:])


def text_as_html(text: str) -> Markup:
    """Plain text as HTML paragraphs: blank lines part them, single newlines break lines."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup("\n").join(
        Markup('<p style="{}">{}</p>').format(
            _PARAGRAPH, Markup("<br>\n").join(_linked(line) for line in p.splitlines())
        )
        for p in paragraphs
    )


def html_body(subject: str, text: str) -> str:
    """The HTML version of a rendered booking mail, in the studio's look."""
    return render_mail("booking", subject, text=text, body=text_as_html(text)).html


def booking_mailer() -> BookingMailer:
    """What core needs to queue the client's booking mails from this app."""
    return BookingMailer(
        organizer=mail_from(),
        manage_link=url_for("widget.my_bookings", _external=True),
        html=html_body,
        domain=id_domain(),
    )
