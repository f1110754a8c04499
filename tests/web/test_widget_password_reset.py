"""Forgotten password in the widget: ask for a link, the mail, choosing a new password through
it once, and every way a link can be wrong."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import MailStatus, OnlinePreferences, OutboxMessage, StoredFile
from tests.conftest import Clock, WebClient
from tests.smtp import SmtpServer
from tests.web.helpers import log_in_client, text_of

SAME_ANSWER = "If we have an account for ada@example.com, we’ve sent a link"
LINK = re.compile(r"https?://studio\.test(/account/reset-password/[\w.\-]+)")


@pytest.fixture
def manual_sending(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mail stays pending in the outbox until a test sends it."""
    monkeypatch.setitem(app.config, "MAIL_SENDER_THREAD", False)


@pytest.fixture
def ada(make: Any, manual_sending: None) -> Any:
    make.studio(name="Northlight Studio")
    return make.client(name="Ada Lovelace", email="ada@example.com")


def outbox(db_session: Session) -> list[OutboxMessage]:
    db_session.expire_all()
    return list(db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def reset_path(db_session: Session) -> str:
    found = LINK.search(outbox(db_session)[-1].text_body)
    assert found, "the mail holds the link"
    return found.group(1)


def ask_for_link(web: WebClient, email: str = "ada@example.com") -> Any:
    return web.post("/account/forgot-password", {"email": email})


def test_the_login_form_offers_a_forgotten_password_link(web: WebClient) -> None:
    page = web.get("/login").get_data(as_text=True)

    assert '<a href="/account/forgot-password">Forgot your password?</a>' in page


def test_known_and_unknown_addresses_get_the_same_answer(
    web: WebClient, ada: Any, db_session: Session
) -> None:
    known = ask_for_link(web)
    unknown = ask_for_link(web, "nobody@example.com")

    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in text_of(known)
    assert text_of(unknown) == text_of(known).replace("ada@example.com", "nobody@example.com")
    assert [m.to_address for m in outbox(db_session)] == ["ada@example.com"]


def test_a_malformed_address_is_refused_next_to_the_field(web: WebClient, ada: Any) -> None:
    response = ask_for_link(web, "ada at example")

    assert response.status_code == 400
    assert "Enter a valid email address." in text_of(response)
    assert 'value="ada at example"' in response.get_data(as_text=True)


def test_the_mail_has_the_studio_name_accent_logo_and_link(
    web: WebClient, ada: Any, make: Any, db_session: Session
) -> None:
    logo = make._save(
        StoredFile(
            content_type="image/png", data=b"x", width=1, height=1, created_at=datetime.now(UTC)
        )
    )
    make._save(OnlinePreferences(colour_accent="#8A2BE2", logo_id=logo.id))

    ask_for_link(web)

    [mail] = outbox(db_session)
    assert mail.kind == "password_reset" and mail.client_id == ada.id
    assert mail.subject == "Choose a new password for ada@example.com"
    path = reset_path(db_session)
    assert mail.text_body.startswith("Hello Ada Lovelace,")
    assert "works for 60 minutes and only once" in mail.text_body
    assert mail.text_body.rstrip().endswith("Northlight Studio")
    assert f'href="http://studio.test{path}"' in mail.html_body
    assert "background-color:#8a2be2" in mail.html_body
    assert "color:#ffffff" in mail.html_body  # readable on the violet button
    assert (
        f'src="http://studio.test/files/{logo.public_id}" alt="Northlight Studio"' in mail.html_body
    )


def test_the_link_sets_a_new_password_logs_in_and_works_once(
    web: WebClient, ada: Any, db_session: Session
) -> None:
    ask_for_link(web)
    path = reset_path(db_session)

    form = web.get(path)
    assert form.status_code == 200
    assert "Choose a new password" in text_of(form)
    saved = web.post(path, {"new_password": "a new secret phrase"})

    assert saved.status_code == 303 and saved.location == "/account/bookings"
    bookings = web.get("/account/bookings")
    assert "Your new password is saved and you are logged in." in text_of(bookings)
    again = web.get(path)
    assert again.status_code == 400
    assert "This link has been used already" in text_of(again)
    assert 'action="/account/forgot-password"' in again.get_data(as_text=True)

    fresh = WebClient(web.app)
    assert log_in_client(fresh, ada).status_code == 401  # the old password is gone
    assert (
        fresh.post(
            "/login", {"email": "ada@example.com", "password": "a new secret phrase"}
        ).status_code
        == 303
    )


def test_a_too_short_password_is_refused_and_the_link_still_works(
    web: WebClient, ada: Any, db_session: Session
) -> None:
    ask_for_link(web)
    path = reset_path(db_session)

    refused = web.post(path, {"new_password": "short"})

    assert refused.status_code == 400
    assert "Use at least 8 characters." in text_of(refused)
    assert web.post(path, {"new_password": "long enough now"}).status_code == 303


def test_the_link_expires_after_password_reset_minutes(
    web: WebClient, ada: Any, db_session: Session, clock: Clock
) -> None:
    ask_for_link(web)
    path = reset_path(db_session)

    clock.travel(minutes=61)
    response = web.post(path, {"new_password": "a new secret phrase"})

    assert response.status_code == 400
    assert "This link has expired. Please ask for a new link below." in text_of(response)
    assert log_in_client(WebClient(web.app), ada).status_code == 303  # password unchanged


def test_a_tampered_link_is_refused(web: WebClient, ada: Any, db_session: Session) -> None:
    ask_for_link(web)
    path = reset_path(db_session)
    tampered = path[:-3] + ("xyz" if not path.endswith("xyz") else "abc")

    response = web.get(tampered)

    assert response.status_code == 400
    assert "This link is not valid." in text_of(response)
    assert "Send me a new link" in text_of(response)


def test_the_mail_goes_out_after_the_request_without_the_request_waiting(
    web: WebClient, make: Any, app: Any, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make.studio(name="Northlight Studio")
    make.client(name="Ada Lovelace", email="ada@example.com")
    monkeypatch.setitem(app.config, "MAIL_URL", smtp_server.url)
    monkeypatch.setitem(app.config, "MAIL_SENDER_THREAD", True)
    smtp_server.delay = 1.5  # a slow mail server

    started = time.monotonic()
    answer = ask_for_link(web)
    answered_in = time.monotonic() - started

    assert answer.status_code == 200 and answered_in < 1.0
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ada@example.com"
    assert message["From"] == "Northlight Studio <bookings@studiobook.invalid>"
    assert LINK.search(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert "Choose a new password" in message.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_send_pending_command_sends_what_is_due(
    app: Any,
    ada: Any,
    web: WebClient,
    db_session: Session,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ask_for_link(web)
    monkeypatch.setitem(app.config, "MAIL_URL", smtp_server.url)

    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])

    assert result.exit_code == 0, result.output
    assert "Mail: 1 sent, 0 to retry later, 0 failed, 0 kept" in result.output
    [message] = smtp_server.wait_for(1)
    assert message["Message-ID"] == outbox(db_session)[0].message_id
    assert outbox(db_session)[0].status is MailStatus.SENT


def test_send_pending_command_without_mail_url_keeps_the_mail(
    app: Any, ada: Any, web: WebClient, db_session: Session
) -> None:
    ask_for_link(web)

    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])

    assert result.exit_code == 0
    assert "0 sent, 0 to retry later, 0 failed, 1 kept in the outbox" in result.output
    assert outbox(db_session)[0].status is MailStatus.KEPT
