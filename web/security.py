"""Security headers for every response: CSP with frame-ancestors per area, no sniffing."""

from __future__ import annotations

from flask import Flask, Response, request

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
