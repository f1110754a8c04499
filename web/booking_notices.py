"""Staff notices about bookings as the web layer writes them: links into the admin, and email
copies in the studio's mail look. Installed in each request's database session, so the core
services that book, cancel and charge need no URLs of their own."""

from __future__ import annotations

from flask import Flask, request, url_for

from core.services import booking_notices
from core.services.booking_notices import Messenger, Notice
from core.services.mail import MailContent
from web.extensions import db
from web.formatting import studio
from web.mail import id_domain
from web.mail_wording import compose as compose_mail


def _absolute(path: str) -> str:
    return request.host_url.rstrip("/") + path if path.startswith("/") else path


def compose(notice: Notice, link: str, staff_name: str) -> MailContent:
    """The notice's email copy in the studio's wording (Mail wording: "Notice copy")."""
    return compose_mail(
        booking_notices.MAIL_KIND,
        {
            "staff_name": staff_name,
            "studio_name": studio().name,
            "title": notice.title,
            "details": notice.body,
            "admin_link": link,
        },
    )


def messenger() -> Messenger:
    """Needs a request context (links are made when a notice is written)."""
    return Messenger(
        invoice_link=lambda invoice_id: url_for("admin.invoice", invoice_id=invoice_id),
        bookings_link=lambda: url_for("admin.bookings"),
        client_link=lambda client_id: url_for("admin.client_page", client_id=client_id),
        absolute=_absolute,
        compose=compose,
        domain=id_domain,
    )


def init_app(app: Flask) -> None:
    @app.before_request
    def _install_messenger() -> None:
        booking_notices.use(db.session, messenger())
