"""The mail outbox against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, retries
with backoff, kept mail, racing senders, and a sender that dies between claim and send."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import textwrap
import time
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.models import MailStatus, OutboxMessage
from core.services.mail import (
    BACKOFF,
    CLAIM_FOR,
    MAX_ATTEMPTS,
    Attachment,
    InvalidMailUrl,
    MailContent,
    NotResendable,
    SmtpTransport,
    queue_mail,
    send_again,
    send_pending,
    transport_from_url,
)
from tests.concurrency import race, racing_engine_for
from tests.conftest import NOW
from tests.smtp import SmtpServer, free_port

FROM = "Light & Co Studio <bookings@lightco.example>"
CONTENT = MailContent(
    subject="Your session on Thursday",
    text="Hello Ada,\n\nSee you on Thursday at 10:00.\n",
    html="<p>Hello Ada,</p><p>See you on <strong>Thursday</strong> at 10:00.</p>",
)


def queue(session: Session, n: int = 1, **kw: Any) -> list[OutboxMessage]:
    rows = [
        queue_mail(
            session,
            kind="test",
            to=f"ada{i}@example.com",
            content=CONTENT,
            now=NOW,
            domain="lightco.example",
            **kw,
        )
        for i in range(n)
    ]
    session.commit()
    return rows


def statuses(session: Session) -> list[MailStatus]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_a_queued_message_arrives_with_its_headers_and_both_bodies(
    session: Session, smtp_server: SmtpServer
) -> None:
    [row] = queue(session)

    report = send_pending(session, transport_from_url(smtp_server.url), now=NOW, mail_from=FROM)

    [message] = smtp_server.wait_for(1)
    assert report.sent == 1
    assert message["From"] == FROM
    assert message["To"] == "ada0@example.com"
    assert message["Subject"] == "Your session on Thursday"
    assert message.get_all("Message-ID") == [row.message_id]
    assert row.message_id.endswith("@lightco.example>")
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content() == CONTENT.text  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<strong>Thursday</strong>" in html
    session.refresh(row)
    assert (row.status, row.sent_at, row.attempts, row.claimed_until) == (
        MailStatus.SENT,
        NOW,
        1,
        None,
    )


def test_an_attachment_travels_with_both_bodies(session: Session, smtp_server: SmtpServer) -> None:
    invite = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    queue(session, attachment=Attachment("session.ics", "text/calendar; method=REQUEST", invite))

    send_pending(session, transport_from_url(smtp_server.url), now=NOW, mail_from=FROM)

    [message] = smtp_server.wait_for(1)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "session.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_content() == invite.decode()
    assert message.get_body(("plain",)).get_content() == CONTENT.text  # type: ignore[union-attr]


def test_mail_queued_in_a_transaction_that_rolls_back_is_never_sent(
    session: Session, smtp_server: SmtpServer
) -> None:
    queue_mail(session, kind="test", to="ada@example.com", content=CONTENT, now=NOW)
    session.rollback()

    report = send_pending(session, transport_from_url(smtp_server.url), now=NOW, mail_from=FROM)

    assert report.handled == 0
    assert session.scalar(select(OutboxMessage.id)) is None


def test_smtp_down_is_retried_with_backoff_then_failed(session: Session) -> None:
    down = transport_from_url(f"smtp://127.0.0.1:{free_port()}")
    [row] = queue(session)
    now = NOW
    for attempt, wait in enumerate(BACKOFF, start=1):
        report = send_pending(session, down, now=now, mail_from=FROM)
        assert report.retrying == 1
        session.refresh(row)
        assert (row.status, row.attempts) == (MailStatus.PENDING, attempt)
        assert row.next_attempt_at == now + wait
        assert "refused" in row.last_error.lower()
        # Not due before its time.
        early = send_pending(session, down, now=now + wait - timedelta(seconds=1), mail_from=FROM)
        assert early.handled == 0
        now += wait

    report = send_pending(session, down, now=now, mail_from=FROM)

    assert report.failed == 1
    session.refresh(row)
    assert (row.status, row.attempts) == (MailStatus.FAILED, MAX_ATTEMPTS)
    assert send_pending(session, down, now=now + timedelta(days=30), mail_from=FROM).handled == 0


def test_a_failed_message_sent_again_arrives_once_the_server_is_back(
    session: Session, smtp_server: SmtpServer
) -> None:
    [row] = queue(session)
    smtp_server.reply = "550 5.1.1 No such mailbox"
    send_pending(session, transport_from_url(smtp_server.url), now=NOW, mail_from=FROM)
    session.refresh(row)
    assert row.status is MailStatus.FAILED  # a 5xx answer is final: no pointless retries
    assert "550" in row.last_error
    smtp_server.reply = None

    send_again(session, row.id, now=NOW + timedelta(hours=1))
    send_pending(
        session, transport_from_url(smtp_server.url), now=NOW + timedelta(hours=1), mail_from=FROM
    )

    [message] = smtp_server.wait_for(1)
    assert message["Message-ID"] == row.message_id
    session.refresh(row)
    assert row.status is MailStatus.SENT
    with pytest.raises(NotResendable):
        send_again(session, row.id, now=NOW)


def test_a_temporary_refusal_is_retried(session: Session, smtp_server: SmtpServer) -> None:
    [row] = queue(session)
    smtp_server.reply = "451 4.3.0 Try again later"
    transport = transport_from_url(smtp_server.url)

    assert send_pending(session, transport, now=NOW, mail_from=FROM).retrying == 1
    smtp_server.reply = None
    assert send_pending(session, transport, now=NOW + BACKOFF[0], mail_from=FROM).sent == 1

    [message] = smtp_server.wait_for(1)
    assert message["Message-ID"] == row.message_id


def test_a_message_that_cannot_be_built_fails_without_blocking_the_others(
    session: Session, smtp_server: SmtpServer
) -> None:
    broken, fine = queue(session, 2)
    broken.to_address = "ada@example.com\nBcc: everyone@example.com"  # written around queue_mail
    session.commit()

    report = send_pending(session, transport_from_url(smtp_server.url), now=NOW, mail_from=FROM)

    assert (report.failed, report.sent) == (1, 1)
    [message] = smtp_server.wait_for(1)
    assert message["Message-ID"] == fine.message_id
    assert statuses(session) == [MailStatus.FAILED, MailStatus.SENT]


@pytest.mark.parametrize("to", ["ada@example.com\nBcc: all@example.com", "a@x.com, b@y.com", ""])
def test_only_one_plain_address_can_be_queued(session: Session, to: str) -> None:
    with pytest.raises(ValueError):
        queue_mail(session, kind="test", to=to, content=CONTENT, now=NOW)


def test_without_a_transport_mail_is_kept_in_the_outbox(session: Session) -> None:
    queue(session, 2)

    report = send_pending(session, None, now=NOW, mail_from=FROM)

    assert report.kept == 2
    assert statuses(session) == [MailStatus.KEPT, MailStatus.KEPT]


class PowerCut(Exception):
    """The process dies: not a mail error, so the sender does not catch it."""


class DiesOnSecondMessage:
    def __init__(self, real: SmtpTransport) -> None:
        self.real, self.calls = real, 0

    def send(self, message: EmailMessage) -> None:
        self.calls += 1
        if self.calls == 2:
            raise PowerCut()
        self.real.send(message)


def test_a_sender_dying_between_claim_and_send_loses_nothing_and_sends_nothing_twice(
    session: Session, smtp_server: SmtpServer
) -> None:
    rows = queue(session, 3)
    transport = transport_from_url(smtp_server.url)
    assert transport is not None

    with pytest.raises(PowerCut):
        send_pending(session, DiesOnSecondMessage(transport), now=NOW, mail_from=FROM)
    session.rollback()
    # Restarted at once: the dead sender's claim still holds the second message.
    assert send_pending(session, transport, now=NOW, mail_from=FROM).sent == 1
    assert send_pending(session, transport, now=NOW + CLAIM_FOR, mail_from=FROM).sent == 1

    messages = smtp_server.wait_for(3)
    time.sleep(0.2)  # nothing more arrives
    assert Counter(m["Message-ID"] for m in smtp_server.messages) == Counter(
        r.message_id for r in rows
    )
    assert len(messages) == 3
    assert statuses(session) == [MailStatus.SENT] * 3


KILLED_SENDER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session
    from core.services.mail import send_pending
    from tests.booking_mail import write_mail

    class Hangs:
        def send(self, message):
            print("claimed", flush=True)
            time.sleep(60)

    with Session(create_engine(sys.argv[1])) as session:
        now = datetime.fromisoformat(sys.argv[2])
        send_pending(session, Hangs(), now=now, mail_from="x@y.z", writer=write_mail)
    """
)


def test_a_killed_sender_process_is_replaced_and_every_message_arrives_exactly_once(
    session: Session, clean_db: Engine, smtp_server: SmtpServer
) -> None:
    rows = queue(session, 2)
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
            sender.send_signal(signal.SIGKILL)  # after claiming the first row, before sending
    transport = transport_from_url(smtp_server.url)

    assert send_pending(session, transport, now=NOW, mail_from=FROM).sent == 1  # the free one
    assert send_pending(session, transport, now=NOW + CLAIM_FOR, mail_from=FROM).sent == 1
    assert send_pending(session, transport, now=NOW + CLAIM_FOR, mail_from=FROM).handled == 0

    smtp_server.wait_for(2)
    time.sleep(0.2)
    assert sorted(m["Message-ID"] for m in smtp_server.messages) == sorted(
        r.message_id for r in rows
    )


@pytest.mark.postgres
def test_racing_senders_send_each_message_once(
    session: Session, database_url: str, smtp_server: SmtpServer
) -> None:
    rows = queue(session, 24)
    transport = transport_from_url(smtp_server.url)
    engine = racing_engine_for(database_url, 4)

    outcomes = race(
        engine,
        lambda s, n: send_pending(s, transport, now=NOW, mail_from=FROM),
        threads=4,
    )
    engine.dispose()

    assert outcomes == Counter(won=4)
    smtp_server.wait_for(24)
    time.sleep(0.2)
    ids = Counter(m["Message-ID"] for m in smtp_server.messages)
    assert ids == Counter(r.message_id for r in rows)  # each once, none twice
    assert statuses(session) == [MailStatus.SENT] * 24


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example:2525", ("mail.example", 2525, "none", "", "")),
        (
            "smtp://u%40x:p%2Fw@mail.example?starttls=1",
            ("mail.example", 587, "starttls", "u@x", "p/w"),
        ),
        ("smtps://user:secret@mail.example", ("mail.example", 465, "tls", "user", "secret")),
    ],
)
def test_mail_url_names_host_port_security_and_login(url: str, expected: tuple[Any, ...]) -> None:
    t = transport_from_url(url, timeout=7)
    assert t is not None
    assert (t.host, t.port, t.security, t.username, t.password) == expected
    assert t.timeout == 7


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "mail.example:25"])
def test_a_malformed_mail_url_is_refused(url: str) -> None:
    with pytest.raises(InvalidMailUrl):
        transport_from_url(url)


def test_a_blank_mail_url_means_no_transport() -> None:
    assert transport_from_url("") is None


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert, key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def _only_ada(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> AuthResult:
    ok = (auth.login, auth.password) == (b"ada", b"s3cret")
    return AuthResult(success=ok, handled=False)


def test_starttls_with_a_login_delivers(session: Session, certificate: tuple[Path, Path]) -> None:
    options = {
        "tls_context": _server_context(certificate),
        "require_starttls": True,
        "auth_required": True,
        "authenticator": _only_ada,
    }
    queue(session)
    with SmtpServer(**options) as server:
        url = f"smtp://ada:s3cret@127.0.0.1:{server.port}?starttls=1"
        transport = replace(
            transport_from_url(url),  # type: ignore[type-var]
            ssl_context=ssl.create_default_context(cafile=certificate[0]),
        )
        wrong = replace(transport, password="guess")

        # A refused login is the setup's fault, not the message's: retried, not given up.
        assert send_pending(session, wrong, now=NOW, mail_from=FROM).retrying == 1
        assert "535" in session.scalars(select(OutboxMessage.last_error)).one()
        assert send_pending(session, transport, now=NOW + BACKOFF[0], mail_from=FROM).sent == 1

        [message] = server.wait_for(1)
    assert message["Subject"] == CONTENT.subject


def test_implicit_tls_delivers(session: Session, certificate: tuple[Path, Path]) -> None:
    queue(session)
    with SmtpServer(ssl_context=_server_context(certificate)) as server:
        transport = replace(
            transport_from_url(f"smtps://127.0.0.1:{server.port}"),  # type: ignore[type-var]
            ssl_context=ssl.create_default_context(cafile=certificate[0]),
        )
        assert send_pending(session, transport, now=NOW, mail_from=FROM).sent == 1
        [message] = server.wait_for(1)
    assert message["To"] == "ada0@example.com"
