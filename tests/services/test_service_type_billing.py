"""A service type's billing (seed 002): auto-create invoice, online payment and payment option,
and the summary staff see (invoice total, what is paid online, the display-price warning)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.models import PaymentOption, PriceCategory, ServiceType
from core.rules.invoicing import DueKind
from core.services import catalog, pricelist
from core.services.catalog import BillingSettings, InvalidBilling
from core.services.errors import NotFound
from core.services.pricelist import PriceItemDetails

LISTED, FULL, DEPOSIT = (
    PaymentOption.LISTED_AMOUNT,
    PaymentOption.FULL_AMOUNT,
    PaymentOption.DEPOSIT,
)


def with_items(session: Session, service_type: ServiceType, *prices: str) -> ServiceType:
    for n, price in enumerate(prices):
        created = pricelist.create_item(
            session,
            PriceItemDetails(
                f"ITEM-{service_type.id}-{n}", "Item", PriceCategory.SERVICE, Decimal(price)
            ),
        )
        pricelist.add_type_item(session, service_type.id, created.id, 1)
    return service_type


def summary(session: Session, service_type: ServiceType) -> catalog.BillingSummary:
    session.refresh(service_type)
    return catalog.billing_summary(service_type, pricelist.type_items(session, service_type.id))


def test_billing_settings_are_stored_with_the_amount_in_minor_units(
    session: Session, make: Any
) -> None:
    service_type = make.service_type()

    catalog.update_billing(
        session,
        service_type.id,
        BillingSettings(True, True, LISTED, Decimal("50.00")),
    )

    session.refresh(service_type)
    assert service_type.auto_create_invoice and service_type.online_payment_required
    assert (service_type.payment_option, service_type.payment_amount) == (LISTED, 5000)


def test_a_deposit_needs_no_invoice(session: Session, make: Any) -> None:
    service_type = make.service_type()

    catalog.update_billing(
        session, service_type.id, BillingSettings(False, True, DEPOSIT, Decimal("25"))
    )

    session.refresh(service_type)
    assert (service_type.payment_option, service_type.payment_amount) == (DEPOSIT, 2500)


def test_the_full_amount_option_keeps_no_set_amount(session: Session, make: Any) -> None:
    service_type = make.service_type()

    catalog.update_billing(
        session, service_type.id, BillingSettings(True, True, FULL, Decimal("40"))
    )

    session.refresh(service_type)
    assert (service_type.payment_option, service_type.payment_amount) == (FULL, None)


def test_an_option_may_be_kept_while_online_payment_is_off(session: Session, make: Any) -> None:
    service_type = make.service_type()

    catalog.update_billing(
        session, service_type.id, BillingSettings(False, False, DEPOSIT, Decimal("25"))
    )

    session.refresh(service_type)
    assert not service_type.online_payment_required
    assert service_type.payment_option is DEPOSIT


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        (BillingSettings(True, True, None, None), "payment_option", "choose how clients pay"),
        (BillingSettings(False, True, LISTED, Decimal(50)), "payment_option", "Auto-create"),
        (BillingSettings(False, False, LISTED, Decimal(50)), "payment_option", "Auto-create"),
        (BillingSettings(False, True, FULL, None), "payment_option", "Auto-create"),
        (BillingSettings(True, True, LISTED, None), "payment_amount", "Enter the amount"),
        (BillingSettings(True, True, LISTED, Decimal(0)), "payment_amount", "more than 0"),
        (BillingSettings(False, True, DEPOSIT, None), "payment_amount", "Enter the deposit"),
        (BillingSettings(False, True, DEPOSIT, Decimal(0)), "payment_amount", "more than 0"),
        (BillingSettings(False, True, DEPOSIT, Decimal(-5)), "payment_amount", "negative"),
        (BillingSettings(True, True, LISTED, Decimal("9.999")), "payment_amount", "2 decimals"),
    ],
)
def test_billing_settings_that_cannot_work_are_refused_and_name_the_setting(
    session: Session, make: Any, settings: BillingSettings, field: str, message: str
) -> None:
    service_type = make.service_type()

    with pytest.raises(InvalidBilling, match=message) as refused:
        catalog.update_billing(session, service_type.id, settings)

    assert refused.value.field == field
    session.refresh(service_type)
    assert (service_type.online_payment_required, service_type.payment_option) == (False, None)


def test_billing_of_an_unknown_type_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        catalog.update_billing(session, 999, BillingSettings())


def test_the_summary_totals_the_items_times_their_quantities(session: Session, make: Any) -> None:
    service_type = with_items(session, make.service_type(auto_create_invoice=True), "100", "25")
    pricelist.set_type_item_quantity(
        session, service_type.id, pricelist.type_items(session, service_type.id)[1].item_id, 3
    )

    assert summary(session, service_type).invoice_total == 17500


@pytest.mark.parametrize(
    ("auto_create_invoice", "display_price", "differs"),
    [(True, 15000, True), (True, 17500, False), (True, None, False), (False, 15000, False)],
)
def test_the_display_price_is_flagged_when_it_differs_from_the_auto_invoice(
    session: Session, make: Any, auto_create_invoice: bool, display_price: int | None, differs: bool
) -> None:
    service_type = with_items(
        session,
        make.service_type(auto_create_invoice=auto_create_invoice, display_price=display_price),
        "175",
    )

    assert summary(session, service_type).display_price_differs is differs


def test_a_listed_amount_above_the_invoice_total_is_capped_at_the_total(
    session: Session, make: Any
) -> None:
    service_type = with_items(
        session,
        make.service_type(
            auto_create_invoice=True,
            online_payment_required=True,
            payment_option=LISTED,
            payment_amount=5000,
        ),
        "30",
    )

    found = summary(session, service_type)

    assert found.due is not None and (found.due.kind, found.due.amount) == (DueKind.INVOICE, 3000)
    assert found.listed_amount_capped


def test_stored_settings_that_cannot_work_are_reported_not_raised(
    session: Session, make: Any
) -> None:
    service_type = make.service_type(
        auto_create_invoice=False, online_payment_required=True, payment_option=FULL
    )

    found = summary(session, service_type)

    assert found.due is None
    assert "auto-create invoice" in found.problem
