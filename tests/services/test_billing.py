"""Staff money operations on invoices: every change is a row of its own, every refusal says why,
and money drawn from a balance, a deposit or a payment is never drawn twice."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.models import (
    Client,
    Deposit,
    DepositApplication,
    Invoice,
    InvoiceLine,
    ListChoice,
    ListKind,
    Payment,
    PaymentRefund,
    PaymentStatus,
    PriceCategory,
)
from core.services import billing
from core.services.billing import (
    DepositNotApplicable,
    ExceedsBalance,
    ExceedsDeposit,
    InvalidAmount,
    InvalidChoice,
    NotRefundable,
)
from core.services.errors import NotFound
from core.services.invoicing import summarize
from core.services.payments import (
    CardDetails,
    ChargeRequest,
    GatewayUnavailable,
    Refund,
    RefundRefused,
    TestModeGateway,
)
from core.services.payments.testmode import LedgerCharge
from tests.concurrency import race as race_together
from tests.concurrency import racing_engine_for
from tests.conftest import NOW
from tests.web.helpers import count_queries

# --- arranging rows directly -------------------------------------------------------------------


def make_invoice(
    session: Session,
    client: Client,
    *lines: tuple[int, int, int],
    at: Any = NOW,
    currency: str = "USD",
) -> Invoice:
    """An invoice of (quantity, unit price, discount) lines; one line of $100.00 by default."""
    invoice = Invoice(client_id=client.id, currency=currency, created_at=at)
    invoice.lines = [
        InvoiceLine(
            position=n,
            code=f"ITEM{n}",
            description=f"Item {n}",
            category=PriceCategory.SESSION_FEE,
            quantity=quantity,
            unit_price=unit_price,
            discount=discount,
        )
        for n, (quantity, unit_price, discount) in enumerate(lines or [(1, 10000, 0)])
    ]
    session.add(invoice)
    session.commit()
    return invoice


def make_payment(
    session: Session,
    invoice: Invoice,
    amount: int,
    *,
    gateway: str = "manual",
    status: PaymentStatus = PaymentStatus.SUCCEEDED,
    reference: str = "",
) -> Payment:
    payment = Payment(
        idempotency_key=secrets.token_hex(16),
        client_id=invoice.client_id,
        invoice_id=invoice.id,
        amount=amount,
        currency=invoice.currency,
        status=status,
        gateway=gateway,
        reference=reference,
        created_at=NOW,
    )
    session.add(payment)
    session.commit()
    return payment


def card_payment(
    session: Session, gateway: TestModeGateway, invoice: Invoice, amount: int
) -> Payment:
    """A payment the test-mode processor really charged (card 4242 4242 4242 4242)."""
    key = secrets.token_hex(16)
    card = CardDetails(number="4242424242424242", exp_month=12, exp_year=2099, cvc="123")
    charge = gateway.charge(ChargeRequest(amount, invoice.currency, key, "Invoice", card=card))
    payment = make_payment(session, invoice, amount, gateway="test", reference=charge.reference)
    payment.idempotency_key, payment.card_brand, payment.last4 = key, "visa", "4242"
    session.commit()
    return payment


def make_deposit(session: Session, client: Client, amount: int, currency: str = "USD") -> Deposit:
    deposit = Deposit(client_id=client.id, amount=amount, currency=currency, created_at=NOW)
    session.add(deposit)
    session.commit()
    return deposit


def make_choice(session: Session, kind: ListKind, name: str, active: bool = True) -> ListChoice:
    choice = ListChoice(kind=kind, name=name, active=active)
    session.add(choice)
    session.commit()
    return choice


def balance(session: Session, invoice: Invoice) -> int:
    session.expire_all()
    return summarize(billing.get_invoice(session, invoice.id)).balance


@pytest.fixture
def client(core_make: Any) -> Client:
    return core_make.client(name="Alex Rivera", email="alex@example.com")  # type: ignore[no-any-return]


@pytest.fixture
def gateway(clean_db: Engine) -> TestModeGateway:
    return TestModeGateway(clean_db)


def refund(session: Session, gateway: Any, payment: Payment, amount: int) -> PaymentRefund:
    return billing.refund_payment(
        session, gateway, payment_id=payment.id, amount=amount, reason="", staff_id=None, now=NOW
    )


# --- the list and one invoice ------------------------------------------------------------------


def test_the_list_totals_lines_payments_refunds_and_deposits_like_the_invoice_does(
    session: Session, client: Client, gateway: TestModeGateway
) -> None:
    invoice = make_invoice(session, client, (2, 5000, 1000), (1, 3000, 5000), (3, 2500, 0))
    card = card_payment(session, gateway, invoice, 4000)
    make_payment(session, invoice, 9999, status=PaymentStatus.FAILED)
    refund(session, gateway, card, 1500)
    billing.apply_deposit(
        session,
        deposit_id=make_deposit(session, client, 2000).id,
        invoice_id=invoice.id,
        amount=1200,
        staff_id=None,
        now=NOW,
    )

    [row] = billing.list_invoices(session)

    # 2 × 50 − 10, a discount bigger than its line counts 0, 3 × 25: $165.00
    assert row.summary == summarize(billing.get_invoice(session, invoice.id))
    assert (row.summary.total, row.summary.paid, row.summary.refunded) == (16500, 4000, 1500)
    assert (row.summary.deposits_applied, row.summary.balance) == (1200, 12800)


def test_the_list_is_newest_first(session: Session, client: Client) -> None:
    older = make_invoice(session, client, at=NOW - timedelta(days=2))
    newer = make_invoice(session, client, at=NOW)

    assert [r.invoice.id for r in billing.list_invoices(session)] == [newer.id, older.id]


@pytest.mark.parametrize(
    "query", ["alex", "RIVERA", "alex@example", "INV-{id:06d}", "inv{id}", "{id}", "#{id}"]
)
def test_invoices_are_found_by_client_name_email_or_number(
    session: Session, client: Client, core_make: Any, query: str
) -> None:
    wanted = make_invoice(session, client)
    make_invoice(session, core_make.client(name="Sam Lee", email="sam@example.com"))

    found = billing.list_invoices(session, query=query.format(id=wanted.id))

    assert [r.invoice.id for r in found] == [wanted.id]


@pytest.mark.parametrize("query", ["nobody", "%", "_", "INV-99999999999999"])
def test_a_search_without_a_match_finds_nothing(
    session: Session, client: Client, query: str
) -> None:
    make_invoice(session, client)

    assert billing.list_invoices(session, query=query) == []


def test_the_list_is_one_query_however_many_invoices(session: Session, client: Client) -> None:
    counts = []
    for _ in range(2):
        for _ in range(3):
            invoice = make_invoice(session, client)
            make_payment(session, invoice, 1000)
        session.expire_all()
        with count_queries(session.get_bind()) as statements:
            rows = billing.list_invoices(session)
            [(r.invoice.client.name, r.invoice.status) for r in rows]
        counts.append(len(statements))

    assert counts == [1, 1]


def test_an_unknown_invoice_is_not_found(session: Session) -> None:
    for invoice_id in (1, 2**40):
        with pytest.raises(NotFound, match="We could not find that invoice"):
            billing.get_invoice(session, invoice_id)


# --- status --------------------------------------------------------------------------------------


def test_staff_set_and_clear_an_invoice_status(session: Session, client: Client) -> None:
    invoice = make_invoice(session, client)
    paid = make_choice(session, ListKind.INVOICE_STATUS, "Paid")

    billing.set_invoice_status(session, invoice.id, paid.id)
    assert session.get_one(Invoice, invoice.id).status_id == paid.id

    billing.set_invoice_status(session, invoice.id, None)
    assert session.get_one(Invoice, invoice.id).status_id is None


def test_a_status_must_come_from_the_active_invoice_status_list(
    session: Session, client: Client
) -> None:
    invoice = make_invoice(session, client)
    method = make_choice(session, ListKind.PAYMENT_METHOD, "Cash")
    retired = make_choice(session, ListKind.INVOICE_STATUS, "Old", active=False)

    for choice_id in (method.id, retired.id, 999):
        with pytest.raises(InvalidChoice, match="Choose a status from the list"):
            billing.set_invoice_status(session, invoice.id, choice_id)
    assert session.get_one(Invoice, invoice.id).status_id is None


# --- manual payments -----------------------------------------------------------------------------


def test_a_manual_payment_is_a_succeeded_row_with_method_note_and_staff(
    session: Session, client: Client, core_make: Any
) -> None:
    invoice = make_invoice(session, client)
    cash = make_choice(session, ListKind.PAYMENT_METHOD, "Cash")
    staff = core_make.staff()

    payment = billing.record_manual_payment(
        session,
        invoice_id=invoice.id,
        amount=4000,
        method_id=cash.id,
        note="Paid at the desk",
        staff_id=staff.id,
        now=NOW,
    )

    assert (payment.status, payment.gateway, payment.method) == (
        PaymentStatus.SUCCEEDED,
        "manual",
        "Cash",
    )
    assert (payment.amount, payment.currency, payment.client_id) == (4000, "USD", client.id)
    assert (payment.note, payment.recorded_by_id, payment.created_at) == (
        "Paid at the desk",
        staff.id,
        NOW,
    )
    assert balance(session, invoice) == 6000


def test_manual_payments_get_fresh_idempotency_keys(session: Session, client: Client) -> None:
    invoice = make_invoice(session, client)
    keys = {
        billing.record_manual_payment(
            session,
            invoice_id=invoice.id,
            amount=1000,
            method_id=None,
            note="",
            staff_id=None,
            now=NOW,
        ).idempotency_key
        for _ in range(3)
    }

    assert len(keys) == 3


def test_paying_more_than_the_balance_is_refused_with_what_is_owed(
    session: Session, client: Client
) -> None:
    invoice = make_invoice(session, client)
    make_payment(session, invoice, 7500)

    with pytest.raises(ExceedsBalance) as refused:
        billing.record_manual_payment(
            session,
            invoice_id=invoice.id,
            amount=2501,
            method_id=None,
            note="",
            staff_id=None,
            now=NOW,
        )

    assert str(refused.value) == (
        f"That is more than the $25.00 still owed on invoice {invoice.number}. "
        "Enter $25.00 or less."
    )
    assert session.scalar(select(func.count()).select_from(Payment)) == 1


def test_paying_an_invoice_paid_in_full_is_refused(session: Session, client: Client) -> None:
    invoice = make_invoice(session, client)
    make_payment(session, invoice, 10000)

    with pytest.raises(ExceedsBalance, match="is paid in full: nothing is owed"):
        billing.record_manual_payment(
            session,
            invoice_id=invoice.id,
            amount=1,
            method_id=None,
            note="",
            staff_id=None,
            now=NOW,
        )


@pytest.mark.parametrize("amount", [0, -100])
def test_a_payment_must_be_more_than_zero(session: Session, client: Client, amount: int) -> None:
    invoice = make_invoice(session, client)

    with pytest.raises(InvalidAmount, match="Enter an amount greater than zero"):
        billing.record_manual_payment(
            session,
            invoice_id=invoice.id,
            amount=amount,
            method_id=None,
            note="",
            staff_id=None,
            now=NOW,
        )


def test_a_payment_method_must_be_an_active_payment_method(
    session: Session, client: Client
) -> None:
    invoice = make_invoice(session, client)
    status = make_choice(session, ListKind.INVOICE_STATUS, "Paid")
    retired = make_choice(session, ListKind.PAYMENT_METHOD, "Cheque", active=False)

    for method_id in (status.id, retired.id, 999, 2**40):
        with pytest.raises(InvalidChoice, match="Choose a payment method from the list"):
            billing.record_manual_payment(
                session,
                invoice_id=invoice.id,
                amount=100,
                method_id=method_id,
                note="",
                staff_id=None,
                now=NOW,
            )


def test_paying_an_unknown_invoice_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        billing.record_manual_payment(
            session, invoice_id=42, amount=100, method_id=None, note="", staff_id=None, now=NOW
        )


# --- deposits ------------------------------------------------------------------------------------


def apply(session: Session, deposit: Deposit, invoice: Invoice, amount: int) -> DepositApplication:
    return billing.apply_deposit(
        session, deposit_id=deposit.id, invoice_id=invoice.id, amount=amount, staff_id=None, now=NOW
    )


def test_applying_a_deposit_lowers_its_remainder_and_the_balance(
    session: Session, client: Client
) -> None:
    invoice = make_invoice(session, client)
    deposit = make_deposit(session, client, 5000)

    application = apply(session, deposit, invoice, 3000)

    assert (application.amount, application.invoice_id, application.created_at) == (
        3000,
        invoice.id,
        NOW,
    )
    session.expire_all()
    assert session.get_one(Deposit, deposit.id).remaining == 2000
    assert balance(session, invoice) == 7000


def test_a_deposit_is_applied_in_parts_to_several_invoices(
    session: Session, client: Client
) -> None:
    first, second = make_invoice(session, client), make_invoice(session, client)
    deposit = make_deposit(session, client, 5000)

    apply(session, deposit, first, 2000)
    apply(session, deposit, second, 3000)

    [listed] = billing.client_deposits(session, client.id)
    assert listed.remaining == 0
    assert [(a.invoice.number, a.amount) for a in listed.applications] == [
        (first.number, 2000),
        (second.number, 3000),
    ]


def test_another_clients_deposit_is_refused(
    session: Session, client: Client, core_make: Any
) -> None:
    invoice = make_invoice(session, client)
    deposit = make_deposit(session, core_make.client(), 5000)

    with pytest.raises(DepositNotApplicable, match="This deposit belongs to another client"):
        apply(session, deposit, invoice, 1000)


def test_a_deposit_in_another_currency_is_refused(session: Session, client: Client) -> None:
    invoice = make_invoice(session, client)
    deposit = make_deposit(session, client, 5000, currency="EUR")

    with pytest.raises(DepositNotApplicable, match="This deposit is in EUR"):
        apply(session, deposit, invoice, 1000)


def test_applying_more_than_is_left_on_the_deposit_is_refused(
    session: Session, client: Client
) -> None:
    invoice = make_invoice(session, client)
    deposit = make_deposit(session, client, 5000)
    apply(session, deposit, invoice, 2000)

    with pytest.raises(ExceedsDeposit) as refused:
        apply(session, deposit, invoice, 3001)

    assert str(refused.value) == "Only $30.00 is left on this deposit. Enter $30.00 or less."


def test_a_used_up_deposit_is_refused(session: Session, client: Client) -> None:
    invoice = make_invoice(session, client)
    deposit = make_deposit(session, client, 2000)
    apply(session, deposit, invoice, 2000)

    with pytest.raises(ExceedsDeposit, match="applied in full"):
        apply(session, deposit, invoice, 1)


def test_applying_more_than_the_invoice_balance_is_refused(
    session: Session, client: Client
) -> None:
    invoice = make_invoice(session, client)
    deposit = make_deposit(session, client, 50000)

    with pytest.raises(ExceedsBalance, match=r"more than the \$100.00 still owed"):
        apply(session, deposit, invoice, 10001)
    assert session.scalar(select(func.count()).select_from(DepositApplication)) == 0


def test_applying_an_unknown_deposit_is_not_found(session: Session, client: Client) -> None:
    invoice = make_invoice(session, client)

    with pytest.raises(NotFound, match="We could not find that deposit"):
        billing.apply_deposit(
            session, deposit_id=999, invoice_id=invoice.id, amount=100, staff_id=None, now=NOW
        )


def test_client_deposits_are_newest_first_and_only_the_clients(
    session: Session, client: Client, core_make: Any
) -> None:
    older = make_deposit(session, client, 1000)
    older.created_at = NOW - timedelta(days=3)
    newer = make_deposit(session, client, 2000)
    make_deposit(session, core_make.client(), 3000)

    assert [d.id for d in billing.client_deposits(session, client.id)] == [newer.id, older.id]


def test_an_unknown_client_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="We could not find that client"):
        billing.find_client(session, 999)


# --- refunds ---------------------------------------------------------------------------------


def ledger_refunded(session: Session, payment: Payment) -> int:
    session.expire_all()
    stmt = select(LedgerCharge.amount_refunded).where(LedgerCharge.reference == payment.reference)
    return session.scalar(stmt) or 0


def test_a_full_refund_goes_through_the_processor_and_is_recorded(
    session: Session, client: Client, gateway: TestModeGateway, core_make: Any
) -> None:
    invoice = make_invoice(session, client)
    payment = card_payment(session, gateway, invoice, 10000)
    staff = core_make.staff()

    done = billing.refund_payment(
        session,
        gateway,
        payment_id=payment.id,
        amount=10000,
        reason="Session cancelled",
        staff_id=staff.id,
        now=NOW,
    )

    assert done.status is PaymentStatus.SUCCEEDED
    assert done.reference.startswith("re_test_")
    assert (done.amount, done.reason, done.recorded_by_id) == (10000, "Session cancelled", staff.id)
    assert ledger_refunded(session, payment) == 10000
    assert balance(session, invoice) == 10000


def test_part_refunds_add_up_to_the_payment_and_no_further(
    session: Session, client: Client, gateway: TestModeGateway
) -> None:
    invoice = make_invoice(session, client)
    payment = card_payment(session, gateway, invoice, 10000)
    refund(session, gateway, payment, 3000)
    refund(session, gateway, payment, 5000)

    with pytest.raises(NotRefundable, match=r"Only \$20.00 of this payment can still be refunded."):
        refund(session, gateway, payment, 2001)
    refund(session, gateway, payment, 2000)

    with pytest.raises(NotRefundable, match="already been refunded in full"):
        refund(session, gateway, payment, 1)
    assert ledger_refunded(session, payment) == 10000
    assert session.scalar(select(func.count()).select_from(PaymentRefund)) == 3


def test_the_refund_row_is_committed_pending_before_the_processor_is_asked(
    session: Session, client: Client, gateway: TestModeGateway, clean_db: Engine
) -> None:
    invoice = make_invoice(session, client)
    payment = card_payment(session, gateway, invoice, 10000)
    seen: list[tuple[PaymentStatus, str]] = []

    class Watching:
        name = "test"

        def refund(self, charge_reference: str, amount: int, idempotency_key: str) -> Refund:
            with Session(clean_db) as other:  # another connection sees only what is committed
                row = other.scalars(select(PaymentRefund)).one()
                seen.append((row.status, row.idempotency_key))
            return gateway.refund(charge_reference, amount, idempotency_key)

    done = refund(session, Watching(), payment, 2500)

    assert seen == [(PaymentStatus.PENDING, done.idempotency_key)]
    assert done.status is PaymentStatus.SUCCEEDED


def test_a_refund_the_processor_refuses_is_kept_as_failed(
    session: Session, client: Client, gateway: TestModeGateway
) -> None:
    invoice = make_invoice(session, client)
    payment = card_payment(session, gateway, invoice, 10000)
    # Refunded at the processor directly (its dashboard), unknown to the studio's records.
    gateway.refund(payment.reference, 8000, "dashboard-refund")

    with pytest.raises(RefundRefused, match=r"Only \$20.00 of this payment"):
        refund(session, gateway, payment, 5000)

    session.expire_all()
    [row] = session.scalars(select(PaymentRefund))
    assert (row.status, row.amount) == (PaymentStatus.FAILED, 5000)
    assert row.failure_message.startswith("Only $20.00 of this payment")  # kept for staff
    assert balance(session, invoice) == 0  # a failed refund gives nothing back


class Unavailable:
    name = "test"

    def refund(self, charge_reference: str, amount: int, idempotency_key: str) -> Refund:
        raise GatewayUnavailable()


def test_a_refund_without_an_answer_stays_pending_and_holds_its_amount(
    session: Session, client: Client, gateway: TestModeGateway
) -> None:
    invoice = make_invoice(session, client)
    payment = card_payment(session, gateway, invoice, 10000)

    with pytest.raises(GatewayUnavailable):
        refund(session, Unavailable(), payment, 6000)

    session.expire_all()
    [row] = session.scalars(select(PaymentRefund))
    assert row.status is PaymentStatus.PENDING
    with pytest.raises(NotRefundable, match=r"Only \$40.00"):
        refund(session, gateway, payment, 4001)


def test_retrying_a_pending_refund_refunds_once_with_its_own_key(
    session: Session, client: Client, gateway: TestModeGateway
) -> None:
    invoice = make_invoice(session, client)
    payment = card_payment(session, gateway, invoice, 10000)
    with pytest.raises(GatewayUnavailable):
        refund(session, Unavailable(), payment, 6000)
    pending = session.scalars(select(PaymentRefund)).one()
    # As if the processor had made the refund before the app crashed: the same key replays it.
    made = gateway.refund(payment.reference, 6000, pending.idempotency_key)

    done = billing.retry_refund(session, gateway, pending.id)

    assert (done.status, done.reference) == (PaymentStatus.SUCCEEDED, made.reference)
    assert ledger_refunded(session, payment) == 6000
    with pytest.raises(NotRefundable, match="already settled"):
        billing.retry_refund(session, gateway, pending.id)


def test_a_manual_payment_is_refunded_as_a_record_without_the_processor(
    session: Session, client: Client
) -> None:
    invoice = make_invoice(session, client)
    payment = make_payment(session, invoice, 10000)

    class NeverAsked:
        name = "test"

        def refund(self, *args: Any) -> Refund:
            raise AssertionError("cash is given back at the desk, not by the card processor")

    done = refund(session, NeverAsked(), payment, 4000)

    assert (done.status, done.reference) == (PaymentStatus.SUCCEEDED, "")
    assert balance(session, invoice) == 4000


@pytest.mark.parametrize("status", [PaymentStatus.FAILED, PaymentStatus.PENDING])
def test_a_payment_that_did_not_go_through_is_not_refunded(
    session: Session, client: Client, gateway: TestModeGateway, status: PaymentStatus
) -> None:
    payment = make_payment(session, make_invoice(session, client), 5000, status=status)

    with pytest.raises(NotRefundable, match="Only a payment that went through can be refunded"):
        refund(session, gateway, payment, 5000)


def test_a_payment_taken_by_another_processor_is_refunded_there(
    session: Session, client: Client, gateway: TestModeGateway
) -> None:
    invoice = make_invoice(session, client)
    payment = make_payment(session, invoice, 5000, gateway="stripe", reference="ch_1")

    with pytest.raises(NotRefundable, match="refund it there"):
        refund(session, gateway, payment, 5000)


@pytest.mark.parametrize("amount", [0, -1])
def test_a_refund_must_be_more_than_zero(
    session: Session, client: Client, gateway: TestModeGateway, amount: int
) -> None:
    payment = make_payment(session, make_invoice(session, client), 5000)

    with pytest.raises(InvalidAmount):
        refund(session, gateway, payment, amount)


def test_refunding_an_unknown_payment_is_not_found(
    session: Session, gateway: TestModeGateway
) -> None:
    with pytest.raises(NotFound, match="We could not find that payment"):
        billing.refund_payment(
            session, gateway, payment_id=999, amount=1, reason="", staff_id=None, now=NOW
        )


def test_history_is_rows_never_rewritten_amounts(
    session: Session, client: Client, gateway: TestModeGateway
) -> None:
    invoice = make_invoice(session, client)
    payment = card_payment(session, gateway, invoice, 10000)
    refund(session, gateway, payment, 2500)
    refund(session, gateway, payment, 2500)

    session.expire_all()
    loaded = billing.get_invoice(session, invoice.id)
    assert [p.amount for p in loaded.payments] == [10000]
    assert [r.amount for r in loaded.payments[0].refunds] == [2500, 2500]
    assert [line.amount for line in loaded.lines] == [10000]


# --- under concurrency -------------------------------------------------------------------------
# Row locks hold on PostgreSQL; on SQLite the write lock taken first serializes the writers, so
# the payment and refund races run on both backends.

THREADS = 10


@pytest.fixture
def racing_engine(database_url: str, clean_db: Engine) -> Iterator[Engine]:
    engine = racing_engine_for(database_url, THREADS)
    yield engine
    engine.dispose()


def race(engine: Engine, attempt: Callable[[Session, int], object]) -> Counter[str]:
    return race_together(engine, attempt, threads=THREADS)


@pytest.mark.postgres
def test_a_deposit_is_never_over_applied_by_concurrent_staff(
    session: Session, client: Client, racing_engine: Engine
) -> None:
    deposit = make_deposit(session, client, 10000)
    invoice_ids = [make_invoice(session, client).id for _ in range(THREADS)]

    outcomes = race(
        racing_engine,
        lambda s, n: billing.apply_deposit(
            s, deposit_id=deposit.id, invoice_id=invoice_ids[n], amount=7000, staff_id=None, now=NOW
        ),
    )

    assert outcomes == Counter({"won": 1, ExceedsDeposit.__name__: THREADS - 1})
    applied = session.scalar(select(func.sum(DepositApplication.amount)))
    assert applied is not None and applied <= deposit.amount


def test_concurrent_payments_never_pay_an_invoice_more_than_it_owes(
    session: Session, client: Client, racing_engine: Engine
) -> None:
    invoice = make_invoice(session, client)

    outcomes = race(
        racing_engine,
        lambda s, n: billing.record_manual_payment(
            s, invoice_id=invoice.id, amount=3000, method_id=None, note="", staff_id=None, now=NOW
        ),
    )

    assert outcomes == Counter({"won": 3, ExceedsBalance.__name__: THREADS - 3})
    assert balance(session, invoice) == 1000


def test_concurrent_refunds_never_give_back_more_than_was_paid(
    session: Session, client: Client, racing_engine: Engine
) -> None:
    gateway = TestModeGateway(racing_engine)
    payment = card_payment(session, gateway, make_invoice(session, client), 10000)

    outcomes = race(
        racing_engine,
        lambda s, n: refund(s, gateway, payment, 4000),
    )

    assert outcomes == Counter({"won": 2, NotRefundable.__name__: THREADS - 2})
    assert ledger_refunded(session, payment) == 8000
