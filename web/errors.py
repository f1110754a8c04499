"""Error pages: every failure a user can cause is a clear message and a 4xx, never a 500."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core.services.errors import BookingError
from web.extensions import db
from web.htmx import is_htmx

_TITLES = {
    400: "Something in that request was not right",
    401: "Please log in",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "That could not be done",
    413: "That upload is too large",
    429: "Too many attempts",
}
CSRF_REFUSED = (
    "This form had expired or was not sent from this site. Please go back, reload the page and "
    "try again."
)


def render_error(message: str, status: int) -> tuple[str, int]:
    """The error page, or just the message for an htmx request, with its status."""
    template = "_error_message.html" if is_htmx() else "error.html"
    title = _TITLES.get(status, "Something went wrong")
    return render_template(template, title=title, message=message, status=status), status


def init_app(app: Flask) -> None:
    @app.errorhandler(BookingError)
    def booking_error(error: BookingError) -> tuple[str, int]:
        db.session.rollback()
        return render_error(str(error), error.status_code)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(CSRF_REFUSED, 400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        return render_error(error.description or _TITLES.get(status, ""), status)

    if app.testing:
        return  # let tests see the traceback

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("Unhandled error", exc_info=error)
        db.session.rollback()
        return render_error(
            "Sorry, something went wrong on our side. Nothing you saved was lost; "
            "please try again.",
            500,
        )
