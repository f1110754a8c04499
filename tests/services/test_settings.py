"""The studio's editable lists and the Invoices preferences (seed 001, Invoices tab)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Invoice, InvoicePreferences, ListChoice, ListKind
from core.services import settings
from core.services.booking import book
from core.services.errors import NotFound
from core.services.settings import (
    DEFAULT_LISTS,
    ChoiceNameTaken,
    InvalidChoiceName,
    InvalidPreference,
    InvoiceDefaults,
)
from tests.conftest import NOW

STATUS, CLASS, METHOD = (
    ListKind.INVOICE_STATUS,
    ListKind.INVOICE_CLASSIFICATION,
    ListKind.PAYMENT_METHOD,
)


def names(session: Session, kind: ListKind) -> list[str]:
    return [choice.name for choice in settings.list_choices(session, kind)]


# Editable lists


def test_a_new_entry_goes_last_with_its_name_tidied(session: Session) -> None:
    settings.add_choice(session, STATUS, "Open")

    added = settings.add_choice(session, STATUS, "  Paid   in  full ")

    assert added.active
    assert names(session, STATUS) == ["Open", "Paid in full"]


@pytest.mark.parametrize("name", ["Paid", "paid", " PAID "])
def test_a_name_already_in_the_list_in_any_case_is_taken(session: Session, name: str) -> None:
    settings.add_choice(session, STATUS, "Paid")

    with pytest.raises(ChoiceNameTaken):
        settings.add_choice(session, STATUS, name)


def test_a_retired_name_is_taken_and_says_to_restore_it(session: Session) -> None:
    paid = settings.add_choice(session, STATUS, "Paid")
    settings.set_choice_active(session, paid.id, False)

    with pytest.raises(ChoiceNameTaken, match="restore it"):
        settings.add_choice(session, STATUS, "Paid")


def test_the_same_name_may_be_in_two_lists(session: Session) -> None:
    settings.add_choice(session, STATUS, "Other")

    settings.add_choice(session, CLASS, "Other")

    assert names(session, CLASS) == ["Other"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_blank_or_overlong_name_is_refused(session: Session, name: str) -> None:
    with pytest.raises(InvalidChoiceName):
        settings.add_choice(session, METHOD, name)


def test_rename_an_entry(session: Session) -> None:
    cash = settings.add_choice(session, METHOD, "Cash")

    settings.rename_choice(session, cash.id, "Cash or cheque")

    assert names(session, METHOD) == ["Cash or cheque"]


def test_an_entry_may_change_the_case_of_its_own_name(session: Session) -> None:
    cash = settings.add_choice(session, METHOD, "cash")

    assert settings.rename_choice(session, cash.id, "Cash").name == "Cash"


def test_renaming_to_another_entrys_name_is_refused(session: Session) -> None:
    settings.add_choice(session, METHOD, "Cash")
    card = settings.add_choice(session, METHOD, "Card")

    with pytest.raises(ChoiceNameTaken):
        settings.rename_choice(session, card.id, "cash")
    assert names(session, METHOD) == ["Cash", "Card"]


def test_an_unknown_entry_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        settings.rename_choice(session, 999, "Anything")


def test_a_retired_entry_stays_on_the_invoices_that_have_it(session: Session, make: Any) -> None:
    void = settings.add_choice(session, STATUS, "Void")
    invoice = Invoice(client_id=make.client().id, currency="USD", status_id=void.id, created_at=NOW)
    session.add(invoice)
    session.commit()

    settings.set_choice_active(session, void.id, False)

    session.expire_all()
    assert invoice.status is not None and invoice.status.name == "Void"
    assert not invoice.status.active


def test_a_retired_entry_can_be_restored(session: Session) -> None:
    void = settings.add_choice(session, STATUS, "Void")
    settings.set_choice_active(session, void.id, False)

    assert settings.set_choice_active(session, void.id, True).active


@pytest.mark.parametrize(
    ("name", "offset", "order"),
    [
        ("Check", -1, ["Check", "Card", "Cash"]),
        ("Check", 1, ["Card", "Cash", "Check"]),
        ("Card", -1, ["Card", "Check", "Cash"]),
        ("Cash", 1, ["Card", "Check", "Cash"]),
    ],
)
def test_moving_an_entry_swaps_it_with_its_neighbour_and_stops_at_the_ends(
    session: Session, name: str, offset: int, order: list[str]
) -> None:
    ids = {n: settings.add_choice(session, METHOD, n).id for n in ("Card", "Check", "Cash")}

    settings.move_choice(session, ids[name], offset)

    assert names(session, METHOD) == order


def test_all_lists_gives_every_list_in_order(session: Session) -> None:
    settings.add_choice(session, METHOD, "Cash")
    settings.add_choice(session, STATUS, "Open")

    lists = settings.all_lists(session)

    assert {kind: [c.name for c in entries] for kind, entries in lists.items()} == {
        STATUS: ["Open"],
        CLASS: [],
        METHOD: ["Cash"],
    }


# Default lists (for the demo studio and new installations)


def test_default_lists_fill_empty_lists(session: Session) -> None:
    settings.ensure_default_lists(session)
    session.commit()

    assert names(session, STATUS) == ["Open", "Paid", "Void"]
    assert names(session, CLASS) == ["Session fee", "Print order"]
    assert names(session, METHOD) == ["Credit card", "Cash", "Check", "Bank transfer"]


def test_default_lists_are_added_once(session: Session) -> None:
    first = settings.ensure_default_lists(session)
    session.commit()

    again = settings.ensure_default_lists(session)

    assert (first, again) == (sum(len(n) for n in DEFAULT_LISTS.values()), 0)
    assert session.scalar(select(ListChoice).where(ListChoice.name == "Open")) is not None


def test_default_lists_leave_a_list_the_studio_already_has_alone(session: Session) -> None:
    mine = settings.add_choice(session, METHOD, "Venmo")
    settings.set_choice_active(session, mine.id, False)

    settings.ensure_default_lists(session)
    session.commit()

    assert names(session, METHOD) == ["Venmo"]
    assert names(session, STATUS) == ["Open", "Paid", "Void"]


# Invoices preferences


def defaults_with_lists(session: Session, make: Any) -> InvoiceDefaults:
    return InvoiceDefaults(
        description="Booked on our website",
        status_id=settings.add_choice(session, STATUS, "Open").id,
        classification_id=settings.add_choice(session, CLASS, "Session fee").id,
        sales_rep_id=make.staff(name="Robin").id,
        payment_method_id=settings.add_choice(session, METHOD, "Credit card").id,
    )


def test_invoice_preferences_are_saved(session: Session, make: Any) -> None:
    wanted = defaults_with_lists(session, make)

    settings.update_invoice_preferences(session, wanted)

    prefs = settings.invoice_preferences(session)
    assert prefs.default_description == "Booked on our website"
    assert prefs.default_status is not None and prefs.default_status.name == "Open"
    assert prefs.default_classification_id == wanted.classification_id
    assert prefs.default_sales_rep is not None and prefs.default_sales_rep.name == "Robin"
    assert prefs.default_payment_method_id == wanted.payment_method_id


def test_every_invoice_preference_is_optional(session: Session, make: Any) -> None:
    settings.update_invoice_preferences(session, defaults_with_lists(session, make))

    settings.update_invoice_preferences(session, InvoiceDefaults())

    prefs = settings.invoice_preferences(session)
    assert prefs.default_description == ""
    assert (prefs.default_status_id, prefs.default_sales_rep_id) == (None, None)


def test_preferences_are_one_row_however_often_saved(session: Session) -> None:
    settings.update_invoice_preferences(session, InvoiceDefaults(description="One"))
    settings.update_invoice_preferences(session, InvoiceDefaults(description="Two"))

    assert len(session.scalars(select(InvoicePreferences)).all()) == 1


@pytest.mark.parametrize(
    ("field", "kind"),
    [("status_id", CLASS), ("classification_id", METHOD), ("payment_method_id", STATUS)],
)
def test_a_default_from_another_list_is_refused(
    session: Session, field: str, kind: ListKind
) -> None:
    other = settings.add_choice(session, kind, "Elsewhere")

    with pytest.raises(InvalidPreference) as refused:
        settings.update_invoice_preferences(session, InvoiceDefaults(**{field: other.id}))
    assert refused.value.field == field


def test_a_retired_entry_cannot_become_the_default(session: Session) -> None:
    void = settings.add_choice(session, STATUS, "Void")
    settings.set_choice_active(session, void.id, False)

    with pytest.raises(InvalidPreference):
        settings.update_invoice_preferences(session, InvoiceDefaults(status_id=void.id))


def test_a_default_retired_after_it_was_chosen_may_stay(session: Session) -> None:
    open_ = settings.add_choice(session, STATUS, "Open")
    settings.update_invoice_preferences(session, InvoiceDefaults(status_id=open_.id))
    settings.set_choice_active(session, open_.id, False)

    settings.update_invoice_preferences(
        session, InvoiceDefaults(description="Still", status_id=open_.id)
    )

    assert settings.invoice_preferences(session).default_status_id == open_.id


@pytest.mark.parametrize("active", [False, None])
def test_the_sales_rep_must_be_an_active_staff_member(
    session: Session, make: Any, active: bool | None
) -> None:
    staff_id = make.staff(active=False).id if active is False else 999

    with pytest.raises(InvalidPreference) as refused:
        settings.update_invoice_preferences(session, InvoiceDefaults(sales_rep_id=staff_id))
    assert refused.value.field == "sales_rep_id"


def test_an_overlong_description_is_refused(session: Session) -> None:
    with pytest.raises(InvalidPreference) as refused:
        settings.update_invoice_preferences(session, InvoiceDefaults(description="x" * 501))
    assert refused.value.field == "description"


def test_a_refused_save_changes_nothing(session: Session, make: Any) -> None:
    settings.update_invoice_preferences(session, InvoiceDefaults(description="Kept"))

    with pytest.raises(InvalidPreference):
        settings.update_invoice_preferences(
            session, InvoiceDefaults(description="Changed", status_id=999)
        )

    session.expire_all()
    assert settings.invoice_preferences(session).default_description == "Kept"


def test_active_staff_are_offered_as_sales_reps_by_name(session: Session, make: Any) -> None:
    make.staff(name="Zoe")
    make.staff(name="Ann")
    make.staff(name="Gone", active=False)

    assert [s.name for s in settings.active_staff(session)] == ["Ann", "Zoe"]


def test_a_booking_invoice_gets_the_saved_defaults(session: Session, make: Any) -> None:
    wanted = defaults_with_lists(session, make)
    settings.update_invoice_preferences(session, wanted)
    service_type = make.service_type(auto_create_invoice=True)
    slot = make.slot(NOW + timedelta(days=2), service_types=[service_type])

    booking = book(
        session,
        slot_id=slot.id,
        service_type_id=service_type.id,
        client_id=make.client().id,
        now=NOW,
    )

    invoice = session.scalar(select(Invoice).where(Invoice.booking_id == booking.id))
    assert invoice is not None
    assert invoice.description == "Booked on our website"
    assert (invoice.status_id, invoice.classification_id, invoice.sales_rep_id) == (
        wanted.status_id,
        wanted.classification_id,
        wanted.sales_rep_id,
    )
