"""Input no form can store is refused before any view reads it: a NUL character (PostgreSQL
refuses it in text) anywhere in the request, or a file sent in a text field."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms.fields.core import UnboundField

from core.models import Client
from tests.conftest import WebClient
from tests.web.helpers import log_in_client, text_of
from web.form_input import FILE_REFUSED, NUL_REFUSED, UPLOAD_FIELDS


@pytest.fixture
def client(web: WebClient, make: Any) -> Any:
    client = make.client(name="Nora Null")
    log_in_client(web, client)
    web.get("/account/profile")
    return client


def _name_of(db_session: Session, client: Any) -> str:
    db_session.expire_all()
    return db_session.scalar(select(Client.name).where(Client.id == client.id)) or ""


@pytest.mark.parametrize(
    "data",
    [{"name": "Nora\x00Null"}, {"name": "Nora", "phone\x00": "1"}],
    ids=["in a value", "in a name"],
)
def test_a_nul_character_in_a_field_is_a_400_and_saves_nothing(
    web: WebClient, client: Any, db_session: Session, data: dict[str, str]
) -> None:
    response = web.post("/account/profile", {"phone": "+1 555 0100", **data})

    assert response.status_code == 400
    assert NUL_REFUSED in text_of(response)
    assert _name_of(db_session, client) == "Nora Null"


def test_a_nul_character_in_the_address_is_a_400(web: WebClient) -> None:
    for url in ("/book/fam%00ily", "/book?location=1%00"):
        response = web.get(url)

        assert response.status_code == 400, url
        assert NUL_REFUSED in text_of(response)


def test_a_file_in_a_text_field_is_a_400_and_saves_nothing(
    web: WebClient, client: Any, db_session: Session
) -> None:
    response = web.post(
        "/account/profile", {"name": (io.BytesIO(b"GIF89a"), "me.gif"), "phone": "+1 555 0100"}
    )

    assert response.status_code == 400
    assert FILE_REFUSED in text_of(response)
    assert _name_of(db_session, client) == "Nora Null"


def _form_classes(cls: type) -> list[type]:
    return [cls] + [c for sub in cls.__subclasses__() for c in _form_classes(sub)]


def test_the_upload_fields_are_the_forms_file_fields(app: Any) -> None:
    # The app imported every form; each FileField's name is an upload field, and only those.
    fields = {
        (name, issubclass(field.field_class, FileField))
        for form in _form_classes(FlaskForm)
        for name in dir(form)
        if isinstance(field := getattr(form, name, None), UnboundField)
    }

    assert {name for name, is_file in fields if is_file} == UPLOAD_FIELDS
    assert not {name for name, is_file in fields if not is_file} & UPLOAD_FIELDS
