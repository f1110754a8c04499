"""Security headers for every response: CSP with frame-ancestors per area, no sniffing."""

from __future__ import annotations

from flask import Flask, Response

from web.sessions import in_admin

_BASE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


def init_app(app: Flask) -> None:
    @app.after_request
    def set_security_headers(response: Response) -> Response:
        if in_admin():
            ancestors = "'none'"
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Cache-Control"] = "no-store"
        else:
            # The widget is framed by studio sites: CSP frame-ancestors, never X-Frame-Options.
            ancestors = app.config["WIDGET_FRAME_ANCESTORS"]
        response.headers.setdefault(
            "Content-Security-Policy", f"{_BASE_CSP}; frame-ancestors {ancestors}"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        return response
