"""Card checks before any processor sees a card: Luhn, brand, expiry and security code."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.services.payments.cards import (
    EXPIRED,
    INVALID_MONTH,
    INVALID_NUMBER,
    card_brand,
    check_card,
    cvc_length,
    is_expired,
    last4,
    luhn_check_digit,
    luhn_ok,
    normalize_number,
)
from core.services.payments.gateway import CardDetails, PaymentDeclined

TODAY = date(2026, 11, 23)
payloads = st.text(alphabet="0123456789", min_size=11, max_size=18)


def card(
    number: str = "4242 4242 4242 4242", month: int = 12, year: int = 2030, cvc: str = "123"
) -> CardDetails:
    return CardDetails(number=number, exp_month=month, exp_year=year, cvc=cvc, name="Ada")


@pytest.mark.parametrize(
    "number",
    [
        "4242424242424242",
        "4242 4242 4242 4242",
        "4242-4242-4242-4242",
        "5555555555554444",
        "378282246310005",
        "6011111111111117",
        "4000000000000119",
    ],
)
def test_documented_test_numbers_pass_the_luhn_check(number: str) -> None:
    assert luhn_ok(number)


@pytest.mark.parametrize(
    "number",
    ["4242424242424241", "", "0", "4242 4242 4242 424x", "４２４２４２４２４２４２４２４２"],
)
def test_wrong_or_non_digit_numbers_fail_the_luhn_check(number: str) -> None:
    assert not luhn_ok(number)


@given(payloads)
def test_a_payload_completed_with_its_check_digit_passes_luhn(payload: str) -> None:
    assert luhn_ok(payload + luhn_check_digit(payload))


@given(payloads, st.data())
def test_changing_any_one_digit_fails_luhn(payload: str, data: st.DataObject) -> None:
    number = payload + luhn_check_digit(payload)
    position = data.draw(st.integers(0, len(number) - 1))
    digit = data.draw(st.sampled_from("0123456789").filter(lambda d: d != number[position]))

    changed = number[:position] + digit + number[position + 1 :]

    assert not luhn_ok(changed)


@given(payloads, st.data())
def test_swapping_two_adjacent_different_digits_fails_luhn_except_09_and_90(
    payload: str, data: st.DataObject
) -> None:
    number = payload + luhn_check_digit(payload)
    i = data.draw(st.integers(0, len(number) - 2))
    pair = number[i : i + 2]
    assume(pair[0] != pair[1] and pair not in {"09", "90"})

    swapped = number[:i] + pair[::-1] + number[i + 2 :]

    assert not luhn_ok(swapped)


@given(payloads)
def test_spaces_and_dashes_between_groups_are_ignored(payload: str) -> None:
    number = payload + luhn_check_digit(payload)
    grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))

    assert normalize_number(grouped.replace(" ", "-", 1)) == number
    assert luhn_ok(grouped)


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("371449635398431", "amex"),
        ("6011111111111117", "discover"),
        ("6500000000000002", "discover"),
        ("3056930009020004", "unknown"),
        ("", "unknown"),
    ],
)
def test_card_brand_follows_the_number_prefix(number: str, brand: str) -> None:
    assert card_brand(number) == brand


def test_amex_security_codes_have_four_digits_others_three() -> None:
    assert cvc_length("3782 822463 10005") == 4
    assert cvc_length("4242424242424242") == 3


def test_last4_is_the_last_four_digits_without_separators() -> None:
    assert last4("4242 4242 4242 4242") == "4242"


@pytest.mark.parametrize(
    ("month", "year", "expired"),
    [(11, 2026, False), (12, 2026, False), (10, 2026, True), (12, 2025, True), (11, 26, False)],
)
def test_a_card_is_valid_through_the_end_of_its_expiry_month(
    month: int, year: int, expired: bool
) -> None:
    assert is_expired(month, year, TODAY) is expired


@given(st.integers(1, 12), st.integers(2000, 2100), st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_expiry_compares_months_only(month: int, year: int, today: date) -> None:
    assert is_expired(month, year, today) is ((year, month) < (today.year, today.month))


def test_a_good_card_passes_the_checks() -> None:
    check_card(card(), TODAY)
    check_card(card("3782 822463 10005", cvc="1234"), TODAY)
    check_card(card(month=11, year=2026), TODAY)


@pytest.mark.parametrize(
    ("details", "message"),
    [
        (card("4242 4242 4242 4241"), INVALID_NUMBER),
        (card("4242 4242 42"), INVALID_NUMBER),
        (card("4242 4242 4242 4242 4242 4242 4"), INVALID_NUMBER),
        (card("4242 4242 4242 424a"), INVALID_NUMBER),
        (card(month=13), INVALID_MONTH),
        (card(month=0), INVALID_MONTH),
        (card(month=10, year=2026), EXPIRED),
        (card(cvc="12"), "The security code (CVC) must be 3 digits, as printed on the card."),
        (card(cvc="1234"), "The security code (CVC) must be 3 digits, as printed on the card."),
        (card(cvc="12a"), "The security code (CVC) must be 3 digits, as printed on the card."),
        (
            card("3782 822463 10005", cvc="123"),
            "The security code (CVC) must be 4 digits, as printed on the card.",
        ),
    ],
)
def test_a_bad_card_is_declined_with_a_message_naming_the_field(
    details: CardDetails, message: str
) -> None:
    with pytest.raises(PaymentDeclined, match=f"^{re.escape(message)}$"):
        check_card(details, TODAY)


@given(payloads, st.text(alphabet="0123456789", min_size=3, max_size=3))
def test_any_luhn_valid_unexpired_card_with_the_right_cvc_passes(payload: str, cvc: str) -> None:
    number = payload + luhn_check_digit(payload)
    assume(card_brand(number) != "amex")

    check_card(card(number, cvc=cvc), TODAY)


def test_card_details_never_show_the_number_or_cvc_in_their_repr() -> None:
    text = repr(card())

    assert "4242" not in text
    assert "123" not in text
