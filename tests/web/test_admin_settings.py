"""Staff set the Invoices preferences (seed 001, Invoices tab) and keep the lists they choose
from: invoice statuses, invoice classifications and payment methods."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.models import InvoicePreferences, ListChoice, ListKind
from core.services import settings
from tests.conftest import WebClient
from tests.web.helpers import text_of

URL = "/admin/settings/invoices"


def names(db_session: Any, kind: ListKind) -> list[str]:
    db_session.expire_all()
    return [c.name for c in settings.list_choices(db_session, kind)]


def saved_preferences(db_session: Any) -> InvoicePreferences | None:
    db_session.expire_all()
    return db_session.scalar(select(InvoicePreferences))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/settings"),
        ("get", URL),
        ("post", URL),
        ("post", f"{URL}/statuses"),
        ("post", f"{URL}/entries/1/rename"),
        ("post", f"{URL}/entries/1/retire"),
        ("post", f"{URL}/entries/1/restore"),
        ("post", f"{URL}/entries/1/move"),
    ],
)
def test_anonymous_visitors_are_sent_to_the_staff_login(
    web: WebClient, method: str, url: str
) -> None:
    response = getattr(web, method)(url)

    assert response.status_code == 303
    assert response.location.startswith("/admin/login?next=")


def test_settings_open_on_the_invoices_tab(staff_web: WebClient) -> None:
    response = staff_web.get("/admin/settings")

    assert (response.status_code, response.location) == (302, URL)


def test_the_page_shows_the_defaults_form_and_the_three_lists(
    staff_web: WebClient, db_session: Any
) -> None:
    settings.ensure_default_lists(db_session)
    db_session.commit()

    page = text_of(staff_web.get(URL))

    for label in (
        "Default description",
        "Default status",
        "Default classification",
        "Default sales rep",
        "Default payment method",
    ):
        assert label in page
    assert "Invoice statuses in the order staff see them." in page
    assert "Invoice classifications in the order staff see them." in page
    assert "Payment methods in the order staff see them." in page
    assert "Bank transfer" in page


def test_save_the_invoice_defaults(staff_web: WebClient, db_session: Any, make: Any) -> None:
    status = settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Open")
    kind = settings.add_choice(db_session, ListKind.INVOICE_CLASSIFICATION, "Session fee")
    method = settings.add_choice(db_session, ListKind.PAYMENT_METHOD, "Credit card")
    rep = make.staff(name="Robin")

    response = staff_web.post(
        URL,
        {
            "description": "Booked on our website",
            "status_id": str(status.id),
            "classification_id": str(kind.id),
            "sales_rep_id": str(rep.id),
            "payment_method_id": str(method.id),
        },
    )

    assert (response.status_code, response.location) == (303, URL)
    prefs = saved_preferences(db_session)
    assert prefs is not None
    assert prefs.default_description == "Booked on our website"
    assert (
        prefs.default_status_id,
        prefs.default_classification_id,
        prefs.default_sales_rep_id,
        prefs.default_payment_method_id,
    ) == (status.id, kind.id, rep.id, method.id)


def test_every_default_may_be_left_empty(staff_web: WebClient, db_session: Any) -> None:
    response = staff_web.post(
        URL,
        {
            "description": "",
            "status_id": "",
            "classification_id": "",
            "sales_rep_id": "",
            "payment_method_id": "",
        },
    )

    assert response.status_code == 303
    prefs = saved_preferences(db_session)
    assert prefs is not None and prefs.default_status_id is None


def test_the_form_shows_the_saved_defaults(staff_web: WebClient, db_session: Any) -> None:
    status = settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Open")
    settings.update_invoice_preferences(
        db_session, settings.InvoiceDefaults(description="From the web", status_id=status.id)
    )

    page = staff_web.get(URL).get_data(as_text=True)

    assert 'value="From the web"' in page
    assert f'<option selected value="{status.id}">Open</option>' in page


def test_retired_entries_and_inactive_staff_are_not_offered(
    staff_web: WebClient, db_session: Any, make: Any
) -> None:
    settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Open")
    void = settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Void")
    settings.set_choice_active(db_session, void.id, False)
    make.staff(name="Former Photographer", active=False)

    page = staff_web.get(URL).get_data(as_text=True)

    assert ">Open</option>" in page
    assert ">Void</option>" not in page
    assert ">Former Photographer</option>" not in page


def test_a_saved_default_that_was_retired_stays_selected_and_is_flagged(
    staff_web: WebClient, db_session: Any
) -> None:
    status = settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Open")
    settings.update_invoice_preferences(db_session, settings.InvoiceDefaults(status_id=status.id))
    settings.set_choice_active(db_session, status.id, False)

    response = staff_web.get(URL)

    assert f'<option selected value="{status.id}">Open (retired)</option>' in (
        response.get_data(as_text=True)
    )
    assert "The default status “Open” is retired" in text_of(response)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("status_id", "Choose one of the entries offered."),
        ("classification_id", "Choose one of the entries offered."),
        ("payment_method_id", "Choose one of the entries offered."),
        ("sales_rep_id", "Choose one of the staff members offered."),
    ],
)
def test_a_default_that_is_not_offered_is_a_400_next_to_the_field(
    staff_web: WebClient, db_session: Any, field: str, message: str
) -> None:
    retired = settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Void")
    settings.set_choice_active(db_session, retired.id, False)

    response = staff_web.post(
        URL, {"description": "Typed text", field: str(retired.id if field == "status_id" else 999)}
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in text_of(response)
    assert 'value="Typed text"' in page
    assert saved_preferences(db_session) is None


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999"])
def test_a_default_that_is_not_an_id_is_a_400(staff_web: WebClient, value: str) -> None:
    response = staff_web.post(URL, {"status_id": value})

    assert response.status_code == 400
    assert 'id="status_id-error"' in response.get_data(as_text=True)


def test_an_overlong_description_is_a_400_next_to_it(staff_web: WebClient) -> None:
    response = staff_web.post(URL, {"description": "x" * 501})

    assert response.status_code == 400
    assert 'id="description-error"' in response.get_data(as_text=True)


# The editable lists


@pytest.mark.parametrize(
    ("slug", "kind"),
    [
        ("statuses", ListKind.INVOICE_STATUS),
        ("classifications", ListKind.INVOICE_CLASSIFICATION),
        ("payment-methods", ListKind.PAYMENT_METHOD),
    ],
)
def test_add_an_entry_to_each_list(
    staff_web: WebClient, db_session: Any, slug: str, kind: ListKind
) -> None:
    response = staff_web.post(f"{URL}/{slug}", {f"{slug}-name": "  Gift  voucher "})

    assert (response.status_code, response.location) == (303, f"{URL}#{slug}")
    assert names(db_session, kind) == ["Gift voucher"]


def test_an_unknown_list_is_a_404(staff_web: WebClient) -> None:
    assert staff_web.post(f"{URL}/colours", {"colours-name": "Red"}).status_code == 404


def test_a_duplicate_entry_is_a_409_next_to_the_name(staff_web: WebClient, db_session: Any) -> None:
    settings.add_choice(db_session, ListKind.PAYMENT_METHOD, "Cash")

    response = staff_web.post(f"{URL}/payment-methods", {"payment-methods-name": "cash"})

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'id="payment-methods-name-error"' in page
    assert 'value="cash"' in page
    assert "This list already has “Cash”." in text_of(response)


def test_a_blank_entry_is_a_400_next_to_the_name(staff_web: WebClient, db_session: Any) -> None:
    response = staff_web.post(f"{URL}/statuses", {"statuses-name": "  "})

    assert response.status_code == 400
    assert 'id="statuses-name-error"' in response.get_data(as_text=True)
    assert names(db_session, ListKind.INVOICE_STATUS) == []


def test_rename_an_entry(staff_web: WebClient, db_session: Any) -> None:
    paid = settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Paid")

    response = staff_web.post(f"{URL}/entries/{paid.id}/rename", {"name": "Paid in full"})

    assert (response.status_code, response.location) == (303, f"{URL}#statuses")
    assert names(db_session, ListKind.INVOICE_STATUS) == ["Paid in full"]


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [("", 400, "Enter a name."), ("Open", 409, "This list already has “Open”.")],
)
def test_a_refused_rename_is_shown_on_that_row_keeping_what_was_typed(
    staff_web: WebClient, db_session: Any, name: str, status: int, message: str
) -> None:
    settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Open")
    paid = settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Paid")

    response = staff_web.post(f"{URL}/entries/{paid.id}/rename", {"name": name})

    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert f'id="entry-{paid.id}-name-error"' in page
    assert f'value="{name}" aria-invalid="true"' in page
    assert message in text_of(response)
    assert names(db_session, ListKind.INVOICE_STATUS) == ["Open", "Paid"]


def test_retire_and_restore_an_entry(staff_web: WebClient, db_session: Any) -> None:
    void = settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Void")

    retired = staff_web.post(f"{URL}/entries/{void.id}/retire", follow_redirects=True)
    db_session.expire_all()
    was_active = db_session.get(ListChoice, void.id).active
    restored = staff_web.post(f"{URL}/entries/{void.id}/restore")

    assert "“Void” retired" in text_of(retired)
    assert was_active is False
    assert restored.status_code == 303
    db_session.expire_all()
    assert db_session.get(ListChoice, void.id).active


def test_a_retired_entry_is_shown_marked_retired(staff_web: WebClient, db_session: Any) -> None:
    void = settings.add_choice(db_session, ListKind.INVOICE_STATUS, "Void")
    settings.set_choice_active(db_session, void.id, False)

    page = staff_web.get(URL).get_data(as_text=True)

    assert '<span class="badge badge-closed">Retired</span>' in page
    assert 'aria-label="Restore “Void”"' in page


def test_move_an_entry_down(staff_web: WebClient, db_session: Any) -> None:
    cash = settings.add_choice(db_session, ListKind.PAYMENT_METHOD, "Cash")
    settings.add_choice(db_session, ListKind.PAYMENT_METHOD, "Card")

    response = staff_web.post(f"{URL}/entries/{cash.id}/move", {"direction": "down"})

    assert (response.status_code, response.location) == (303, f"{URL}#payment-methods")
    assert names(db_session, ListKind.PAYMENT_METHOD) == ["Card", "Cash"]


def test_a_move_without_a_direction_is_a_400(staff_web: WebClient, db_session: Any) -> None:
    cash = settings.add_choice(db_session, ListKind.PAYMENT_METHOD, "Cash")

    assert staff_web.post(f"{URL}/entries/{cash.id}/move", {}).status_code == 400


@pytest.mark.parametrize("action", ["rename", "retire", "restore", "move"])
def test_an_unknown_entry_is_a_404(staff_web: WebClient, action: str) -> None:
    response = staff_web.post(f"{URL}/entries/999/{action}", {"name": "X", "direction": "up"})

    assert response.status_code == 404


def test_the_admin_navigation_links_to_the_settings(staff_web: WebClient) -> None:
    page = staff_web.get(URL).get_data(as_text=True)

    assert f'<a href="{URL}" aria-current="page">Settings</a>' in page


@pytest.mark.parametrize("action", ["rename", "retire", "restore", "move"])
def test_an_entry_of_another_settings_list_is_not_found_here(
    staff_web: WebClient, db_session: Any, action: str
) -> None:
    # A booking status lives on Settings, Bookings: the invoice lists' routes do not touch it.
    status = ListChoice(kind=ListKind.SESSION_STATUS, name="Booked online")
    db_session.add(status)
    db_session.commit()
    staff_web.get(URL)

    response = staff_web.post(
        f"{URL}/entries/{status.id}/{action}", {"name": "Renamed", "direction": "up"}
    )

    assert response.status_code == 404
    assert "We could not find that entry in the invoice lists." in text_of(response)
    db_session.expire_all()
    assert (status.name, status.active) == ("Booked online", True)
