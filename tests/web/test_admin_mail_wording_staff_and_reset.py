"""Mail wording (issue 7) beyond the booking mails: the password reset mail (its link a button in
the studio's colour) and the mails to staff (notice copies, the weekly time slot job) are edited,
previewed, checked on save and reset like the others, and the next mail uses the new wording."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import MailTemplate, NoticeKind, OnlinePreferences, OutboxMessage
from core.services.notice_settings import Choice, save_settings
from tests.conftest import WebClient
from tests.factories import PASSWORD
from tests.smtp import SmtpServer
from tests.web.helpers import at, log_in_client, text_of

RESET = "/admin/mail/wording/password_reset"
NOTICE = "/admin/mail/wording/staff_notice"
SLOT_JOB = "/admin/mail/wording/slot_job"
RESET_WORDING = {
    "subject": "{{ studio_name }}: a new password for {{ email }}",
    "body": "Hi {{ client_name }}!\n\nHere is your link:\n\n{{ reset_link }}\n\n"
    "It works for {{ minutes }} minutes.",
}
BUTTON = re.compile(
    r'<td style="border-radius:6px;background-color:(#[0-9a-f]{6});">\s*'
    r'<a href="(http://studio\.test/account/reset-password/[\w.\-]+)"[^>]*>([^<]+)</a>'
)


@pytest.fixture(autouse=True)
def studio(make: Any) -> None:
    make.studio(name="Northlight Studio")
    make.location(display_name="Northlight Downtown", timezone="America/New_York")


def saved(db_session: Session, kind: str) -> MailTemplate | None:
    db_session.expire_all()
    return db_session.get(MailTemplate, kind)


def html_of(message: Any) -> str:
    return str(message.get_body(("html",)).get_content())


def text_part(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def test_the_list_puts_mails_to_clients_and_mails_to_staff_apart(staff_web: WebClient) -> None:
    page = text_of(staff_web.get("/admin/mail/wording"))

    clients, staff = page.split("Mails to clients", 1)[1].split("Mails to staff", 1)
    assert "Booking confirmation" in clients and "Password reset" in clients
    assert "Notice copy" not in clients and "Weekly time slot job" not in clients
    assert "Notice copy When a staff member asked for email copies" in staff
    assert "Weekly time slot job After each run of the weekly time slot job" in staff
    assert "Password reset" not in staff


def test_the_next_reset_mail_has_the_new_wording_and_its_link_as_a_button(
    staff_web: WebClient,
    web: WebClient,
    make: Any,
    app: Any,
    db_session: Session,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make._save(OnlinePreferences(colour_accent="#8A2BE2"))
    make.client(name="Ada Lovelace", email="ada@example.com")
    monkeypatch.setitem(app.config, "MAIL_URL", smtp_server.url)
    assert staff_web.post(RESET, RESET_WORDING).status_code == 303

    web.post("/account/forgot-password", {"email": "ada@example.com"})

    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Northlight Studio: a new password for ada@example.com"
    text = text_part(message)
    assert text.startswith("Hi Ada Lovelace!\n\nHere is your link:\n\nhttp://studio.test/account/")
    assert text.rstrip().endswith("It works for 60 minutes.")
    html = html_of(message)
    button = BUTTON.search(html)
    assert button, "the link is a button"
    accent, link, label = button.groups()
    assert (accent, label) == ("#8a2be2", "Choose a new password")
    assert link in text
    assert "If the button does not work, copy this address into your browser" in html
    assert html.count(f'href="{link}"') == 2  # the button and the address to copy
    assert "Hi Ada Lovelace!" in html and "It works for 60 minutes." in html


def test_the_built_in_reset_wording_reads_as_before(
    web: WebClient, make: Any, app: Any, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL_SENDER_THREAD", False)
    make.client(name="Ada Lovelace", email="ada@example.com")

    web.post("/account/forgot-password", {"email": "ada@example.com"})

    mail = db_session.scalars(select(OutboxMessage)).one()
    assert mail.subject == "Choose a new password for ada@example.com"
    assert "asked to reset the password of your Northlight Studio account (ada@example.com)" in (
        mail.text_body
    )
    assert BUTTON.search(mail.html_body)


def test_a_reset_link_inside_a_sentence_stays_a_plain_link(
    staff_web: WebClient, make: Any, app: Any, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL_SENDER_THREAD", False)
    make.client(name="Ada Lovelace", email="ada@example.com")
    wording = {**RESET_WORDING, "body": "Hi {{ client_name }}, open {{ reset_link }} soon."}
    staff_web.post(RESET, wording)

    WebClient(app).post("/account/forgot-password", {"email": "ada@example.com"})

    mail = db_session.scalars(select(OutboxMessage)).one()
    assert BUTTON.search(mail.html_body) is None
    assert re.search(r'open <a href="http://studio\.test/account/reset-password/', mail.html_body)


def test_reset_wording_without_the_link_is_refused_and_nothing_is_saved(
    staff_web: WebClient, db_session: Session
) -> None:
    response = staff_web.post(RESET, {**RESET_WORDING, "body": "Hello {{ client_name }}."})

    assert response.status_code == 400
    assert 'id="body-error"' in response.get_data(as_text=True)
    assert "Keep {{ reset_link }} in the text: the mail is of no use without it." in text_of(
        response
    )
    assert saved(db_session, "password_reset") is None


@pytest.mark.parametrize(
    ("path", "field", "typed", "message"),
    [
        (
            RESET,
            "body",
            "{{ reset_link }} {{ manage_link }}",
            "Unknown placeholder {{ manage_link }}",
        ),
        (NOTICE, "body", "Hi {{ client_name }}", "Unknown placeholder {{ client_name }}"),
        (NOTICE, "subject", "{{ title", "Placeholders look like {{ client_name }}."),
        (
            SLOT_JOB,
            "body",
            "{{ title }} for {{ staff_name }}",
            "Unknown placeholder {{ staff_name }}",
        ),
    ],
)
def test_wording_a_mail_cannot_fill_in_is_refused_and_nothing_is_saved(
    staff_web: WebClient, db_session: Session, path: str, field: str, typed: str, message: str
) -> None:
    form = {"subject": "{{ title }}", "body": "{{ title }} {{ reset_link }}"}
    if path == RESET:
        form = dict(RESET_WORDING)
    form[field] = typed

    response = staff_web.post(path, form)

    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert message in text_of(response)
    assert saved(db_session, path.rsplit("/", 1)[1]) is None


def test_the_reset_preview_shows_the_button_in_the_studio_colour(
    staff_web: WebClient, make: Any
) -> None:
    make._save(OnlinePreferences(colour_accent="#0B6E4F"))
    staff_web.get(RESET)

    text = text_of(staff_web.post(f"{RESET}/preview", RESET_WORDING))
    html = staff_web.post(f"{RESET}/preview/html", RESET_WORDING).get_data(as_text=True)

    assert "Northlight Studio: a new password for alex@example.com" in text
    assert "Hi Alex Rivera! Here is your link: http://studio.test/account/reset-password/" in text
    button = BUTTON.search(html)
    assert button and button.group(1) == "#0b6e4f"
    assert button.group(3) == "Choose a new password"


def notice_copy_for(staff: Any, app: Any, make: Any, db_session: Session) -> None:
    save_settings(db_session, staff.id, {NoticeKind.NEW_BOOKING: Choice(False, True)})
    service_type = make.service_type(slug="fam", online_name="Family Portrait Session")
    slot = make.slot(at(2026, 12, 1, 15), service_types=[service_type])
    client_web = WebClient(app)
    log_in_client(client_web, make.client(name="Alex Rivera"))
    client_web.post("/book/fam/hold", {"slot_id": slot.id})
    assert client_web.post("/book/confirm").status_code == 303


def test_the_next_notice_copy_has_the_new_wording_for_each_staff_member(
    staff_web: WebClient,
    app: Any,
    make: Any,
    db_session: Session,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "MAIL_URL", smtp_server.url)
    wording = {
        "subject": "[{{ studio_name }}] {{ title }}",
        "body": "Hi {{ staff_name }},\n\n{{ title }}\n\n{{ details }}\n\nSee {{ admin_link }}",
    }
    assert staff_web.post(NOTICE, wording).status_code == 303

    dana = make.staff(name="Dana Smith", email="dana@studio.test")
    notice_copy_for(dana, app, make, db_session)

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "dana@studio.test"
    assert message["Subject"].startswith("[Northlight Studio] New online booking: Alex Rivera")
    text = text_part(message)
    assert text.startswith("Hi Dana Smith,\n\nNew online booking: Alex Rivera")
    assert "\n\n\n" not in text  # a new booking has no details: no empty paragraph
    assert text.rstrip().endswith("See http://studio.test/admin/bookings")
    assert '<a href="http://studio.test/admin/bookings"' in html_of(message)


def test_the_weekly_job_mail_uses_its_own_wording(
    staff_web: WebClient, make: Any, db_session: Session
) -> None:
    make.slot(at(2026, 11, 25, 15))  # in the source week (NOW's)
    prefs = db_session.scalar(select(OnlinePreferences)) or OnlinePreferences()
    prefs.slot_job_enabled = True
    prefs.slot_job_source_week = date(2026, 11, 23)
    prefs.slot_job_first_week = date(2026, 11, 30)
    prefs.slot_job_email = "owner@studio.test"
    db_session.add(prefs)
    db_session.commit()
    wording = {"subject": "Slots: {{ title }}", "body": "{{ details }}\n\n{{ studio_name }} bot"}
    assert staff_web.post(SLOT_JOB, wording).status_code == 303
    staff_web.get("/admin/preferences/timeslots")

    staff_web.post("/admin/preferences/timeslots/run")

    mail = db_session.scalars(select(OutboxMessage)).one()
    assert mail.subject == "Slots: Weekly time slots: 1 created for the week of Nov 30, 2026"
    assert mail.text_body.startswith("Created 1 time slot")
    assert mail.text_body.rstrip().endswith("Northlight Studio bot")
    assert "Northlight Studio bot" in mail.html_body


def test_a_staff_mail_preview_is_a_made_up_notice_to_whoever_looks(
    web: WebClient, make: Any
) -> None:
    dana = make.staff(name="Dana Smith")
    web.post("/admin/login", {"email": dana.email, "password": PASSWORD}, follow_redirects=True)
    web.get(NOTICE)
    wording = {"subject": "{{ title }}", "body": "Hi {{ staff_name }}: {{ details }}"}

    page = text_of(web.post(f"{NOTICE}/preview", wording)).replace("\u202f", " ")

    assert "for a made-up notice, as if sent to you" in page
    assert "Booking cancelled: Alex Rivera, Family Portrait Session," in page
    assert "Hi Dana Smith: Cancelled by the client. The time is open for booking again." in page


def test_a_staff_mail_goes_back_to_the_built_in_wording(
    staff_web: WebClient, db_session: Session
) -> None:
    staff_web.post(NOTICE, {"subject": "{{ title }}", "body": "{{ title }}"})
    staff_web.get(NOTICE)

    response = staff_web.post(f"{NOTICE}/reset")

    assert response.status_code == 303 and saved(db_session, "staff_notice") is None
    page = text_of(staff_web.get(response.location))
    assert "“Notice copy” uses the built-in wording again." in page
    assert "This is the built-in wording." in page
