"""Rate limits on guessing: logins, account creation, forgotten passwords and promo codes.

Each limited form is counted per IP address and, where the form names an account, per email:
one address cannot try many passwords on one account, and one client cannot try one password on
many accounts. Only failed logins count against an email, so a client who logs in and out all
day is never stopped; a burst of guesses is. Unknown and known emails are counted alike, so the
429 tells nothing about which accounts exist. The limits are settings (web.config) and live in
RATELIMIT_STORAGE_URI: memory per process, or Redis shared by every worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from core.services.accounts import normalize_email
from web.extensions import limiter

F = TypeVar("F", bound=Callable[..., Any])

TOO_MANY_LOGINS = (
    "Too many login attempts. Please wait a few minutes, then try again. "
    "If you have forgotten your password, you can ask for a new one."
)
TOO_MANY_ACCOUNTS = "Too many accounts were tried from here. Please wait a minute, then try again."
TOO_MANY_RESETS = "Too many password reset requests. Please wait a few minutes, then try again."


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config[name])


def email_key() -> str:
    """The email the form names, normalized; a form without one counts by IP address."""
    email = normalize_email(request.form.get("email", ""))[:254]
    return f"email:{email}" if email else f"ip:{get_remote_address()}"


def _failed(response: Response) -> bool:
    return response.status_code >= 400


def _limited(
    message: str, *, per_email: str | None, failures_only: bool = False
) -> Callable[[F], F]:
    """POSTs to the view limited per IP (AUTH_RATE_LIMIT_PER_IP) and per email (`per_email`)."""

    def decorator(view: F) -> F:
        view = limiter.limit(
            _setting("AUTH_RATE_LIMIT_PER_IP"), methods=["POST"], error_message=message
        )(view)
        if per_email:
            view = limiter.limit(
                _setting(per_email),
                key_func=email_key,
                methods=["POST"],
                error_message=message,
                deduct_when=_failed if failures_only else None,
            )(view)
        return view

    return decorator


# Widget and admin logins: failed attempts per email, every attempt per IP.
login_limited = _limited(
    TOO_MANY_LOGINS, per_email="LOGIN_RATE_LIMIT_PER_EMAIL", failures_only=True
)
# Creating accounts names a new email each time: per IP only.
register_limited = _limited(TOO_MANY_ACCOUNTS, per_email=None)
# Every reset request counts for its email (each one may send a mail).
reset_limited = _limited(TOO_MANY_RESETS, per_email="PASSWORD_RESET_RATE_LIMIT_PER_EMAIL")
