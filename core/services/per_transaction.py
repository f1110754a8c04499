"""Rows a use case reads more than once in one transaction (the offers a booking's quote weighed
and its `redeem` weighs again, a type's invoice items), kept in `session.info` until the
transaction ends. A flush that writes a row of a watched model forgets what was read from it,
so a transaction that edits (staff changing a promotion, then previewing it) reads afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

T = TypeVar("T")

_KEY = "studiobook.per_transaction"


def kept(session: Session, key: Hashable, watched: tuple[type, ...], load: Callable[[], T]) -> T:
    """`load()`'s result, read once per transaction of `session` under `key`; forgotten when
    the transaction ends or a flush writes a row of one of the `watched` models."""
    entries: dict[Hashable, tuple[tuple[type, ...], Any]] = session.info.setdefault(_KEY, {})
    if key not in entries:
        entries[key] = (watched, load())
    return entries[key][1]  # type: ignore[no-any-return]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_flush")
def _forget_written(session: Session, _flush: UOWTransaction) -> None:
    entries: dict[Hashable, tuple[tuple[type, ...], Any]] | None = session.info.get(_KEY)
    if not entries:
        return
    written = {type(row) for row in (*session.new, *session.dirty, *session.deleted)}
    for key, (watched, _value) in list(entries.items()):
        if any(issubclass(model, watched) for model in written):
            del entries[key]
