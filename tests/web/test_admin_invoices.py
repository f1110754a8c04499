"""Staff read invoices and their history, take payments by hand, apply deposits, refund payments
and set statuses; bad input is a message next to the field, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from core.models import (
    DepositApplication,
    Invoice,
    ListChoice,
    ListKind,
    Payment,
    PaymentRefund,
    PaymentStatus,
)
from core.services.payments import GatewayUnavailable, TestModeGateway
from tests.conftest import WebClient
from tests.services.test_billing import card_payment, make_deposit, make_invoice, make_payment
from tests.web.helpers import count_queries, text_of


@pytest.fixture
def gateway(app: Any, app_engine: Any, monkeypatch: pytest.MonkeyPatch) -> TestModeGateway:
    """The test-mode processor, as the app's configured gateway."""
    gateway = TestModeGateway(app_engine)
    monkeypatch.setitem(app.extensions, "studiobook_gateway", gateway)
    return gateway


@pytest.fixture
def client(make: Any) -> Any:
    return make.client(name="Alex Rivera", email="alex@example.com")


@pytest.fixture
def invoice(db_session: Any, client: Any) -> Invoice:
    """$125.00: a session fee of $100.00 and two prints of $15.00 with $5.00 off."""
    return make_invoice(db_session, client, (1, 10000, 0), (2, 1500, 500))


def choice(db_session: Any, kind: ListKind, name: str) -> ListChoice:
    row = ListChoice(kind=kind, name=name)
    db_session.add(row)
    db_session.commit()
    return row


def stored(db_session: Any, model: Any) -> list[Any]:
    db_session.expire_all()
    return list(db_session.scalars(select(model).order_by(model.id)))


def field_error(response: Any, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-error">([^<]*)<', response.get_data(as_text=True))
    return found.group(1) if found else ""


# --- access --------------------------------------------------------------------------------------

PAGES = ["/admin/invoices", "/admin/invoices/1", "/admin/clients/1/deposits"]
ACTIONS = [
    "/admin/invoices/1/payments",
    "/admin/invoices/1/deposits",
    "/admin/invoices/1/payments/1/refund",
    "/admin/invoices/1/refunds/1/retry",
    "/admin/invoices/1/status",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_send_anonymous_visitors_to_log_in(web: WebClient, url: str) -> None:
    response = web.get(url)

    assert response.status_code == 303
    assert response.location.startswith("/admin/login?next=")


@pytest.mark.parametrize("url", ACTIONS)
def test_actions_send_anonymous_visitors_to_log_in(
    web: WebClient, db_session: Any, invoice: Invoice, url: str
) -> None:
    response = web.post(url, {"payment-amount": "10"})

    assert response.status_code == 303
    assert response.location.startswith("/admin/login")
    assert stored(db_session, Payment) == []


@pytest.mark.parametrize(
    "url",
    [
        "/admin/invoices/999",
        "/admin/invoices/99999999999999999999",
        "/admin/invoices/abc",
        "/admin/clients/999/deposits",
        "/admin/clients/99999999999/deposits",
    ],
)
def test_unknown_ids_are_a_404(staff_web: WebClient, url: str) -> None:
    assert staff_web.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/admin/invoices/999/payments",
        "/admin/invoices/999/deposits",
        "/admin/invoices/999/status",
        "/admin/invoices/999/payments/1/refund",
        "/admin/invoices/999/refunds/1/retry",
    ],
)
def test_actions_on_an_unknown_invoice_are_a_404(staff_web: WebClient, url: str) -> None:
    assert staff_web.post(url, {}).status_code == 404


def test_the_admin_menu_links_to_invoices(staff_web: WebClient) -> None:
    page = staff_web.get("/admin/invoices").get_data(as_text=True)

    assert '<a href="/admin/invoices" aria-current="page">Invoices</a>' in page


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_number_client_and_totals(
    staff_web: WebClient, db_session: Any, invoice: Invoice
) -> None:
    make_payment(db_session, invoice, 5000)

    page = text_of(staff_web.get("/admin/invoices"))

    assert f"{invoice.number} " in page
    assert "Alex Rivera alex@example.com" in page
    assert "$125.00 $50.00 $75.00" in page


def test_the_list_finds_invoices_by_client_or_number(
    staff_web: WebClient, db_session: Any, invoice: Invoice, make: Any
) -> None:
    other = make_invoice(db_session, make.client(name="Sam Lee"))

    by_name = text_of(staff_web.get("/admin/invoices?q=sam"))
    by_number = text_of(staff_web.get(f"/admin/invoices?q={invoice.number}"))

    assert other.number in by_name and invoice.number not in by_name
    assert invoice.number in by_number and other.number not in by_number


def test_a_search_without_a_match_says_so(staff_web: WebClient, invoice: Invoice) -> None:
    page = text_of(staff_web.get("/admin/invoices?q=nobody"))

    assert "No invoice matches “nobody”." in page


def test_the_list_takes_the_same_queries_however_many_invoices(
    staff_web: WebClient, db_session: Any, client: Any, app_engine: Any
) -> None:
    counts = []
    for _ in range(2):
        for _ in range(3):
            make_payment(db_session, make_invoice(db_session, client), 1000)
        staff_web.get("/admin/invoices")  # rows kept between requests (PostgreSQL): read here
        with count_queries(app_engine) as statements:
            assert staff_web.get("/admin/invoices").status_code == 200
        counts.append(len(statements))

    assert counts[0] == counts[1]


# --- one invoice ---------------------------------------------------------------------------------


def test_the_invoice_shows_lines_payments_refunds_deposits_and_balance(
    staff_web: WebClient, db_session: Any, invoice: Invoice, client: Any, gateway: Any
) -> None:
    payment = card_payment(db_session, gateway, invoice, 5000)
    gateway_refund = PaymentRefund(
        payment_id=payment.id,
        idempotency_key="r1",
        amount=1000,
        status=PaymentStatus.SUCCEEDED,
        reference="re_test_1",
        reason="Late start",
        created_at=invoice.created_at,
    )
    deposit = make_deposit(db_session, client, 3000)
    db_session.add_all(
        [
            gateway_refund,
            DepositApplication(
                deposit_id=deposit.id,
                invoice_id=invoice.id,
                amount=2000,
                created_at=deposit.created_at,
            ),
        ]
    )
    db_session.commit()

    page = text_of(staff_web.get(f"/admin/invoices/{invoice.id}"))

    assert f"Invoice {invoice.number}" in page
    assert "ITEM0 Item 0 Session fee 1 $100.00 — $100.00" in page
    assert "ITEM1 Item 1 Session fee 2 $15.00 $5.00 $25.00" in page
    assert "Total $125.00" in page
    assert f"Card (test mode) {payment.reference} Visa •••• 4242 Succeeded $50.00" in page
    assert "Refund: Late start re_test_1 Succeeded − $10.00" in page
    assert "Deposit of $30.00" in page
    assert (
        "Total $125.00 Payments − $50.00 Refunds + $10.00 Deposits applied − $20.00 Balance $65.00"
    ) in page


def test_the_invoice_links_to_the_clients_deposits(
    staff_web: WebClient, invoice: Invoice, client: Any
) -> None:
    page = staff_web.get(f"/admin/invoices/{invoice.id}").get_data(as_text=True)

    assert f'href="/admin/clients/{client.id}/deposits"' in page


# --- record a payment ----------------------------------------------------------------------------


def test_staff_record_a_payment_by_hand(
    staff_web: WebClient, db_session: Any, invoice: Invoice
) -> None:
    cash = choice(db_session, ListKind.PAYMENT_METHOD, "Cash")

    response = staff_web.post(
        f"/admin/invoices/{invoice.id}/payments",
        {"payment-amount": "40.50", "payment-method": str(cash.id), "payment-note": "At the desk"},
    )

    assert response.status_code == 303
    assert response.location == f"/admin/invoices/{invoice.id}"
    [payment] = stored(db_session, Payment)
    assert (payment.amount, payment.method, payment.gateway) == (4050, "Cash", "manual")
    assert payment.note == "At the desk" and payment.recorded_by_id is not None
    page = text_of(staff_web.get(response.location))
    assert "Recorded a payment of $40.50." in page
    assert "Balance $84.50" in page


def test_the_payment_form_offers_the_balance(staff_web: WebClient, invoice: Invoice) -> None:
    page = staff_web.get(f"/admin/invoices/{invoice.id}").get_data(as_text=True)

    assert 'name="payment-amount"' in page
    assert re.search(r'id="payment-amount"[^>]*value="125.00"', page)


@pytest.mark.parametrize(
    ("amount", "status", "message"),
    [
        ("", 400, "Enter the amount received"),
        ("abc", 400, "Enter an amount like 125 or 125.50."),
        ("NaN", 400, "Enter an amount like 125 or 125.50."),
        ("0", 400, "Enter an amount greater than zero."),
        ("-5", 400, "Enter an amount greater than zero."),
        ("1e12", 400, "Enter an amount below 1,000,000,000."),
        ("12.345", 400, "Use at most 2 decimals for USD."),
        ("125.01", 409, "That is more than the $125.00 still owed on invoice"),
    ],
)
def test_a_bad_payment_amount_is_a_message_next_to_the_amount(
    staff_web: WebClient, db_session: Any, invoice: Invoice, amount: str, status: int, message: str
) -> None:
    response = staff_web.post(f"/admin/invoices/{invoice.id}/payments", {"payment-amount": amount})

    assert response.status_code == status
    assert message in field_error(response, "payment-amount")
    assert f'value="{amount}"' in response.get_data(as_text=True) or amount == ""
    assert stored(db_session, Payment) == []


def test_an_unknown_payment_method_is_a_400(
    staff_web: WebClient, db_session: Any, invoice: Invoice
) -> None:
    response = staff_web.post(
        f"/admin/invoices/{invoice.id}/payments",
        {"payment-amount": "10", "payment-method": "999"},
    )

    assert response.status_code == 400
    assert field_error(response, "payment-method") == "Not a valid choice."
    assert stored(db_session, Payment) == []


def test_a_payment_without_the_csrf_token_is_refused(
    staff_web: WebClient, db_session: Any, invoice: Invoice
) -> None:
    response = staff_web.raw.post(
        f"/admin/invoices/{invoice.id}/payments", data={"payment-amount": "10"}
    )

    assert response.status_code == 400
    assert stored(db_session, Payment) == []


# --- deposits ------------------------------------------------------------------------------------


def test_staff_apply_a_deposit_of_the_client(
    staff_web: WebClient, db_session: Any, invoice: Invoice, client: Any
) -> None:
    deposit = make_deposit(db_session, client, 5000)

    response = staff_web.post(
        f"/admin/invoices/{invoice.id}/deposits",
        {"deposit-deposit": str(deposit.id), "deposit-amount": "30"},
    )

    assert response.status_code == 303
    [application] = stored(db_session, DepositApplication)
    assert (application.deposit_id, application.amount) == (deposit.id, 3000)
    page = text_of(staff_web.get(response.location))
    assert "Applied $30.00 of the client’s deposit." in page
    assert "Balance $95.00" in page


def test_the_deposit_form_offers_only_deposits_with_money_left(
    staff_web: WebClient, db_session: Any, invoice: Invoice, client: Any, make: Any
) -> None:
    left = make_deposit(db_session, client, 5000)
    used = make_deposit(db_session, client, 1000)
    make_deposit(db_session, make.client(), 7000)  # another client's
    db_session.add(
        DepositApplication(
            deposit_id=used.id, invoice_id=invoice.id, amount=1000, created_at=used.created_at
        )
    )
    db_session.commit()

    page = staff_web.get(f"/admin/invoices/{invoice.id}").get_data(as_text=True)

    select_html = page.split('id="deposit-deposit"')[1].split("</select>")[0]
    offered = re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', select_html)
    assert offered == [(str(left.id), "Deposit of $50.00 — $50.00 left")]


def test_applying_more_than_the_deposit_holds_is_a_409_next_to_the_amount(
    staff_web: WebClient, db_session: Any, invoice: Invoice, client: Any
) -> None:
    deposit = make_deposit(db_session, client, 2000)

    response = staff_web.post(
        f"/admin/invoices/{invoice.id}/deposits",
        {"deposit-deposit": str(deposit.id), "deposit-amount": "25"},
    )

    assert response.status_code == 409
    assert field_error(response, "deposit-amount") == (
        "Only $20.00 is left on this deposit. Enter $20.00 or less."
    )
    assert stored(db_session, DepositApplication) == []


def test_applying_another_clients_deposit_is_refused(
    staff_web: WebClient, db_session: Any, invoice: Invoice, client: Any, make: Any
) -> None:
    make_deposit(db_session, client, 2000)  # so the form is offered
    others = make_deposit(db_session, make.client(), 2000)

    response = staff_web.post(
        f"/admin/invoices/{invoice.id}/deposits",
        {"deposit-deposit": str(others.id), "deposit-amount": "10"},
    )

    assert response.status_code == 400
    assert field_error(response, "deposit-deposit") == "Not a valid choice."
    assert stored(db_session, DepositApplication) == []


def test_a_deposit_must_be_chosen(
    staff_web: WebClient, db_session: Any, invoice: Invoice, client: Any
) -> None:
    make_deposit(db_session, client, 2000)

    response = staff_web.post(
        f"/admin/invoices/{invoice.id}/deposits", {"deposit-deposit": "", "deposit-amount": "10"}
    )

    assert response.status_code == 400
    assert field_error(response, "deposit-deposit") == "Choose a deposit."


def test_the_deposits_page_shows_what_is_left_and_where_it_went(
    staff_web: WebClient, db_session: Any, invoice: Invoice, client: Any
) -> None:
    deposit = make_deposit(db_session, client, 5000)
    db_session.add(
        DepositApplication(
            deposit_id=deposit.id, invoice_id=invoice.id, amount=1500, created_at=invoice.created_at
        )
    )
    db_session.commit()

    response = staff_web.get(f"/admin/clients/{client.id}/deposits")

    page = text_of(response)
    assert "Deposits of Alex Rivera" in page
    assert f"{invoice.number} : $15.00" in page
    assert "$50.00 $35.00" in page
    assert f'href="/admin/invoices/{invoice.id}"' in response.get_data(as_text=True)


def test_a_client_without_deposits_is_told_so(staff_web: WebClient, client: Any) -> None:
    page = text_of(staff_web.get(f"/admin/clients/{client.id}/deposits"))

    assert "Alex Rivera has no deposits." in page
    assert "Alex Rivera has no invoices." in page


# --- refunds -------------------------------------------------------------------------------------


def refund_url(invoice: Invoice, payment: Payment) -> str:
    return f"/admin/invoices/{invoice.id}/payments/{payment.id}/refund"


def test_staff_refund_part_of_a_card_payment_through_the_processor(
    staff_web: WebClient, db_session: Any, invoice: Invoice, gateway: TestModeGateway
) -> None:
    payment = card_payment(db_session, gateway, invoice, 10000)
    prefix = f"refund-{payment.id}"

    response = staff_web.post(
        refund_url(invoice, payment), {f"{prefix}-amount": "25", f"{prefix}-reason": "Late start"}
    )

    assert response.status_code == 303
    [refund] = stored(db_session, PaymentRefund)
    assert (refund.amount, refund.status, refund.reason) == (
        2500,
        PaymentStatus.SUCCEEDED,
        "Late start",
    )
    assert refund.reference.startswith("re_test_")
    page = staff_web.get(response.location).get_data(as_text=True)
    assert "Refunded $25.00." in page
    assert re.search(rf'id="{prefix}-amount"[^>]*value="75.00"', page)  # what is left


def test_the_refund_form_offers_the_whole_payment(
    staff_web: WebClient, db_session: Any, invoice: Invoice, gateway: TestModeGateway
) -> None:
    payment = card_payment(db_session, gateway, invoice, 10000)

    page = staff_web.get(f"/admin/invoices/{invoice.id}").get_data(as_text=True)

    assert re.search(rf'id="refund-{payment.id}-amount"[^>]*value="100.00"', page)


def test_refunding_more_than_is_left_is_a_409_next_to_the_amount(
    staff_web: WebClient, db_session: Any, invoice: Invoice, gateway: TestModeGateway
) -> None:
    payment = card_payment(db_session, gateway, invoice, 10000)

    response = staff_web.post(
        refund_url(invoice, payment), {f"refund-{payment.id}-amount": "100.01"}
    )

    assert response.status_code == 409
    assert field_error(response, f"refund-{payment.id}-amount") == (
        "Only $100.00 of this payment can still be refunded."
    )
    assert "<details open>" in response.get_data(as_text=True)
    assert stored(db_session, PaymentRefund) == []


def test_a_refund_the_processor_refuses_is_a_409_and_stays_in_the_history(
    staff_web: WebClient, db_session: Any, invoice: Invoice, gateway: TestModeGateway
) -> None:
    payment = card_payment(db_session, gateway, invoice, 10000)
    gateway.refund(payment.reference, 9000, "refunded-elsewhere")

    response = staff_web.post(refund_url(invoice, payment), {f"refund-{payment.id}-amount": "50"})

    assert response.status_code == 409
    assert "Only $10.00 of this payment can still be refunded" in text_of(response)
    [refund] = stored(db_session, PaymentRefund)
    assert refund.status is PaymentStatus.FAILED
    assert "Refused: Only $10.00 of this payment can still be refunded" in text_of(response)
    assert "Failed − $50.00" in text_of(response)


def test_staff_ask_again_about_a_pending_refund(
    staff_web: WebClient, db_session: Any, invoice: Invoice, gateway: TestModeGateway
) -> None:
    payment = card_payment(db_session, gateway, invoice, 10000)
    pending = PaymentRefund(
        payment_id=payment.id,
        idempotency_key="crashed-before-settling",
        amount=4000,
        status=PaymentStatus.PENDING,
        created_at=invoice.created_at,
    )
    db_session.add(pending)
    db_session.commit()
    assert "Ask the processor again" in text_of(staff_web.get(f"/admin/invoices/{invoice.id}"))

    response = staff_web.post(f"/admin/invoices/{invoice.id}/refunds/{pending.id}/retry")

    assert response.status_code == 303
    [refund] = stored(db_session, PaymentRefund)
    assert refund.status is PaymentStatus.SUCCEEDED
    assert "The refund of $40.00 went through." in text_of(staff_web.get(response.location))


def test_a_cash_payment_is_refunded_as_a_record(
    staff_web: WebClient, db_session: Any, invoice: Invoice, gateway: TestModeGateway
) -> None:
    payment = make_payment(db_session, invoice, 5000)

    response = staff_web.post(refund_url(invoice, payment), {f"refund-{payment.id}-amount": "50"})

    assert response.status_code == 303
    [refund] = stored(db_session, PaymentRefund)
    assert (refund.status, refund.reference) == (PaymentStatus.SUCCEEDED, "")


def test_a_payment_of_another_invoice_is_a_404(
    staff_web: WebClient, db_session: Any, invoice: Invoice, client: Any
) -> None:
    other = make_payment(db_session, make_invoice(db_session, client), 5000)

    response = staff_web.post(refund_url(invoice, other), {f"refund-{other.id}-amount": "50"})

    assert response.status_code == 404
    assert stored(db_session, PaymentRefund) == []


# --- status --------------------------------------------------------------------------------------


def test_staff_change_the_invoice_status(
    staff_web: WebClient, db_session: Any, invoice: Invoice
) -> None:
    paid = choice(db_session, ListKind.INVOICE_STATUS, "Paid")

    response = staff_web.post(f"/admin/invoices/{invoice.id}/status", {"status-status": paid.id})

    assert response.status_code == 303
    assert stored(db_session, Invoice)[0].status_id == paid.id
    assert f"{invoice.number} now has Paid." in text_of(staff_web.get(response.location))


def test_a_status_not_in_the_list_is_a_400(
    staff_web: WebClient, db_session: Any, invoice: Invoice
) -> None:
    cash = choice(db_session, ListKind.PAYMENT_METHOD, "Cash")

    response = staff_web.post(f"/admin/invoices/{invoice.id}/status", {"status-status": cash.id})

    assert response.status_code == 400
    assert field_error(response, "status-status") == "Not a valid choice."
    assert stored(db_session, Invoice)[0].status_id is None


def test_a_refund_the_processor_does_not_answer_stays_pending_to_ask_again(
    staff_web: WebClient, db_session: Any, invoice: Invoice, gateway: TestModeGateway, app: Any
) -> None:
    payment = card_payment(db_session, gateway, invoice, 10000)

    class Unavailable:
        name = "test"

        def refund(self, *args: Any) -> Any:
            raise GatewayUnavailable()

    app.extensions["studiobook_gateway"] = Unavailable()
    response = staff_web.post(refund_url(invoice, payment), {f"refund-{payment.id}-amount": "50"})

    assert response.status_code == 502
    page = text_of(response)
    assert "The card processor did not answer, so this refund is pending." in page
    assert "Ask the processor again Pending − $50.00" in page
    [refund] = stored(db_session, PaymentRefund)
    assert refund.status is PaymentStatus.PENDING
