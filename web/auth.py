"""Who is logged in: a client in the widget, a staff member in the admin (Flask-Login).

The user id in the session names the kind ("client:7", "staff:2"); each area only accepts its own
kind, and each area has its own session cookie (see web.sessions).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import redirect, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user

from core.db import ById
from core.models import Client, Staff
from web.extensions import db, login_manager
from web.sessions import in_admin

F = TypeVar("F", bound=Callable[..., Any])


class Identity(UserMixin):
    """The logged-in person, wrapping the Client or Staff row."""

    def __init__(self, record: Client | Staff) -> None:
        self.record = record
        self.kind = "staff" if isinstance(record, Staff) else "client"

    def get_id(self) -> str:
        return f"{self.kind}:{self.record.id}"


_client_by_id, _staff_by_id = ById(Client), ById(Staff)


@login_manager.user_loader
def _load_identity(user_id: str) -> Identity | None:
    kind, _, raw_id = user_id.partition(":")
    if kind != ("staff" if in_admin() else "client") or not raw_id.isdigit():
        return None
    record = (_staff_by_id if kind == "staff" else _client_by_id)(db.session, int(raw_id))
    if record is None or (isinstance(record, Staff) and not record.active):
        # The session ends, so making the account active again does not bring it back.
        session.clear()
        return None
    return Identity(record)


def log_in(record: Client | Staff, *, keep: tuple[str, ...] = ()) -> None:
    """Start a fresh session for this person, carrying over only the named keys."""
    kept = {key: session[key] for key in keep if key in session}
    session.clear()  # a new session on login: nothing an attacker planted survives
    session.update(kept)
    login_user(Identity(record))


def log_out() -> None:
    logout_user()
    session.clear()


def current_client() -> Client | None:
    if current_user.is_authenticated and current_user.kind == "client":
        return cast(Client, current_user.record)
    return None


def session_client_id() -> int | None:
    """The logged-in client's id as the session names it, without loading the row: for what
    needs no more than the id (whom a hold's given-back time is not announced to), never to
    decide what someone may do (the row may be gone: `current_client` checks)."""
    kind, _, raw_id = str(session.get("_user_id", "")).partition(":")
    return int(raw_id) if kind == "client" and raw_id.isdigit() and not in_admin() else None


def current_staff() -> Staff | None:
    if current_user.is_authenticated and current_user.kind == "staff":
        return cast(Staff, current_user.record)
    return None


def login_required_as(kind: str, login_endpoint: str) -> Callable[[F], F]:
    """Decorator: the view needs a logged-in `kind`; otherwise off to `login_endpoint` and back."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not (current_user.is_authenticated and current_user.kind == kind):
                return redirect(url_for(login_endpoint, next=request.full_path.rstrip("?")), 303)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: no open redirects."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
