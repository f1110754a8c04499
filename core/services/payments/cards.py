"""Checks a card number, expiry and security code can pass before any processor sees them.

Pure functions over plain values; the clock is a parameter (`today`).
"""

from __future__ import annotations

from datetime import date

from core.services.payments.gateway import CardDetails, PaymentDeclined

INVALID_NUMBER = "That card number is not valid. Please check it and try again."
INVALID_MONTH = "The expiry month must be between 1 and 12."
EXPIRED = "This card has expired. Please check the expiry date or use another card."

_MIN_DIGITS, _MAX_DIGITS = 12, 19


def normalize_number(number: str) -> str:
    """The number as typed, without the spaces and dashes people put between groups."""
    return number.replace(" ", "").replace("-", "")


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts "²" and Arabic-Indic digits, which no card number contains.
    return text.isascii() and text.isdigit()


def luhn_check_digit(payload: str) -> str:
    """The Luhn check digit that completes `payload` (ASCII digits) into a valid number."""
    if not _is_ascii_digits(payload):
        raise ValueError(f"not a digit string: {payload!r}")
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:  # doubled: every second digit left of the check digit
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str(-total % 10)


def luhn_ok(number: str) -> bool:
    """True if the number (spaces and dashes ignored) is digits with a correct Luhn check digit."""
    digits = normalize_number(number)
    if len(digits) < 2 or not _is_ascii_digits(digits):
        return False
    return luhn_check_digit(digits[:-1]) == digits[-1]


def card_brand(number: str) -> str:
    """Stripe's brand code for the number's prefix: visa, mastercard, amex, discover or unknown."""
    digits = normalize_number(number)
    if not _is_ascii_digits(digits):
        return "unknown"
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"34", "37"}:
        return "amex"
    if "51" <= digits[:2] <= "55" or (len(digits) >= 4 and "2221" <= digits[:4] <= "2720"):
        return "mastercard"
    if digits.startswith(("6011", "65")) or "644" <= digits[:3] <= "649":
        return "discover"
    return "unknown"


def cvc_length(number: str) -> int:
    """How many digits the card's security code has: 4 on American Express, else 3."""
    return 4 if card_brand(number) == "amex" else 3


def full_year(exp_year: int) -> int:
    """A four-digit year; two-digit years as printed on cards (`27`) are in this century."""
    return exp_year + 2000 if 0 <= exp_year < 100 else exp_year


def is_expired(exp_month: int, exp_year: int, today: date) -> bool:
    """True once the expiry month is over: a card is valid through the last day of that month."""
    return (full_year(exp_year), exp_month) < (today.year, today.month)


def check_card(card: CardDetails, today: date) -> None:
    """Returns None if the card could be charged on `today`.

    Raises PaymentDeclined, with a message naming the field to fix, for a number that is not
    12-19 digits with a correct Luhn check digit, an expiry month outside 1-12 or in the past,
    or a security code that is not 3 digits (4 on American Express).
    """
    digits = normalize_number(card.number)
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS or not luhn_ok(digits):
        raise PaymentDeclined(INVALID_NUMBER)
    if not 1 <= card.exp_month <= 12:
        raise PaymentDeclined(INVALID_MONTH)
    if is_expired(card.exp_month, card.exp_year, today):
        raise PaymentDeclined(EXPIRED)
    length = cvc_length(digits)
    if len(card.cvc) != length or not _is_ascii_digits(card.cvc):
        raise PaymentDeclined(
            f"The security code (CVC) must be {length} digits, as printed on the card."
        )


def last4(number: str) -> str:
    """The last four digits, the only part of a number that may be shown or kept."""
    return normalize_number(number)[-4:]
