"""The studio, its locations and the resources (rooms, sets, photographers) slots are booked on."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base


class Studio(Base):
    """The one studio this installation serves; its name, currency and locale for display."""

    __tablename__ = "studio"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    locale: Mapped[str] = mapped_column(String(20), default="en_US")


class Location(Base):
    __tablename__ = "location"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))

    resources: Mapped[list[Resource]] = relationship(
        back_populates="location", order_by="Resource.name"
    )

    def __repr__(self) -> str:
        return f"<Location {self.name} {self.timezone}>"


class Resource(Base):
    __tablename__ = "resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    address: Mapped[str] = mapped_column(Text, default="")

    location: Mapped[Location] = relationship(back_populates="resources")
