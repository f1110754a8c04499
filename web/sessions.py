"""Two session cookies in one app: the widget's (framed by studio sites) and the admin's.

Staff and clients are separate identities, so a staff member can try the widget in the same
browser without logging out. The admin cookie is path-scoped to the admin and never cross-site;
the widget cookie is `SameSite=None; Secure; Partitioned` over HTTPS so it still works inside a
studio's iframe where browsers partition or block third-party cookies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from web.static_files import is_static

View = TypeVar("View", bound=Callable[..., Any])


def cookie_free(view: View) -> View:
    """Marks a view whose answer is the same whoever asks (a file, the stylesheet): its response
    neither saves the session nor says `Vary: Cookie`, so a browser keeps one copy across log-ins
    and a shared cache (a CDN, the proxy) may keep it for everyone. Static files are cookie-free."""
    view.cookie_free = True  # type: ignore[attr-defined]
    return view


def _answer_is_cookie_free(app: Flask) -> bool:
    endpoint = request.endpoint
    if endpoint is None:
        return False
    return is_static(endpoint) or getattr(app.view_functions.get(endpoint), "cookie_free", False)


def in_admin() -> bool:
    from flask import current_app

    prefix: str = current_app.config["ADMIN_URL_PREFIX"]
    return request.path == prefix or request.path.startswith(prefix + "/")


class SplitSessionInterface(SecureCookieSessionInterface):
    def get_cookie_name(self, app: Flask) -> str:
        return str(app.config["ADMIN_SESSION_COOKIE_NAME" if in_admin() else "SESSION_COOKIE_NAME"])

    def get_cookie_path(self, app: Flask) -> str:
        return str(app.config["ADMIN_URL_PREFIX"]) if in_admin() else "/"

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or bool(app.config["SESSION_COOKIE_SECURE"])

    def get_cookie_samesite(self, app: Flask) -> str | None:
        if in_admin():
            return "Lax"
        return "None" if self.get_cookie_secure(app) else "Lax"

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return not in_admin() and self.get_cookie_secure(app)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Flask-Login looks at the session after every request, which alone would add `Vary:
        # Cookie`; nothing a cookie-free view's request does to the session is kept.
        if not _answer_is_cookie_free(app):
            super().save_session(app, session, response)
