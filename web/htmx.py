"""Small helpers for htmx requests: full page for a browser, the partial for htmx."""

from __future__ import annotations

from flask import request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def htmx_target() -> str | None:
    """The id of the element htmx will swap, when this is an htmx request."""
    return request.headers.get("HX-Target") if is_htmx() else None
