"""Organizations (seed 001, "Online Booking for Organizations"): a school, a team or a company
that books through its own deep link, sees only its own service types and time slots, and may
forbid new accounts (school photographers pre-load their students).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models.catalog import ServiceType

organization_service_type = Table(
    "organization_service_type",
    Base.metadata,
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
    Column("service_type_id", ForeignKey("service_type.id"), primary_key=True, index=True),
)


class Organization(Base):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The deep link: /o/<slug>.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Shown on top of the organization's booking pages ("Picture day at Lincoln High").
    welcome: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # False: only the clients the studio loaded (members) can log in and book here.
    allow_new_accounts: Mapped[bool] = mapped_column(Boolean, default=False)
    # True: the link also offers the studio's public time slots, not only the organization's.
    include_public_slots: Mapped[bool] = mapped_column(Boolean, default=False)

    service_types: Mapped[list[ServiceType]] = relationship(
        secondary=organization_service_type, order_by="ServiceType.name"
    )

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"
