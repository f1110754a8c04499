"""The studio's wording of client mails: placeholders checked on save, filled in the sandbox."""

from __future__ import annotations

import pytest
from jinja2.exceptions import SecurityError
from sqlalchemy.orm import Session

from core.services.errors import InvalidDetails
from core.services.mail import templates
from tests.conftest import NOW

VALUES = {
    "client_name": "Alex Rivera",
    "studio_name": "Northlight",
    "service_type": "Family Portrait Session",
    "date": "Tuesday, December 1, 2026",
    "time": "10:00 AM EST",
}


def test_every_built_in_wording_is_valid_for_its_kind() -> None:
    for kind, mail in templates.KINDS.items():
        assert templates.validate(kind, mail.subject, mail.body) == {}, kind


def test_the_built_in_wording_is_used_until_the_studio_edits_it(session: Session) -> None:
    subject, body = templates.render(session, "booking_confirmation", VALUES)
    assert subject == "Your Family Portrait Session on Tuesday, December 1, 2026 is booked"
    assert body.startswith("Hello Alex Rivera,\n\nThank you for booking with Northlight.")

    templates.save(
        session,
        "booking_confirmation",
        subject="See you {{ date }}!",
        body="Hi {{ client_name }}, you're in.",
        staff_id=None,
        now=NOW,
    )

    assert templates.render(session, "booking_confirmation", VALUES) == (
        "See you Tuesday, December 1, 2026!",
        "Hi Alex Rivera, you're in.\n",
    )
    assert templates.wording(session, "booking_confirmation")[2] is True
    templates.reset(session, "booking_confirmation")
    assert templates.wording(session, "booking_confirmation")[2] is False


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("Hi {{ clientname }}", "Body", "subject", "Unknown placeholder {{ clientname }}"),
        ("Hi", "{{ hold_link }} {{ x }}", "body", "Unknown placeholders {{ hold_link }}, {{ x }}"),
        ("Hi", "Dear {{ client_name }", "body", "Line 1: "),
        ("", "Body", "subject", "This cannot be empty."),
        ("Hi", "   ", "body", "This cannot be empty."),
        ("x" * 201, "Body", "subject", "At most 200 characters."),
    ],
)
def test_wording_that_cannot_work_is_refused_on_save(
    session: Session, subject: str, body: str, field: str, message: str
) -> None:
    with pytest.raises(InvalidDetails) as refused:
        templates.save(
            session, "booking_confirmation", subject=subject, body=body, staff_id=None, now=NOW
        )
    assert message in refused.value.errors[field]
    assert templates.wording(session, "booking_confirmation")[2] is False


def test_the_sandbox_keeps_wording_from_reaching_python(session: Session) -> None:
    refused = templates.validate(
        "booking_confirmation", "Hi", "{{ client_name.__class__.__mro__ }}"
    )
    assert refused == {}  # a known placeholder: allowed, but the sandbox blocks the attribute
    with pytest.raises(SecurityError):
        templates.fill("booking_confirmation", "Hi", "{{ client_name.__class__.__mro__ }}", VALUES)


def test_an_unknown_kind_is_not_found() -> None:
    with pytest.raises(templates.UnknownMailKind):
        templates.validate("nope", "a", "b")
