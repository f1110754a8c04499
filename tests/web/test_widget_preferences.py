"""What the studio's online booking preferences change in the widget (seed 001): activation,
the Clients tab on registration and the profile, the Sessions / Appointments tabs on the
review step, the booking notice, colours, logo and the way back to the studio's site."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.models import (
    Booking,
    BookingStyle,
    Client,
    FieldMode,
    KindPreferences,
    ListChoice,
    ListKind,
    OnlinePreferences,
    PaymentOption,
    ServiceKind,
    SlotState,
    StoredFile,
    TimeSlot,
)
from tests.factories import PASSWORD
from tests.web.conftest import to_review
from tests.web.helpers import at, log_in_client, slot_ids, stylesheet_url, text_of
from tests.web.test_widget_payment import VISA, pay_form

NEW_CLIENT = {"name": "Ada Client", "email": "ada@example.com", "password": "long enough"}


@pytest.fixture
def offer(make):
    """One session type on one open slot, 3 Dec 2026 10:00 New York (ten days after NOW)."""
    make.studio(name="Northlight Studio")
    service_type = make.service_type(slug="fam", online_name="Family Portrait")
    slot = make.slot(at(2026, 12, 3, 15), service_types=[service_type])
    return service_type, slot


def _booked_as_client(web, make, slot):
    client = make.client()
    log_in_client(web, client)
    web.post("/book/fam/hold", {"slot_id": slot.id})
    return client


# --- Activation --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/book", "/book/fam", "/login", "/register", "/account/profile"])
def test_switched_off_booking_shows_the_notice_on_every_widget_page(web, make, offer, url):
    make._save(OnlinePreferences(active=False))

    response = web.get(url)
    assert response.status_code == 503 and response.headers["Retry-After"]
    page = text_of(response)
    assert "Online booking is not available right now" in page and "Northlight Studio" in page


def test_switched_off_booking_leaves_health_and_admin_alone(web, make):
    make._save(OnlinePreferences(active=False))

    assert web.get("/healthz").status_code == 200
    assert web.get("/admin/login").status_code == 200


def test_switched_on_booking_shows_the_widget(web, offer):
    assert web.get("/book").status_code == 200


# --- Clients tab -------------------------------------------------------------------------------


def test_disabled_new_accounts_hide_the_form_and_refuse_registration(web, make, offer):
    _, slot = offer
    make._save(OnlinePreferences(disable_new_accounts=True))
    web.post("/book/fam/hold", {"slot_id": slot.id})

    page = text_of(web.get("/book/checkout"))
    assert "I'm new here" not in page and "contact the studio" in page
    refused = web.post("/register", NEW_CLIENT)
    assert refused.status_code == 403 and "contact the studio" in text_of(refused)


@pytest.mark.parametrize(
    ("column", "label"),
    [
        ("phone_mode", "Phone"),
        ("mobile_mode", "Mobile"),
        ("address_mode", "Address"),
        ("texting_consent_mode", "May we text you?"),
        ("marketing_consent_mode", "May we email you marketing material?"),
    ],
)
def test_hidden_client_fields_are_not_asked(web, make, column, label):
    shown = text_of(web.get("/register"))
    make._save(OnlinePreferences(**{column: FieldMode.HIDDEN}))

    hidden = text_of(web.get("/register"))
    assert (label in shown, label in hidden) == (
        column in {"phone_mode", "marketing_consent_mode"},
        False,
    )


@pytest.mark.parametrize("column", ["phone_mode", "mobile_mode", "address_mode"])
def test_a_required_client_field_left_blank_is_refused(web, make, column):
    make._save(OnlinePreferences(**{column: FieldMode.REQUIRED}))

    response = web.post("/register", NEW_CLIENT)
    assert response.status_code == 400 and "Enter your" in text_of(response)
    assert make.session.scalar(select(Client)) is None


def test_a_required_consent_is_a_yes_no_question_and_no_is_stored(web, make, db_session):
    make._save(OnlinePreferences(marketing_consent_mode=FieldMode.REQUIRED))
    html = web.get("/register").get_data(as_text=True)
    assert 'type="radio"' in html and "<legend>May we email you marketing material?" in html

    unanswered = web.post("/register", NEW_CLIENT)
    assert unanswered.status_code == 400 and "Please answer yes or no." in text_of(unanswered)
    web.post("/register", {**NEW_CLIENT, "marketing_consent": "no"})
    assert db_session.scalar(select(Client.do_not_market)) is True


def test_a_ticked_marketing_box_clears_do_not_market(web, db_session):
    web.post("/register", {**NEW_CLIENT, "marketing_consent": "y"})

    assert db_session.scalar(select(Client.do_not_market)) is False


def test_lead_source_question_lists_only_sources_shown_online(web, make, db_session):
    friend = make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="A friend", show_online=True))
    make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="Staff referral"))
    not_asked = text_of(web.get("/register"))
    make._save(OnlinePreferences(ask_lead_source=True))

    asked = text_of(web.get("/register"))
    assert "How did you hear about us?" not in not_asked
    assert "A friend" in asked and "Prefer not to say" in asked and "Staff referral" not in asked
    web.post("/register", {**NEW_CLIENT, "lead_source": str(friend.id)})
    assert db_session.scalar(select(Client.lead_source_id)) == friend.id


def test_new_online_clients_get_the_default_status_and_lead_source(web, make, db_session):
    status = make._save(ListChoice(kind=ListKind.CLIENT_STATUS, name="Booked online"))
    source = make._save(ListChoice(kind=ListKind.LEAD_SOURCE, name="Website"))
    make._save(
        OnlinePreferences(new_client_status_id=status.id, new_client_lead_source_id=source.id)
    )

    web.post("/register", NEW_CLIENT)
    client = db_session.scalar(select(Client))
    assert (client.status_id, client.lead_source_id) == (status.id, source.id)


# --- Sessions / Appointments tabs on the review step -------------------------------------------


@pytest.mark.parametrize(("mode", "shown"), [(FieldMode.HIDDEN, False), (FieldMode.OPTIONAL, True)])
def test_notes_field_follows_the_kinds_mode(web, make, offer, mode, shown):
    _, slot = offer
    make._save(KindPreferences(kind=ServiceKind.SESSION, notes_mode=mode))
    _booked_as_client(web, make, slot)

    assert ("Notes for the studio" in text_of(web.get("/book/checkout"))) is shown


def test_required_notes_must_be_written_before_booking(web, make, offer, db_session):
    _, slot = offer
    make._save(KindPreferences(kind=ServiceKind.SESSION, notes_mode=FieldMode.REQUIRED))
    _booked_as_client(web, make, slot)

    refused = web.post("/book/confirm", {"notes": ""})
    assert refused.status_code == 400 and "Please add a note for the studio." in text_of(refused)
    assert db_session.scalar(select(Booking)) is None


def test_booking_records_notes_reason_and_the_kinds_defaults(web, make, offer, db_session):
    _, slot = offer
    staff = make.staff()
    reason = make._save(ListChoice(kind=ListKind.BOOKING_REASON, name="Birthday", show_online=True))
    make._save(
        KindPreferences(
            kind=ServiceKind.SESSION,
            ask_booking_reason=True,
            default_description="Session booked online",
            default_booker_id=staff.id,
        )
    )
    _booked_as_client(web, make, slot)
    assert "Why are you booking?" in text_of(web.get("/book/checkout"))

    web.post("/book/confirm", {"notes": "Bring the dog", "reason": str(reason.id)})
    booking = db_session.scalar(select(Booking))
    assert (booking.notes, booking.reason_id, booking.description, booking.booked_by_id) == (
        "Bring the dog",
        reason.id,
        "Session booked online",
        staff.id,
    )


def test_an_asked_booking_reason_is_required(web, make, offer, db_session):
    _, slot = offer
    make._save(ListChoice(kind=ListKind.BOOKING_REASON, name="Birthday", show_online=True))
    make._save(KindPreferences(kind=ServiceKind.SESSION, ask_booking_reason=True))
    _booked_as_client(web, make, slot)

    refused = web.post("/book/confirm", {"reason": ""})
    assert refused.status_code == 400 and db_session.scalar(select(Booking)) is None


# --- Booking notice ----------------------------------------------------------------------------


def test_slots_inside_the_booking_notice_are_not_offered(web, make, offer):
    _, slot = offer
    day = "?day=2026-12-03"
    offered = slot_ids(web.get(f"/book/fam{day}"))
    make._save(KindPreferences(kind=ServiceKind.SESSION, notice_book_minutes=11 * 24 * 60))

    assert offered == [slot.id]
    assert slot_ids(web.get(f"/book/fam{day}")) == []


def test_holding_a_slot_inside_the_notice_is_refused(web, make, offer, db_session):
    _, slot = offer
    make._save(KindPreferences(kind=ServiceKind.SESSION, notice_book_minutes=11 * 24 * 60))

    refused = web.post("/book/fam/hold", {"slot_id": slot.id})
    assert refused.status_code == 409 and "too soon to book online" in text_of(refused)
    db_session.expire_all()
    assert db_session.get(TimeSlot, slot.id).state is SlotState.OPEN


# --- Customization, logo, link style -----------------------------------------------------------


def _stylesheet(web):
    return web.get(stylesheet_url(web)).get_data(as_text=True)


def test_the_stylesheet_carries_the_studios_colours(web, make):
    before = _stylesheet(web)
    make._save(OnlinePreferences(colour_accent="#FFEE00", colour_background="#101010"))

    url = stylesheet_url(web)
    response = web.get(url)
    css = response.get_data(as_text=True)
    assert "--sb-accent: #2f5d62" in before and "--sb-accent:#" not in before  # widget.css's own
    # After widget.css's defaults, so the studio's :root wins.
    assert css.index("--sb-accent:#ffee00") > css.index("--sb-accent: #2f5d62")
    assert "--sb-bg:#101010" in css
    assert "--sb-text:#eef0f2" in css  # light text on a dark background (AA)
    assert "--sb-accent-text:#000000" in css  # dark text on a light accent
    assert response.mimetype == "text/css" and response.headers["ETag"]
    assert web.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_a_dark_accent_gets_white_text(web, make):
    make._save(OnlinePreferences(colour_accent="#1a237e"))

    assert "--sb-accent-text:#ffffff" in _stylesheet(web)


def test_the_pale_fill_behind_available_days_follows_the_accent(web, make):
    make._save(OnlinePreferences(colour_accent="#8a2be2"))

    # 86% white over #8a2be2: a pale violet, not the default teal tint.
    assert "--sb-accent-soft:#efe1fb" in _stylesheet(web)


def test_widget_pages_link_one_versioned_stylesheet(web):
    assert re.fullmatch(r"/book/widget\.css\?v=[0-9a-f]{16}", stylesheet_url(web))


def _logo(make):
    return make._save(
        StoredFile(
            content_type="image/jpeg", data=b"x", width=1, height=1, created_at=at(2026, 1, 1, 0)
        )
    )


@pytest.mark.parametrize(
    ("style", "show_logo", "shown"),
    [
        (BookingStyle.LINK, True, True),
        (BookingStyle.IFRAME, True, False),
        (BookingStyle.LINK, False, False),
    ],
)
def test_logo_shows_in_the_header_only_for_link_style_with_show_logo(
    web, make, offer, style, show_logo, shown
):
    logo = _logo(make)
    make._save(OnlinePreferences(style=style, show_logo=show_logo, logo_id=logo.id))

    html = web.get("/book").get_data(as_text=True)
    assert (f'src="/files/{logo.public_id}" alt="Northlight Studio"' in html) is shown


@pytest.mark.parametrize(
    ("style", "shown"), [(BookingStyle.LINK, True), (BookingStyle.IFRAME, False)]
)
def test_confirmation_links_back_to_the_studio_in_link_style(web, make, offer, style, shown):
    _, slot = offer
    make._save(OnlinePreferences(style=style, redirect_url="https://northlight.example/"))
    _booked_as_client(web, make, slot)
    confirmed = web.post("/book/confirm")

    html = web.get(confirmed.location).get_data(as_text=True)
    assert ('href="https://northlight.example/"' in html) is shown
    assert ("Back to Northlight Studio" in html) is shown


# --- Profile -----------------------------------------------------------------------------------


def test_client_edits_their_details_with_the_studios_fields(web, make, db_session):
    make._save(OnlinePreferences(mobile_mode=FieldMode.OPTIONAL))
    client = make.client()
    log_in_client(web, client)
    assert "Mobile" in text_of(web.get("/account/profile"))

    response = web.post(
        "/account/profile", {"name": "New Name", "phone": "+1 555 0111", "mobile": "+1 555 0122"}
    )
    assert response.status_code == 303
    db_session.expire_all()
    saved = db_session.get(Client, client.id)
    assert (saved.name, saved.mobile) == ("New Name", "+1 555 0122")


def test_a_required_profile_field_left_blank_is_refused(web, make):
    make._save(OnlinePreferences(address_mode=FieldMode.REQUIRED))
    log_in_client(web, make.client())

    response = web.post("/account/profile", {"name": "X", "address": ""})
    assert response.status_code == 400 and "Enter your address." in text_of(response)


def test_password_change_needs_the_current_password(web, make):
    log_in_client(web, make.client())

    response = web.post(
        "/account/password", {"current_password": "wrong", "new_password": "a new password"}
    )
    assert response.status_code == 400 and "That is not your current password." in text_of(response)


def test_a_changed_password_logs_in(web, make):
    client = make.client()
    log_in_client(web, client)
    web.get("/account/profile")
    changed = web.post(
        "/account/password", {"current_password": PASSWORD, "new_password": "a new password"}
    )
    web.post("/logout")

    assert changed.status_code == 303
    assert (
        web.post("/login", {"email": client.email, "password": "a new password"}).status_code == 303
    )


def test_notes_and_reason_survive_the_payment_step(web, make, priced_offer, db_session):
    reason = make._save(ListChoice(kind=ListKind.BOOKING_REASON, name="Birthday", show_online=True))
    make._save(KindPreferences(kind=ServiceKind.SESSION, ask_booking_reason=True))
    to_review(web, make, priced_offer(PaymentOption.FULL_AMOUNT))
    to_pay = web.post("/book/confirm", {"notes": "Bring the dog", "reason": str(reason.id)})
    assert to_pay.location.endswith("/book/pay")

    _, hidden = pay_form(web)
    web.post("/book/pay", {**VISA, **hidden})
    booking = db_session.scalar(select(Booking))
    assert (booking.notes, booking.reason_id) == ("Bring the dog", reason.id)
