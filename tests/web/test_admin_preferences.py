"""The Online booking preferences page: each tab saves its settings, refuses bad input clearly,
and only staff with access see it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import (
    BookingStyle,
    FieldMode,
    KindPreferences,
    ListChoice,
    ListKind,
    OnlinePreferences,
    ServiceKind,
)
from core.services import files
from tests.conftest import WebClient
from tests.factories import PASSWORD

TABS = [
    "activation",
    "general",
    "logo",
    "clients",
    "sessions",
    "appointments",
    "customization",
    "permissions",
]


def saved(session: Session) -> OnlinePreferences:
    session.expire_all()
    prefs = session.scalar(select(OnlinePreferences))
    assert prefs is not None
    return prefs


def png(size: tuple[int, int] = (30, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#ff0000").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_opens_for_staff_with_access(staff_web: WebClient, tab: str) -> None:
    page = staff_web.get(f"/admin/preferences/{tab}")

    assert page.status_code == 200
    assert 'aria-current="page">Preferences<' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "tab"),
    [("get", tab) for tab in TABS]
    + [("post", tab) for tab in TABS if tab != "permissions"]
    + [("post", "general/logins")],
)
def test_staff_without_access_get_403_on_every_tab(
    web: WebClient, make: Any, tab: str, method: str
) -> None:
    staff = make.staff(can_edit_preferences=False)
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)

    response = getattr(web, method)(f"/admin/preferences/{tab}")

    assert response.status_code == 403


def test_staff_without_access_do_not_see_the_nav_link(web: WebClient, make: Any) -> None:
    staff = make.staff(can_edit_preferences=False)
    page = web.post(
        "/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True
    )

    assert ">Preferences<" not in page.get_data(as_text=True)


def test_turning_online_booking_off_is_saved(staff_web: WebClient, db_session: Session) -> None:
    response = staff_web.post("/admin/preferences/activation", {})

    assert response.status_code == 303
    assert saved(db_session).active is False
    assert "Online booking is <strong>off" in staff_web.get(
        "/admin/preferences/activation"
    ).get_data(as_text=True)


def test_general_tab_saves_link_style_with_a_redirect_url(
    staff_web: WebClient, db_session: Session
) -> None:
    staff_web.post(
        "/admin/preferences/general",
        {
            "style": "link",
            "redirect_url": "https://www.studio.example/thanks",
            "login_pattern": "email_random",
        },
    )

    prefs = saved(db_session)
    assert (prefs.style, prefs.redirect_url) == (
        BookingStyle.LINK,
        "https://www.studio.example/thanks",
    )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://studio.example/",
        "www.studio.example",
        "/relative/path",
        "https://",
        "https://studio.example/" + "a" * 500,
    ],
)
def test_general_tab_refuses_a_bad_redirect_url_and_keeps_what_was_typed(
    staff_web: WebClient, db_session: Session, url: str
) -> None:
    page = staff_web.post(
        "/admin/preferences/general",
        {"style": "link", "redirect_url": url, "login_pattern": "email_phone"},
    )

    assert page.status_code == 400
    assert 'id="redirect_url-error"' in page.get_data(as_text=True)
    assert db_session.scalar(select(OnlinePreferences)) is None


def test_link_style_needs_a_redirect_url(staff_web: WebClient) -> None:
    page = staff_web.post(
        "/admin/preferences/general",
        {"style": "link", "redirect_url": "", "login_pattern": "email_phone"},
    )

    assert page.status_code == 400
    assert "so clients can get back to it" in page.get_data(as_text=True)


def test_location_display_names_are_editable_on_the_general_tab(
    staff_web: WebClient, make: Any, db_session: Session
) -> None:
    first, second = make.location(), make.location()

    staff_web.post(
        "/admin/preferences/general",
        {
            "style": "iframe",
            "login_pattern": "email_phone",
            f"location_{first.id}": "Downtown studio",
            f"location_{second.id}": second.display_name,
        },
    )

    db_session.refresh(first)
    assert first.display_name == "Downtown studio"


def test_html_code_is_offered_for_the_widget_and_each_online_type(
    staff_web: WebClient, make: Any
) -> None:
    make.service_type(slug="newborn", online=True)

    html = staff_web.get("/admin/preferences/general").get_data(as_text=True)

    assert "&lt;a href=&#34;http://studio.test/book&#34;&gt;" in html
    # embed.js gives the iframe its address (once, with the page's parameters); without
    # JavaScript the link under it still books.
    assert "&lt;iframe data-studiobook=&#34;http://studio.test/book/newborn&#34;" in html
    assert "&lt;noscript&gt;&lt;a href=&#34;http://studio.test/book/newborn&#34;&gt;" in html
    assert "loading=&#34;lazy&#34;" in html and "/static/widget/embed.js&#34; async" in html
    assert "embed.js?v=" not in html  # pasted once: the same address whatever embed.js becomes


def test_set_for_all_existing_clients_shows_each_generated_password_once(
    staff_web: WebClient, make: Any, db_session: Session
) -> None:
    db_session.add(OnlinePreferences(login_pattern="email_random"))  # type: ignore[arg-type]
    db_session.commit()
    client = make.client(email="new@example.com", password_hash=None)

    page = staff_web.post("/admin/preferences/general/logins")

    db_session.refresh(client)
    assert page.status_code == 200
    assert "new@example.com" in page.get_data(as_text=True)
    assert client.login_from_default is True


def test_an_uploaded_png_becomes_the_logo_and_is_served(
    staff_web: WebClient, db_session: Session
) -> None:
    staff_web.post(
        "/admin/preferences/logo",
        {"show_logo": "y", "upload": (io.BytesIO(png()), "logo.png")},
        content_type="multipart/form-data",
    )

    prefs = saved(db_session)
    assert prefs.show_logo is True and prefs.logo is not None
    served = staff_web.get(f"/files/{prefs.logo.public_id}")
    assert (served.status_code, served.mimetype) == (200, "image/png")
    assert served.data == prefs.logo.data  # the upload as re-encoded (tests/services/test_files)
    assert "immutable" in served.headers["Cache-Control"]
    # The same for everyone: a shared cache may keep one copy (no Vary: Cookie, no cookie set).
    assert "Cookie" not in served.vary and "Set-Cookie" not in served.headers


def test_a_stored_file_answers_304_to_its_etag(staff_web: WebClient, db_session: Session) -> None:
    staff_web.post(
        "/admin/preferences/logo",
        {"upload": (io.BytesIO(png()), "logo.png")},
        content_type="multipart/form-data",
    )
    public_id = saved(db_session).logo.public_id  # type: ignore[union-attr]
    etag = staff_web.get(f"/files/{public_id}").headers["ETag"]

    again = staff_web.raw.get(f"/files/{public_id}", headers={"If-None-Match": etag})

    assert again.status_code == 304


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not really", "JPEG or PNG"),
        (b"%PDF-1.4", "JPEG or PNG"),
        (b"\x89PNG" + b"0" * 200 * 1024, "larger than 200 KB"),
    ],
    ids=["gif", "pdf", "too-large"],
)
def test_logo_tab_refuses_non_images_and_oversized_files_with_a_message(
    staff_web: WebClient,
    db_session: Session,
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    message: str,
) -> None:
    # A smaller limit: the test client spools bodies over 500 KB to a file it never closes.
    monkeypatch.setattr(files, "MAX_BYTES", 200 * 1024)
    page = staff_web.post(
        "/admin/preferences/logo",
        {"upload": (io.BytesIO(data), "logo.png")},
        content_type="multipart/form-data",
    )

    assert page.status_code in (400, 413)
    assert message in page.get_data(as_text=True)
    assert db_session.scalar(select(OnlinePreferences)) is None


def test_clients_tab_saves_field_modes_and_new_client_defaults(
    staff_web: WebClient, make: Any, db_session: Session
) -> None:
    status = make._save(ListChoice(kind=ListKind.CLIENT_STATUS, name="Booked online"))

    staff_web.post(
        "/admin/preferences/clients",
        {
            "disable_new_accounts": "y",
            "new_client_status_id": str(status.id),
            "new_client_lead_source_id": "",
            "ask_lead_source": "y",
            "phone_mode": "required",
            "mobile_mode": "optional",
            "address_mode": "hidden",
            "texting_consent_mode": "optional",
            "marketing_consent_mode": "hidden",
        },
    )

    prefs = saved(db_session)
    assert prefs.disable_new_accounts and prefs.ask_lead_source
    assert prefs.new_client_status_id == status.id
    assert (prefs.phone_mode, prefs.marketing_consent_mode) == (
        FieldMode.REQUIRED,
        FieldMode.HIDDEN,
    )


def test_clients_tab_lists_the_lead_sources_shown_online(staff_web: WebClient, make: Any) -> None:
    make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="Instagram", show_online=True))
    make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="Staff only", show_online=False))

    html = staff_web.get("/admin/preferences/clients").get_data(as_text=True)

    assert "Offered online: Instagram." in html


@pytest.mark.parametrize(
    ("tab", "kind"), [("sessions", ServiceKind.SESSION), ("appointments", ServiceKind.APPOINTMENT)]
)
def test_kind_tab_saves_notice_limits_in_hours_and_blank_as_no_limit(
    staff_web: WebClient, db_session: Session, tab: str, kind: ServiceKind
) -> None:
    staff_web.post(
        f"/admin/preferences/{tab}",
        {
            "default_description": "Booked online",
            "default_booker_id": "",
            "notes_mode": "required",
            "notice_book_hours": "24",
            "notice_reschedule_hours": "",
            "notice_cancel_hours": "0",
            "ask_booking_reason": "y",
        },
    )

    db_session.expire_all()
    prefs = db_session.get(KindPreferences, kind)
    assert prefs is not None
    assert (prefs.notice_book_minutes, prefs.notice_reschedule_minutes) == (24 * 60, None)
    assert (prefs.notice_cancel_minutes, prefs.notes_mode) == (0, FieldMode.REQUIRED)


@pytest.mark.parametrize("hours", ["-1", "abc", "1.5", "9000"])
def test_kind_tab_refuses_a_bad_notice_limit(staff_web: WebClient, hours: str) -> None:
    page = staff_web.post(
        "/admin/preferences/sessions",
        {"notes_mode": "optional", "notice_book_hours": hours, "default_booker_id": ""},
    )

    assert page.status_code == 400
    assert 'id="notice_book_hours-error"' in page.get_data(as_text=True)


def test_customization_saves_colours_lower_case_and_blank_as_default(
    staff_web: WebClient, db_session: Session
) -> None:
    staff_web.post(
        "/admin/preferences/customization",
        {"accent": "#1A73E8", "background": "", "text": "#000000"},
    )

    prefs = saved(db_session)
    assert (prefs.colour_accent, prefs.colour_background, prefs.colour_text) == (
        "#1a73e8",
        None,
        "#000000",
    )


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#gggggg", "123456", "#12 456"])
def test_customization_refuses_a_bad_colour_and_keeps_what_was_typed(
    staff_web: WebClient, db_session: Session, colour: str
) -> None:
    page = staff_web.post(
        "/admin/preferences/customization", {"accent": colour, "background": "", "text": ""}
    )

    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert 'id="accent-error"' in html
    assert db_session.scalar(select(OnlinePreferences)) is None


def test_customization_shows_a_live_preview_of_the_widget(staff_web: WebClient) -> None:
    html = staff_web.get("/admin/preferences/customization").get_data(as_text=True)

    assert '<iframe id="widget-preview"' in html and "/book?preview=1" in html


def test_permissions_tab_lists_who_has_access_and_links_to_the_staff_page(
    staff_web: WebClient, make: Any
) -> None:
    other = make.staff(name="Sam Assistant", can_edit_preferences=False)

    page = staff_web.get("/admin/preferences/permissions").get_data(as_text=True)

    assert "Sam Assistant" in page and "No access" in page
    assert f'href="/admin/staff/{other.id}"' in page
