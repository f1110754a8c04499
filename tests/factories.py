"""Small factories for arranging data in tests; every argument has a sensible default."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.models import (
    Client,
    Location,
    Resource,
    ServiceKind,
    ServiceType,
    SlotAccess,
    SlotState,
    Staff,
    StaffRole,
    Studio,
    TimeSlot,
)
from core.services.accounts import hash_password

_seq = itertools.count(1)
PASSWORD = "correct horse battery"
# argon2 is slow on purpose; hash the shared test password once.
_PASSWORD_HASH = hash_password(PASSWORD)


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _save(self, obj: Any) -> Any:
        self.session.add(obj)
        self.session.commit()
        return obj

    def studio(self, **kw: Any) -> Studio:
        return self._save(
            Studio(**{"name": "Test Studio", "currency": "USD", "locale": "en_US", **kw})
        )

    def location(self, **kw: Any) -> Location:
        n = next(_seq)
        defaults = {
            "name": f"loc-{n}",
            "display_name": f"Location {n}",
            "address": f"{n} Main Street",
            "timezone": "America/New_York",
        }
        return self._save(Location(**{**defaults, **kw}))

    def resource(self, location: Location | None = None, **kw: Any) -> Resource:
        location = location or self.location()
        return self._save(Resource(**{"name": f"Room {next(_seq)}", "location": location, **kw}))

    def service_type(self, **kw: Any) -> ServiceType:
        n = next(_seq)
        defaults = {
            "kind": ServiceKind.SESSION,
            "name": f"TYPE{n}",
            "online_name": f"Portrait session {n}",
            "slug": f"portrait-{n}",
            "duration_minutes": 60,
            "online": True,
            "display_price": 12500,
        }
        return self._save(ServiceType(**{**defaults, **kw}))

    def slot(
        self,
        start: datetime,
        *,
        service_types: list[ServiceType] | None = None,
        resource: Resource | None = None,
        minutes: int = 60,
        **kw: Any,
    ) -> TimeSlot:
        resource = resource or self.resource()
        return self._save(
            TimeSlot(
                start_at=start,
                end_at=start + timedelta(minutes=minutes),
                resource=resource,
                location_id=resource.location_id,
                service_types=service_types if service_types is not None else [self.service_type()],
                state=kw.pop("state", SlotState.OPEN),
                **kw,
            )
        )

    def client(self, **kw: Any) -> Client:
        n = next(_seq)
        defaults = {
            "name": f"Client {n}",
            "email": f"client{n}@example.com",
            "phone": "+1 555 0100",
            "password_hash": _PASSWORD_HASH,
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        }
        return self._save(Client(**{**defaults, **kw}))

    def staff(self, **kw: Any) -> Staff:
        n = next(_seq)
        defaults = {
            "name": f"Staff {n}",
            "email": f"staff{n}@studio.test",
            "password_hash": _PASSWORD_HASH,
            # Tests of other features need every page; the permission tests lower these.
            "role": StaffRole.ADMINISTRATOR,
            "slot_access": SlotAccess.FULL,
            "can_edit_preferences": True,
        }
        return self._save(Staff(**{**defaults, **kw}))
