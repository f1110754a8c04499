"""The test-mode gateway: documented test cards, checks before charging, an idempotent ledger
in the app's database that holds under concurrency, and refunds that never exceed the charge."""

from __future__ import annotations

import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from core.services.payments import (
    DEMO_CARDS,
    CardDetails,
    Charge,
    ChargeRequest,
    GatewayUnavailable,
    IdempotencyConflict,
    PaymentDeclined,
    RefundRefused,
    StripeGateway,
    TestModeGateway,
    make_gateway,
)
from core.services.payments.cards import luhn_check_digit
from core.services.payments.testmode import LedgerCharge, LedgerRefund
from tests.conftest import NOW, Clock

THREADS = 20
JOIN_TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging the run


@pytest.fixture
def gateway(clean_db: Engine) -> TestModeGateway:
    return TestModeGateway(clean_db, clock=Clock())


def request(
    number: str = "4242 4242 4242 4242",
    key: str = "attempt-1",
    amount: int = 12500,
    month: int = 12,
    year: int = 2030,
    cvc: str = "123",
) -> ChargeRequest:
    return ChargeRequest(
        amount=amount,
        currency="USD",
        idempotency_key=key,
        description="Family portrait session",
        card=CardDetails(number=number, exp_month=month, exp_year=year, cvc=cvc, name="Ada"),
    )


def ledger_rows(engine: Engine, key: str | None = None) -> list[LedgerCharge]:
    with Session(engine) as session:
        stmt = select(LedgerCharge)
        if key is not None:
            stmt = stmt.where(LedgerCharge.idempotency_key == key)
        return list(session.scalars(stmt))


def refunded(engine: Engine, reference: str) -> int:
    with Session(engine) as session:
        stmt = select(func.coalesce(func.sum(LedgerRefund.amount), 0)).where(
            LedgerRefund.charge_reference == reference
        )
        return session.scalar(stmt) or 0


# --- test cards --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "brand", "last4"),
    [("4242 4242 4242 4242", "visa", "4242"), ("5555-5555-5555-4444", "mastercard", "4444")],
)
def test_approving_test_cards_charge_and_record_only_brand_and_last4(
    gateway: TestModeGateway, clean_db: Engine, number: str, brand: str, last4: str
) -> None:
    charge = gateway.charge(request(number))

    assert charge.status == "succeeded"
    assert (charge.amount, charge.currency, charge.card_brand, charge.last4) == (
        12500,
        "USD",
        brand,
        last4,
    )
    assert charge.reference.startswith("ch_test_")
    [row] = ledger_rows(clean_db)
    assert (row.reference, row.status, row.brand, row.last4) == (
        charge.reference,
        "succeeded",
        brand,
        last4,
    )
    assert row.created_at == NOW


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("4000 0000 0000 9995", "Your card was declined: insufficient funds."),
        ("4000 0000 0000 0069", "Your card was declined: the card has expired."),
        ("4000 0000 0000 0127", "Your card was declined: the security code (CVC) is incorrect."),
        (
            "4111 1111 1111 1111",
            "Your card was declined: this card is not supported in test mode. "
            "Please use one of the test cards.",
        ),
    ],
)
def test_declining_test_cards_are_declined_with_the_reason_and_recorded(
    gateway: TestModeGateway, clean_db: Engine, number: str, message: str
) -> None:
    with pytest.raises(PaymentDeclined) as declined:
        gateway.charge(request(number))

    assert str(declined.value) == message
    assert declined.value.status_code == 402
    [row] = ledger_rows(clean_db)
    assert (row.status, row.failure_message) == ("failed", message)


def test_the_processor_error_card_charges_nothing(
    gateway: TestModeGateway, clean_db: Engine
) -> None:
    with pytest.raises(GatewayUnavailable, match="You have not been charged") as error:
        gateway.charge(request("4000 0000 0000 0119"))

    assert error.value.status_code == 502
    assert ledger_rows(clean_db) == []
    assert gateway.find_charge("attempt-1") is None


def test_every_demo_card_behaves_as_the_table_says(gateway: TestModeGateway) -> None:
    for n, demo in enumerate(DEMO_CARDS):
        attempt = request(demo.number, key=f"demo-{n}")
        if demo.outcome.startswith("Approved"):
            assert gateway.charge(attempt).status == "succeeded"
        elif demo.outcome.startswith("Declined"):
            with pytest.raises(PaymentDeclined, match=re.escape(demo.outcome.split(": ", 1)[1])):
                gateway.charge(attempt)
        else:
            with pytest.raises(GatewayUnavailable):
                gateway.charge(attempt)


# --- checks before charging --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempt", "message"),
    [
        (request("4242 4242 4242 4241"), "That card number is not valid"),
        (request(month=10, year=2026), "This card has expired"),
        (request(month=13), "The expiry month must be between 1 and 12"),
        (request(cvc="12"), r"security code \(CVC\) must be 3 digits"),
        (request("3782 822463 10005", cvc="123"), r"security code \(CVC\) must be 4 digits"),
    ],
)
def test_a_card_failing_the_checks_is_declined_before_anything_is_recorded(
    gateway: TestModeGateway, clean_db: Engine, attempt: ChargeRequest, message: str
) -> None:
    with pytest.raises(PaymentDeclined, match=message):
        gateway.charge(attempt)

    assert ledger_rows(clean_db) == []
    assert gateway.find_charge(attempt.idempotency_key) is None


def test_a_card_expiring_this_month_is_still_charged(gateway: TestModeGateway) -> None:
    assert gateway.charge(request(month=NOW.month, year=NOW.year)).succeeded


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.text(alphabet="0123456789", min_size=15, max_size=15),
    wrong=st.integers(1, 9),
)
def test_any_number_with_a_wrong_check_digit_is_declined_and_not_recorded(
    gateway: TestModeGateway, clean_db: Engine, payload: str, wrong: int
) -> None:
    check = str((int(luhn_check_digit(payload)) + wrong) % 10)
    key = uuid.uuid4().hex

    with pytest.raises(PaymentDeclined, match="That card number is not valid"):
        gateway.charge(request(payload + check, key=key))

    assert ledger_rows(clean_db, key) == []


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.text(alphabet="0123456789", min_size=15, max_size=15).filter(
        lambda p: not p.startswith(("34", "37"))
    )
)
def test_any_other_valid_number_is_declined_as_not_supported_and_recorded(
    gateway: TestModeGateway, clean_db: Engine, payload: str
) -> None:
    number = payload + luhn_check_digit(payload)
    # The documented cards have outcomes of their own.
    assume(number not in {"4242424242424242", "5555555555554444"})
    assume(not number.startswith("4000000000"))
    key = uuid.uuid4().hex

    with pytest.raises(PaymentDeclined, match="not supported in test mode"):
        gateway.charge(request(number, key=key))

    assert [row.status for row in ledger_rows(clean_db, key)] == ["failed"]


# --- idempotency -------------------------------------------------------------------------------


def test_the_same_key_returns_the_same_charge_and_charges_once(
    gateway: TestModeGateway, clean_db: Engine
) -> None:
    first = gateway.charge(request())
    again = gateway.charge(request())

    assert again == first
    assert len(ledger_rows(clean_db)) == 1


def test_a_declined_key_replays_the_decline_even_with_a_good_card(
    gateway: TestModeGateway, clean_db: Engine
) -> None:
    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        gateway.charge(request("4000 0000 0000 9995"))

    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        gateway.charge(request("4242 4242 4242 4242"))

    assert len(ledger_rows(clean_db)) == 1


def test_a_new_key_may_charge_again_after_a_decline(gateway: TestModeGateway) -> None:
    with pytest.raises(PaymentDeclined):
        gateway.charge(request("4000 0000 0000 9995", key="attempt-1"))

    assert gateway.charge(request(key="attempt-2")).succeeded


def test_a_key_reused_for_another_amount_is_refused(gateway: TestModeGateway) -> None:
    gateway.charge(request(amount=12500))

    with pytest.raises(IdempotencyConflict):
        gateway.charge(request(amount=9900))


def test_find_charge_reports_what_the_processor_recorded(gateway: TestModeGateway) -> None:
    charged = gateway.charge(request(key="good"))
    with pytest.raises(PaymentDeclined):
        gateway.charge(request("4000 0000 0000 0127", key="bad"))

    assert gateway.find_charge("good") == charged
    declined = gateway.find_charge("bad")
    assert declined is not None
    assert declined.status == "failed"
    assert declined.failure_message == (
        "Your card was declined: the security code (CVC) is incorrect."
    )
    assert gateway.find_charge("never") is None


def test_a_charge_stands_when_the_callers_transaction_rolls_back(
    gateway: TestModeGateway, session: Session
) -> None:
    session.execute(select(1))  # the caller's transaction is open
    charge = gateway.charge(request())
    session.rollback()

    assert gateway.find_charge("attempt-1") == charge


@pytest.mark.postgres
def test_a_charge_stands_when_the_callers_writes_roll_back(
    gateway: TestModeGateway, session: Session, clean_db: Engine
) -> None:
    session.add(
        LedgerCharge(
            idempotency_key="the-callers-own",
            reference="ch_callers_row",
            amount=100,
            currency="USD",
            status="succeeded",
            created_at=NOW,
        )
    )
    session.flush()  # the caller holds uncommitted writes while it charges
    charge = gateway.charge(request())
    session.rollback()

    assert [row.reference for row in ledger_rows(clean_db)] == [charge.reference]


def test_the_ledger_database_failing_is_the_processor_not_answering(tmp_path: Path) -> None:
    unreachable = create_engine(f"sqlite:///{tmp_path / 'missing' / 'ledger.db'}")
    try:
        with pytest.raises(GatewayUnavailable):
            TestModeGateway(unreachable, clock=Clock()).charge(request())
    finally:
        unreachable.dispose()


# --- concurrency -------------------------------------------------------------------------------


@pytest.fixture
def racing_engine(database_url: str, clean_db: Engine) -> Iterator[Engine]:
    """An engine with a connection for every thread, so all of them really run at once."""
    engine = create_engine(database_url, pool_size=THREADS, max_overflow=0)
    yield engine
    engine.dispose()


def race(attempt: Callable[[int], object]) -> list[object]:
    """Run `attempt(n)` in THREADS threads released together; return results and errors."""
    barrier = threading.Barrier(THREADS, timeout=JOIN_TIMEOUT)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        barrier.wait()
        try:
            outcome: object = attempt(n)
        except Exception as error:  # every outcome is counted, unexpected ones included
            outcome = error
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


def test_concurrent_charges_with_one_key_charge_once(racing_engine: Engine) -> None:
    gateway = TestModeGateway(racing_engine, clock=Clock())

    outcomes = race(lambda n: gateway.charge(request()))

    assert all(isinstance(outcome, Charge) for outcome in outcomes), outcomes
    assert len({outcome.reference for outcome in outcomes if isinstance(outcome, Charge)}) == 1
    assert len(outcomes) == THREADS
    assert len(ledger_rows(racing_engine)) == 1


def test_concurrent_refunds_never_exceed_the_charge(racing_engine: Engine) -> None:
    gateway = TestModeGateway(racing_engine, clock=Clock())
    charge = gateway.charge(request(amount=10000))

    outcomes = race(lambda n: gateway.refund(charge.reference, 1000, f"refund-{n}"))

    kinds = Counter(type(outcome).__name__ for outcome in outcomes)
    assert kinds == {"Refund": 10, "RefundRefused": 10}, outcomes
    assert refunded(racing_engine, charge.reference) == 10000


def test_concurrent_refunds_with_one_key_refund_once(racing_engine: Engine) -> None:
    gateway = TestModeGateway(racing_engine, clock=Clock())
    charge = gateway.charge(request(amount=10000))

    outcomes = race(lambda n: gateway.refund(charge.reference, 2500, "refund-once"))

    assert len(set(outcomes)) == 1, outcomes
    assert refunded(racing_engine, charge.reference) == 2500


# --- refunds -----------------------------------------------------------------------------------


def test_a_full_refund_gives_back_the_whole_charge(
    gateway: TestModeGateway, clean_db: Engine
) -> None:
    charge = gateway.charge(request(amount=12500))

    refund = gateway.refund(charge.reference, 12500, "refund-1")

    assert (refund.charge_reference, refund.amount) == (charge.reference, 12500)
    assert refund.reference.startswith("re_test_")
    assert refunded(clean_db, charge.reference) == 12500
    with pytest.raises(RefundRefused, match="already been refunded in full"):
        gateway.refund(charge.reference, 1, "refund-2")


def test_partial_refunds_add_up_to_at_most_the_charge(
    gateway: TestModeGateway, clean_db: Engine
) -> None:
    charge = gateway.charge(request(amount=12500))
    gateway.refund(charge.reference, 5000, "refund-1")
    gateway.refund(charge.reference, 5000, "refund-2")

    with pytest.raises(RefundRefused) as refused:
        gateway.refund(charge.reference, 5000, "refund-3")

    assert str(refused.value) == (
        "Only $25.00 of this payment can still be refunded, less than the $50.00 asked for."
    )
    assert refused.value.status_code == 409
    assert gateway.refund(charge.reference, 2500, "refund-4").amount == 2500
    assert refunded(clean_db, charge.reference) == 12500


def test_a_refund_key_replays_the_same_refund(gateway: TestModeGateway, clean_db: Engine) -> None:
    charge = gateway.charge(request(amount=12500))

    first = gateway.refund(charge.reference, 5000, "refund-1")
    again = gateway.refund(charge.reference, 5000, "refund-1")

    assert again == first
    assert refunded(clean_db, charge.reference) == 5000
    with pytest.raises(IdempotencyConflict):
        gateway.refund(charge.reference, 4000, "refund-1")


def test_a_declined_charge_cannot_be_refunded(gateway: TestModeGateway) -> None:
    with pytest.raises(PaymentDeclined):
        gateway.charge(request("4000 0000 0000 9995"))
    declined = gateway.find_charge("attempt-1")
    assert declined is not None

    with pytest.raises(RefundRefused, match="did not go through"):
        gateway.refund(declined.reference, 100, "refund-1")


def test_an_unknown_charge_cannot_be_refunded(gateway: TestModeGateway) -> None:
    with pytest.raises(RefundRefused, match="no payment with that reference"):
        gateway.refund("ch_test_unknown", 100, "refund-1")


def test_a_refund_amount_must_be_positive(gateway: TestModeGateway) -> None:
    charge = gateway.charge(request())

    with pytest.raises(ValueError, match="positive"):
        gateway.refund(charge.reference, 0, "refund-1")


# --- construction ------------------------------------------------------------------------------


def test_make_gateway_builds_the_named_gateway(clean_db: Engine) -> None:
    assert isinstance(make_gateway("test", engine=clean_db), TestModeGateway)
    stripe_gateway = make_gateway("stripe", api_key="sk_test_x", api_base="http://127.0.0.1:9")
    assert isinstance(stripe_gateway, StripeGateway)
    stripe_gateway.close()
    with pytest.raises(ValueError, match="unknown payment gateway"):
        make_gateway("paypal")


@pytest.mark.parametrize(
    "changes",
    [{"amount": 0}, {"amount": -5}, {"currency": "US"}, {"idempotency_key": ""}],
)
def test_a_malformed_charge_request_is_a_programming_error(changes: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "amount": 100,
        "currency": "USD",
        "idempotency_key": "k",
        "description": "",
        **changes,
    }
    with pytest.raises(ValueError):
        ChargeRequest(**fields)  # type: ignore[arg-type]
