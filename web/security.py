"""Security headers for every response: CSP with frame-ancestors per area, no sniffing."""

from __future__ import annotations

from flask import Flask, Response, g, request
from sqlalchemy.exc import SQLAlchemyError

from core.services.embedding import csp_frame_ancestors
from core.services.preferences import online_preferences
from web.extensions import db
from web.sessions import in_admin
from web.static_files import is_static

_BASE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


def _widget_frame_ancestors(app: Flask, response: Response) -> str:
    """The studio's listed sites (Preferences, General), else the configured default. Widget
    pages worked it out before their view ran (widget.embedding), from the preferences row they
    load anyway; other HTML pages read it; the rest (assets, failures) take the default."""
    default: str = app.config["WIDGET_FRAME_ANCESTORS"]
    if "widget_frame_ancestors" in g:
        return str(g.widget_frame_ancestors)
    prefs = g.get("online_preferences")
    if prefs is None and response.mimetype == "text/html" and response.status_code < 500:
        try:
            prefs = g.online_preferences = online_preferences(db.session)
        except SQLAlchemyError:
            db.session.rollback()
            return default
    return default if prefs is None else csp_frame_ancestors(prefs, default)


def init_app(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        if in_admin():
            ancestors = "'none'"
            response.headers["X-Frame-Options"] = "DENY"
            if not is_static(request.endpoint):  # its files are the same for everyone
                response.headers["Cache-Control"] = "no-store"
        else:
            # The widget is framed by studio sites: CSP frame-ancestors, never X-Frame-Options.
            ancestors = _widget_frame_ancestors(app, response)
        csp = f"{_BASE_CSP}; frame-ancestors {ancestors}"
        if app.config["PAYMENT_GATEWAY"] == "stripe":
            # Stripe.js and its card frame come from Stripe (the card never reaches us).
            stripe = "https://js.stripe.com"
            csp = csp.replace("script-src 'self'", f"script-src 'self' {stripe}")
            csp += f"; frame-src {stripe}"
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        if request.is_secure:  # over plain http the header is ignored, and the demo runs there
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response
