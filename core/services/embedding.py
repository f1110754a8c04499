"""The studio's embedding settings: the sites allowed to frame the widget (Preferences, General),
and the lead source a client's attribution points at. The rules are in core.rules.embedding."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import ListChoice, ListKind, OnlinePreferences
from core.rules.embedding import config_origins, frame_ancestors, parse_origins
from core.services.preferences import online_preferences
from core.services.settings import InvalidPreference


class InvalidOrigins(InvalidPreference):
    """One or more lines of the allowed sites are not origins; `problems` has one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems), field="frame_ancestors")
        self.problems = problems


def set_frame_ancestors(session: Session, text: str) -> OnlinePreferences:
    """Save the sites allowed to show the widget (one origin per line; blank: the server's
    default). Nothing is saved when a line is not an origin. Raises InvalidOrigins."""
    origins, problems = parse_origins(text)
    if problems:
        raise InvalidOrigins(problems)
    prefs = online_preferences(session)
    prefs.frame_ancestors = " ".join(origins) or None
    session.add(prefs)
    session.commit()
    return prefs


def listed_origins(prefs: OnlinePreferences) -> list[str]:
    """The origins staff listed, in their order; [] when they listed none."""
    return (prefs.frame_ancestors or "").split()


def csp_frame_ancestors(prefs: OnlinePreferences, default: str) -> str:
    """The widget's CSP `frame-ancestors`: 'self' and the listed origins, or `default` (the
    server's configuration) when staff listed none."""
    listed = listed_origins(prefs)
    return frame_ancestors(listed) if listed else default


def allowed_parents(prefs: OnlinePreferences, default: str) -> list[str]:
    """The origins (or "*") a framing page may have, for trusting the embed script's claim."""
    return listed_origins(prefs) or config_origins(default)


def lead_source_matching(session: Session, attribution: Mapping[str, str] | None) -> int | None:
    """The active lead source named like the attribution's utm_source, else like its source
    (case and surrounding spaces ignored), or None."""
    if not attribution:
        return None
    for key in ("utm_source", "source"):
        name = attribution.get(key, "").strip().lower()
        if not name:
            continue
        choice_id = session.scalar(
            select(ListChoice.id)
            .where(
                ListChoice.kind == ListKind.LEAD_SOURCE,
                ListChoice.active.is_(True),
                func.lower(ListChoice.name) == name,
            )
            .order_by(ListChoice.position, ListChoice.id)
            .limit(1)
        )
        if choice_id is not None:
            return choice_id
    return None
