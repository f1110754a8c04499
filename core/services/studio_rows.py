"""The studio-wide rows: the studio itself and its online, per-kind and invoice preferences.

Nearly every request reads them, and a booking reads them from half a dozen places (the quote,
the invoice, the mail, the staff notice...), each with a query of its own (issue 9: 4 reads of
the studio and 3 of the kind's preferences in one booking). They change rarely, and only through
these same objects, so each is read once per transaction of a session and kept in
`session.info` until the transaction ends (commit or rollback: the next one reads them afresh,
as another worker may have changed them meanwhile). On PostgreSQL the one query is itself
answered from the process's read cache until a change is notified (core/services/read_cache.py);
the invoice preferences are kept per transaction (core/services/per_transaction.py).

A row that does not exist yet (preferences never saved) is kept as its defaults, unsaved; the
admin's writers add that same object to save it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Column, event, inspect, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from core.models import (
    InvoicePreferences,
    KindPreferences,
    OnlinePreferences,
    ServiceKind,
    Studio,
)
from core.services import per_transaction
from core.services.read_cache import cached

M = TypeVar("M")
_KEY = "studiobook.studio_rows"


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)


def with_defaults(model: type[M], **values: Any) -> M:
    """An unsaved row whose attributes already hold the columns' Python defaults."""
    return model(**{**_scalar_defaults(model), **values})  # type: ignore[arg-type]


@cache
def _scalar_defaults(model: type) -> dict[str, Any]:
    """The model's columns with a constant Python default, and that default (the same for every
    row: worked out once, as a studio without saved preferences asks on every request)."""
    columns: Iterable[Column[Any]] = inspect(model).columns
    return {
        c.key: c.default.arg for c in columns if isinstance(c.default, ScalarElementColumnDefault)
    }


_STUDIO_ROWS = cached(
    select(Studio, OnlinePreferences, KindPreferences)
    .select_from(Studio)
    .outerjoin(OnlinePreferences, true())
    .outerjoin(KindPreferences, true())
    .order_by(Studio.id, OnlinePreferences.id),
    "studio rows",
)


def _rows(session: Session) -> dict[object, Any]:
    """The studio, its online preferences and both kinds' preferences, in one query (once per
    transaction): whichever is asked for first brings the others, as a request needs them all."""
    kept: dict[object, Any] = session.info.setdefault(_KEY, {})
    if Studio not in kept:
        rows = session.execute(_STUDIO_ROWS).all()
        studio_row: Studio | None
        prefs: OnlinePreferences | None
        if rows:  # one row per saved kind (or one with no kind)
            studio_row, prefs = rows[0][0], rows[0][1]
            kinds = {row[2].kind: row[2] for row in rows if row[2] is not None}
        else:  # no studio yet: its preferences may still be there
            studio_row, prefs = None, session.scalar(select(OnlinePreferences).limit(1))
            kinds = {row.kind: row for row in session.scalars(select(KindPreferences))}
        kept[Studio] = studio_row
        kept[OnlinePreferences] = prefs or with_defaults(OnlinePreferences)
        for kind in ServiceKind:
            kept[KindPreferences, kind] = kinds.get(kind) or with_defaults(
                KindPreferences, kind=kind
            )
    return kept


def studio(session: Session) -> Studio | None:
    """The studio row, or None before the studio is set up."""
    return _rows(session)[Studio]  # type: ignore[no-any-return]


def online_preferences(session: Session) -> OnlinePreferences:
    """The studio-wide preferences row; an unsaved one with the defaults before the first save."""
    return _rows(session)[OnlinePreferences]  # type: ignore[no-any-return]


def kind_preferences(session: Session, kind: ServiceKind) -> KindPreferences:
    """The Sessions or Appointments tab; defaults (no limits, no questions) until saved."""
    return _rows(session)[KindPreferences, kind]  # type: ignore[no-any-return]


def invoice_preferences(session: Session) -> InvoicePreferences | None:
    """The invoice defaults row, or None before staff save them."""
    first = cached(select(InvoicePreferences).limit(1), "invoice preferences")
    return per_transaction.kept(
        session, InvoicePreferences, (InvoicePreferences,), lambda: session.scalar(first)
    )
