"""Studio-defined booking questions (seed 001, "New Session Options" / "New Appointment Options"):
fields a client fills in about the session or appointment, each Hidden, optional or Required.
"""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models._types import str_enum
from core.models.catalog import ServiceKind
from core.models.preferences import FieldMode


class AnswerType(enum.Enum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # a paragraph
    CHOICE = "choice"  # one of the question's choices
    YES_NO = "yes_no"


class BookingQuestion(Base):
    __tablename__ = "booking_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ServiceKind] = mapped_column(str_enum(ServiceKind, "question_service_kind"))
    label: Mapped[str] = mapped_column(String(200))
    help_text: Mapped[str] = mapped_column(String(300), default="")
    answer_type: Mapped[AnswerType] = mapped_column(
        str_enum(AnswerType, "question_answer_type"), default=AnswerType.TEXT
    )
    # CHOICE questions: one choice per line.
    choices: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[FieldMode] = mapped_column(
        str_enum(FieldMode, "question_mode"), default=FieldMode.OPTIONAL
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<BookingQuestion {self.id} {self.kind.value} {self.label!r}>"


class BookingAnswer(Base):
    """A client's answer; keeps the question's wording so history reads right after edits."""

    __tablename__ = "booking_answer"
    __table_args__ = (UniqueConstraint("booking_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking_question.id", ondelete="SET NULL"), default=None
    )
    question: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(Text)

    booking_question: Mapped[BookingQuestion | None] = relationship()
