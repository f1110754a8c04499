"""Mail for the web layer: the transport MAIL_URL names, rendering the mail templates, and a
background sender thread, so no request ever waits on SMTP.

core.services.mail.queue_mail marks the session; when that session commits, the process's one
sender thread (started on first use, daemon) wakes and sends what is due with its own database
session. Nothing depends on the thread: `flask --app wsgi mail send-pending` from cron sends
whatever it left (retries, a crash, a worker recycled mid-send). Tests that want to decide when
mail goes out set MAIL_SENDER_THREAD = False.
"""

from __future__ import annotations

import os
import re
import threading
from email.utils import formataddr
from typing import Any

from flask import Flask, current_app, has_app_context, url_for
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.services import studio_rows
from core.services.mail import (
    QUEUED_FLAG,
    InvalidMailUrl,
    SendReport,
    SmtpTransport,
    message_id_domain,
    send_pending,
    transport_from_url,
)
from core.services.preferences import online_preferences
from web.clock import now
from web.extensions import db
from web.formatting import studio

DEFAULT_FROM_ADDRESS = "bookings@studiobook.invalid"
DEFAULT_STUDIO_NAME = "studiobook"  # before the studio is set up (as web.formatting.studio)
_SENDER = "studiobook_mail_sender"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#2f5d62"  # the widget's default (widget.css --sb-accent): mail and widget match
BATCH = 20
MAX_BATCHES_PER_WAKE = 10  # 200 messages, then the thread waits for the next wake (or cron)


def transport() -> SmtpTransport | None:
    """The SMTP transport MAIL_URL describes, or None (mail is kept in the outbox)."""
    return transport_from_url(
        current_app.config.get("MAIL_URL") or "",
        timeout=float(current_app.config["MAIL_TIMEOUT_SECONDS"]),
    )


def mail_from(session: Session | None = None) -> str:
    """MAIL_FROM, or 'Studio Name <bookings@studiobook.invalid>'."""
    if current_app.config.get("MAIL_FROM"):
        return str(current_app.config["MAIL_FROM"])
    if session is None:
        return formataddr((studio().name, DEFAULT_FROM_ADDRESS))
    row = studio_rows.studio(session)
    return formataddr((row.name if row and row.name else DEFAULT_STUDIO_NAME, DEFAULT_FROM_ADDRESS))


def id_domain() -> str:
    return message_id_domain(mail_from())


def send_due(limit: int = BATCH) -> SendReport:
    """Write and send up to `limit` due messages now, with a database session of its own (and no
    other: a second open transaction could wait on a lock the first one blocks)."""
    from web.booking_mail import write_booking_mail  # it renders with this module

    with Session(db.engine) as session:
        sender = mail_from(session)
        session.rollback()
        return send_pending(
            session,
            transport(),
            now=now(),
            mail_from=sender,
            limit=limit,
            writer=write_booking_mail,
        )


# --- rendering --------------------------------------------------------------------------------


def _readable_text_on(background: str) -> str:
    """White or near-black, whichever contrasts more with `background` (WCAG luminance)."""

    def channel(pair: str) -> float:
        c = int(pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(background[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.0556 else "#111111"


def _look(session: Session | None = None) -> dict[str, Any]:
    """The studio's name, logo (an absolute URL) and accent colour for the mail templates, read
    with `session` (the request's by default)."""
    session = session or db.session
    prefs = online_preferences(session)
    accent = (
        prefs.colour_accent if prefs.colour_accent and _HEX.match(prefs.colour_accent) else None
    )
    accent = (accent or DEFAULT_ACCENT).lower()
    logo_url = None
    if prefs.logo is not None and "widget.stored_file" in current_app.view_functions:
        logo_url = url_for("widget.stored_file", public_id=prefs.logo.public_id, _external=True)
    row = studio_rows.studio(session)
    return {
        "studio_name": row.name if row is not None and row.name else DEFAULT_STUDIO_NAME,
        "logo_url": logo_url,
        "accent": accent,
        "accent_text": _readable_text_on(accent),
    }


def render_mail_html(
    name: str, subject: str, *, session: Session | None = None, **context: Any
) -> str:
    """mail/<name>.html rendered with the studio's look (read with `session`, the request's by
    default) and `context` (the text version is the studio's wording as rendered:
    web.mail_wording). Without the pages' context processors: a mail reads the same whichever
    page or sender writes it, and reads nothing with a session other than `session` (the sender
    writes with its own, and must leave no other transaction open)."""
    template = current_app.jinja_env.get_template(f"mail/{name}.html")
    return template.render(**_look(session), subject=subject, **context)


# --- the background sender --------------------------------------------------------------------


class BackgroundSender:
    """One daemon thread per process and app, woken after a commit that queued mail."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def wake(self) -> None:
        if not self.app.config["MAIL_SENDER_THREAD"]:
            return
        with self._lock:
            alive = self._thread is not None and self._thread.is_alive()
            if not alive or self._pid != os.getpid():  # a forked worker starts its own
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="studiobook-mail-sender", daemon=True
                )
                self._thread.start()
        self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                with self.app.app_context():
                    for _ in range(MAX_BATCHES_PER_WAKE):
                        if send_due(BATCH).handled < BATCH:
                            break
            except Exception:  # keep the thread alive; the row stays due for cron
                self.app.logger.exception("The mail sender failed; mail waits for the next run.")


def _wake_after_commit(session: Session) -> None:
    if session.info.pop(QUEUED_FLAG, False) and has_app_context():
        sender = current_app.extensions.get(_SENDER)
        if sender is not None:
            sender.wake()


def init_app(app: Flask) -> None:
    try:
        transport_from_url(app.config.get("MAIL_URL") or "")
    except InvalidMailUrl as error:
        raise RuntimeError(str(error)) from None
    app.extensions[_SENDER] = BackgroundSender(app)
    if not event.contains(db.session, "after_commit", _wake_after_commit):
        event.listen(db.session, "after_commit", _wake_after_commit)
