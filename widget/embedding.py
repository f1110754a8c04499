"""The widget inside a studio's iframe: where the client came from, and whom to tell its height.

embed.js (on the studio's page) adds the page's UTM parameters, a `source` and `embed_origin` (the
page's origin) to the iframe's address. Both are kept in the widget session for the visit: the
attribution goes onto the new client and each booking made (core decides what is kept), and
widget.js posts the page height to the parent origin, only when it is one the studio allows.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, request, session

from core.rules.embedding import ATTRIBUTION_KEYS, UTM_KEYS, clean_attribution, trusted_parent
from core.services.embedding import allowed_parents, csp_frame_ancestors
from widget import bp
from widget.holds import ATTRIBUTION_KEY, EMBED_PARENT_KEY
from widget.views_theme import preferences

# Files, not pages: nobody frames them, so their CSP keeps the default without a query.
_ASSETS = {"widget.static", "widget.stored_file"}


def _own_origin() -> str:
    parts = urlsplit(request.host_url)
    return f"{parts.scheme}://{parts.netloc}"


def trusted_origin(claimed: object) -> str | None:
    """`claimed` as an origin the studio allows to frame the widget, or None."""
    if not isinstance(claimed, str):
        return None
    allowed = allowed_parents(preferences(), current_app.config["WIDGET_FRAME_ANCESTORS"])
    return trusted_parent(claimed, allowed, _own_origin())


@bp.before_request
def frame_ancestors_for_this_page() -> None:
    """The CSP's frame-ancestors (web.security), decided before the view commits anything: the
    preferences row read for the page is still loaded, so the header costs no query."""
    if request.endpoint not in _ASSETS:
        g.widget_frame_ancestors = csp_frame_ancestors(
            preferences(), current_app.config["WIDGET_FRAME_ANCESTORS"]
        )


@bp.before_request
def keep_where_the_client_came_from() -> None:
    """A page opened with `source`/UTM parameters (from embed.js or a marketing link) sets the
    visit's attribution; a bare `source` does not replace one that has UTM values."""
    if request.method != "GET":
        return
    incoming = clean_attribution(
        {key: request.args[key] for key in ATTRIBUTION_KEYS if key in request.args}
    )
    kept = visit_attribution()
    has_utm = any(key in UTM_KEYS for key in incoming or {})
    if incoming and (has_utm or not any(key in UTM_KEYS for key in kept or {})):
        session[ATTRIBUTION_KEY] = incoming
    if "embed_origin" in request.args:
        parent = trusted_origin(request.args["embed_origin"])
        if parent:
            session[EMBED_PARENT_KEY] = parent
        else:
            session.pop(EMBED_PARENT_KEY, None)


def visit_attribution() -> dict[str, str] | None:
    """This visit's source and UTM values, or None."""
    kept = session.get(ATTRIBUTION_KEY)
    return clean_attribution(kept) if isinstance(kept, dict) else None


@bp.context_processor
def embed_parent() -> dict[str, Any]:
    """The framing page's origin widget.js posts the height to (checked again: staff may have
    removed it since), or None: no posting."""
    return {"embed_parent": trusted_origin(session.get(EMBED_PARENT_KEY))}
