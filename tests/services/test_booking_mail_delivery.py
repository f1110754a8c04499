"""Booking mails through a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, parsed, and
a sender killed between the booking's commit and the send still delivers exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.models import OutboxMessage
from core.services.mail import CLAIM_FOR, send_pending, transport_from_url
from tests.booking_mail import (
    FROM,
    START,
    book_at,
    calendar_part,
    outbox,
    parse_calendar,
    studio_setup,
    write_mail,
)
from tests.conftest import NOW
from tests.services.test_mail import KILLED_SENDER
from tests.smtp import SmtpServer


def test_a_booking_arrives_once_with_both_bodies_and_its_calendar_file(
    session: Session, make: Any, smtp_server: SmtpServer
) -> None:
    booking = book_at(session, make, *studio_setup(make))

    report = send_pending(
        session, transport_from_url(smtp_server.url), now=NOW, mail_from=FROM, writer=write_mail
    )

    assert report.sent == 1
    [message] = smtp_server.wait_for(1)
    assert message["From"] == FROM
    assert message["To"] == "ada@example.com"
    # Python folds this 79-character header after "Subject:"; unfolded it keeps a space.
    assert message["Subject"].strip() == (
        "Your Family Portrait Session on Wednesday, November 25, 2026 is booked"
    )
    assert message["Message-ID"] == outbox(session)[0].message_id
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "Wednesday, November 25, 2026 at 10:00\u202fAM EST" in text.get_content()
    assert "<h1>Your Family Portrait Session" in html.get_content()
    part = calendar_part(message)
    assert part.get_filename() == "booking.ics"
    assert part.get_param("method") == "REQUEST"
    calendar, event = parse_calendar(part.get_content().encode())
    assert str(calendar["METHOD"]) == "REQUEST"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (booking.calendar_uid, 0)
    assert event.decoded("DTSTART") == START


def test_a_sender_killed_between_commit_and_send_delivers_the_confirmation_exactly_once(
    session: Session, make: Any, clean_db: Engine, smtp_server: SmtpServer
) -> None:
    book_at(session, make, *studio_setup(make))  # committed, its mail queued unwritten
    queued = session.scalars(select(OutboxMessage)).one()
    session.rollback()  # no transaction here holds the row the sender claims
    url = clean_db.url.render_as_string(hide_password=False)
    with subprocess.Popen(
        [sys.executable, "-c", KILLED_SENDER, url, NOW.isoformat()],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    ) as sender:
        try:
            assert sender.stdout is not None and sender.stdout.readline().strip() == "claimed"
        finally:
            sender.send_signal(signal.SIGKILL)  # it claimed the mail and died before sending
    transport = transport_from_url(smtp_server.url)

    assert (
        send_pending(session, transport, now=NOW, mail_from=FROM, writer=write_mail).handled == 0
    )  # still claimed
    assert (
        send_pending(
            session, transport, now=NOW + CLAIM_FOR, mail_from=FROM, writer=write_mail
        ).sent
        == 1
    )
    assert (
        send_pending(
            session, transport, now=NOW + CLAIM_FOR, mail_from=FROM, writer=write_mail
        ).handled
        == 0
    )

    [message] = smtp_server.wait_for(1)
    time.sleep(0.2)  # nothing more arrives
    assert len(smtp_server.messages) == 1
    assert message["Message-ID"] == queued.message_id
    assert calendar_part(message).get_filename() == "booking.ics"
    assert "Hello Ada Lovelace" in message.get_body(("plain",)).get_content()  # written on claim
