"""The admin's Sent mail: the outbox list, one message with headers and both bodies, and
sending a failed message again."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.models import Booking, MailStatus, OutboxMessage
from core.services.booking import book
from core.services.booking_mail import BookingMailer
from core.services.mail import MailContent, queue_mail, send_pending, transport_from_url
from tests.conftest import NOW, WebClient
from tests.smtp import SmtpServer, free_port
from tests.web.helpers import count_queries, text_of
from web.mail import send_due

FROM = "Northlight Studio <bookings@northlight.example>"


@pytest.fixture(autouse=True)
def manual_sending(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "MAIL_SENDER_THREAD", False)
    monkeypatch.setitem(app.config, "MAIL_FROM", FROM)


def queue(db_session: Session, n: int = 1, **kw: Any) -> list[OutboxMessage]:
    content = MailContent(
        subject=kw.pop("subject", "Your session on Thursday"),
        text="Hello Ada,\n\nSee you on Thursday.\n",
        html=kw.pop(
            "html",
            '<p style="color:#8a2be2">Hello <strong>Ada</strong></p><script>alert(1)</script>',
        ),
    )
    rows = [
        queue_mail(
            db_session,
            kind="password_reset",
            to=f"ada{i}@example.com",
            content=content,
            now=NOW + timedelta(minutes=i),
            **kw,
        )
        for i in range(n)
    ]
    db_session.commit()
    return rows


def test_sent_mail_needs_a_staff_login(web: WebClient) -> None:
    response = web.get("/admin/mail")

    assert response.status_code == 303 and response.location.startswith("/admin/login")


def test_without_mail_url_messages_are_kept_and_listed(
    staff_web: WebClient, db_session: Session
) -> None:
    queue(db_session, 2)
    send_pending(db_session, None, now=NOW + timedelta(hours=1), mail_from=FROM)

    page = text_of(staff_web.get("/admin/mail"))

    assert "No mail server is set up ( MAIL_URL ), so messages are kept here" in page
    assert "2 messages, newest first. Times in UTC." in page
    assert "Your session on Thursday ada1@example.com Password reset Kept Mon, Nov 23, 2026" in page
    assert page.index("ada1@example.com") < page.index("ada0@example.com")


def test_the_list_makes_the_same_queries_for_3_or_30_messages(
    staff_web: WebClient, db_session: Session, app_engine: Any
) -> None:
    queue(db_session, 3)
    staff_web.get("/admin/mail")  # rows kept between requests (PostgreSQL) are read once, here
    with count_queries(app_engine) as few:
        staff_web.get("/admin/mail")
    queue(db_session, 27)
    with count_queries(app_engine) as many:
        page = staff_web.get("/admin/mail")

    assert len(few) == len(many)
    assert "Page 1 of 2" in text_of(page)
    assert "ada0@example.com" in text_of(staff_web.get("/admin/mail?page=2"))


def test_the_list_searches_recipients_and_subjects(
    staff_web: WebClient, db_session: Session
) -> None:
    queue(db_session, 2)
    queue(db_session, 1, subject="Reminder: tomorrow")

    page = text_of(staff_web.get("/admin/mail?q=REMINDER"))

    assert "1 message matching “REMINDER”" in page
    assert "Your session on Thursday" not in page


def test_a_message_shows_its_headers_text_and_html_safely(
    staff_web: WebClient, db_session: Session
) -> None:
    [row] = queue(db_session)

    response = staff_web.get(f"/admin/mail/{row.id}")
    html = response.get_data(as_text=True)
    page = text_of(response)

    assert response.status_code == 200
    assert f"Message-ID {row.message_id}" in page
    assert f"From {FROM}" in page and "To ada0@example.com" in page
    assert "Subject Your session on Thursday" in page
    assert "Hello Ada,\n\nSee you on Thursday." in html  # the text body as written
    assert (
        'title="The HTML version of the message" sandbox '
        f'src="/admin/mail/{row.id}/preview"' in html
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the source, escaped
    assert "<script>alert(1)" not in html


def test_the_html_preview_has_its_own_sandboxed_policy(
    staff_web: WebClient, db_session: Session
) -> None:
    [row] = queue(db_session)

    response = staff_web.get(f"/admin/mail/{row.id}/preview")

    assert response.get_data(as_text=True) == row.html_body
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("sandbox; default-src 'none'; style-src 'unsafe-inline'")
    assert "script-src" not in policy  # no scripts: default-src 'none'
    assert "frame-ancestors 'self'" in policy


def test_an_unknown_message_is_a_404(staff_web: WebClient) -> None:
    assert staff_web.get("/admin/mail/999").status_code == 404
    assert staff_web.get("/admin/mail/999/preview").status_code == 404


def test_a_failed_message_is_sent_again(
    staff_web: WebClient,
    db_session: Session,
    app: Any,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    [row] = queue(db_session)
    send_pending(
        db_session, transport_from_url(f"smtp://127.0.0.1:{free_port()}"), now=NOW, mail_from=FROM
    )
    db_session.execute(
        OutboxMessage.__table__.update().values(status=MailStatus.FAILED)  # type: ignore[attr-defined]
    )
    db_session.commit()
    monkeypatch.setitem(app.config, "MAIL_URL", smtp_server.url)
    page = staff_web.get(f"/admin/mail/{row.id}")
    assert "Connection refused" in text_of(page)
    assert "Send again" in text_of(page)

    response = staff_web.post(f"/admin/mail/{row.id}/send-again", follow_redirects=True)

    assert "The message to ada0@example.com is queued to be sent again." in text_of(response)
    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert "1 sent" in result.output
    [message] = smtp_server.wait_for(1)
    assert message["Message-ID"] == row.message_id
    db_session.expire_all()
    assert db_session.scalars(select(OutboxMessage.status)).one() is MailStatus.SENT


def test_a_sent_message_cannot_be_sent_again(
    staff_web: WebClient, db_session: Session, smtp_server: SmtpServer
) -> None:
    [row] = queue(db_session)
    send_pending(db_session, transport_from_url(smtp_server.url), now=NOW, mail_from=FROM)
    page = staff_web.get(f"/admin/mail/{row.id}")
    assert "Send again" not in text_of(page)

    response = staff_web.post(f"/admin/mail/{row.id}/send-again")

    assert response.status_code == 409
    assert "Only a message that failed" in text_of(response)
    smtp_server.wait_for(1)
    assert len(smtp_server.messages) == 1


def test_sent_mail_is_in_the_admin_menu(staff_web: WebClient) -> None:
    html = staff_web.get("/admin/mail").get_data(as_text=True)

    assert re.search(r'<a href="/admin/mail" aria-current="page">Sent mail</a>', html)


def _booked_unwritten(db_session: Session, make: Any) -> OutboxMessage:
    """A booking made with the web layer's links, its confirmation queued and not yet written."""
    make.studio(name="Northlight Studio")
    room = make.resource(make.location(display_name="Northlight Loft", address="4 Quay St"))
    service_type = make.service_type(online_name="Headshot Session")
    slot = make.slot(NOW + timedelta(days=3), service_types=[service_type], resource=room)
    mailer = BookingMailer(
        organizer=FROM,
        manage_link="http://studio.test/account/bookings",
        base_url="http://studio.test/",
    )
    book(
        db_session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=make.client(name="Ada Lovelace", email="ada@example.com").id,
        now=NOW,
        mailer=mailer,
    )
    row = db_session.scalars(select(OutboxMessage)).one()
    assert row.unwritten
    return row


def test_an_unwritten_message_is_listed_and_shown_as_it_reads_now_without_writing_it(
    staff_web: WebClient, db_session: Session, make: Any
) -> None:
    row = _booked_unwritten(db_session, make)

    listed = text_of(staff_web.get("/admin/mail"))
    response = staff_web.get(f"/admin/mail/{row.id}")
    page = text_of(response)
    preview = staff_web.get(f"/admin/mail/{row.id}/preview").get_data(as_text=True)

    assert "Booking confirmation · not written yet ada@example.com" in listed
    assert response.status_code == 200
    assert "Not written yet: the sender writes a booking’s mail when it takes it" in page
    assert "Subject Your Headshot Session on Thursday, November 26, 2026 is booked" in page
    assert "Hello Ada Lovelace," in page
    assert "Attachment: booking.ics (text/calendar; method=REQUEST)." in page
    assert "Hello Ada Lovelace,</p>" in preview  # the studio's look, as the sender would send it
    db_session.expire_all()
    assert db_session.get_one(OutboxMessage, row.id).unwritten  # looking wrote nothing


def test_a_message_whose_booking_is_gone_fails_with_the_reason(
    staff_web: WebClient, db_session: Session, make: Any, app: Any
) -> None:
    row = _booked_unwritten(db_session, make)
    db_session.execute(delete(Booking))
    db_session.commit()

    with app.app_context():
        report = send_due()
    page = text_of(staff_web.get(f"/admin/mail/{row.id}"))

    assert (report.failed, report.kept) == (1, 0)
    assert "Failed" in page
    assert "Could not write the message: its booking no longer exists." in page
