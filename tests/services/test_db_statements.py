"""The statements built once (core.db): a row by its id as `session.get` gives it, and prebuilt
writes run as Core in the session's transaction, seeing what the session has not flushed yet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session, joinedload

from core.db import ById, write_rows
from core.models import Client, SlotState, TimeSlot
from tests.conftest import NOW
from tests.web.helpers import count_queries

_SLOT_WITH_PLACE = ById(TimeSlot, joinedload(TimeSlot.location), joinedload(TimeSlot.resource))
_CLOSE = (
    update(TimeSlot)
    .where(TimeSlot.resource_id == bindparam("on_resource"))
    .values(state=SlotState.CLOSED)
    .execution_options(synchronize_session=False)
)


def test_by_id_loads_the_row_with_its_options_in_one_query(
    session: Session, core_make: Any
) -> None:
    slot_id = core_make.slot(NOW + timedelta(days=1)).id
    session.expunge_all()
    with count_queries(session.get_bind()) as seen:
        slot = _SLOT_WITH_PLACE(session, slot_id)
        assert slot is not None and slot.id == slot_id
        assert slot.location.name and slot.resource.name  # loaded with it: no query more
    assert len(seen) == 1


def test_by_id_gives_the_sessions_own_object_without_a_query(
    session: Session, core_make: Any
) -> None:
    client = core_make.client()
    client_id = client.id
    client.name = "Changed, not flushed"
    with count_queries(session.get_bind()) as seen:
        found = ById(Client)(session, client_id)
    assert found is client and found.name == "Changed, not flushed"
    assert seen == []


def test_by_id_of_a_row_that_does_not_exist_is_none(session: Session) -> None:
    assert _SLOT_WITH_PLACE(session, 999_999) is None


def test_write_rows_sees_what_the_session_has_not_flushed(session: Session, core_make: Any) -> None:
    room = core_make.resource()
    session.commit()
    added = TimeSlot(
        start_at=NOW + timedelta(days=2),
        end_at=NOW + timedelta(days=2, minutes=30),
        resource_id=room.id,
        location_id=room.location_id,
        state=SlotState.OPEN,
    )
    session.add(added)  # pending: the UPDATE must still find it, as session.execute would
    assert write_rows(session, _CLOSE, {"on_resource": room.id}).rowcount == 1
    session.rollback()  # in the session's transaction: undone with it
    assert session.get(TimeSlot, added.id) is None
