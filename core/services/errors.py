"""Failures a client or staff member can cause, each with a message they can read."""

from __future__ import annotations


class BookingError(Exception):
    """Base of every user-facing failure; `str(error)` is the message to show."""

    status_code = 400

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)

    default_message = "That did not work. Please try again."


class NotFound(BookingError):
    status_code = 404
    default_message = "We could not find that."


class SlotNotOffered(BookingError):
    status_code = 400
    default_message = "That time is not offered for this session type. Please choose another time."


class SlotTaken(BookingError):
    status_code = 409
    default_message = "Sorry, this time was just taken. Please choose another time."


class TooSoonToBook(BookingError):
    status_code = 409
    default_message = (
        "This time starts too soon to book online. Please choose a later time, "
        "or contact the studio."
    )


class HoldExpired(BookingError):
    status_code = 409
    default_message = (
        "We held this time for you for a limited time and that time has run out. "
        "Please choose the time again."
    )


class NotCancellable(BookingError):
    status_code = 409
    default_message = "This booking can no longer be cancelled online."


class InvalidCredentials(BookingError):
    status_code = 401
    default_message = "That email and password do not match an account."


class EmailTaken(BookingError):
    status_code = 409
    default_message = "An account with this email already exists. Please log in instead."


class InvalidDetails(BookingError):
    """Some fields the studio's preferences ask for are missing or not valid; `errors` maps
    each field name to its message."""

    status_code = 400
    default_message = "Please check the highlighted fields."

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__()
        self.errors = errors
