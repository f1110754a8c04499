"""Booking questions on the Sessions and Appointments tabs (seed 001, "New Session Options"):
add, edit, reorder and delete the studio's own questions. Each form posts on its own; htmx swaps
the editor in place, without JavaScript the tab is shown again (303, or 400 with the errors)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import Field, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, StopValidation

from admin import bp
from admin.forms_preferences import MODE_CHOICES
from admin.views_preferences import KINDS, _kind_form, _kind_page, preferences_required
from core.models import AnswerType, BookingQuestion, FieldMode, ServiceKind
from core.services import questions as service
from core.services.questions import (
    CHOICE_MAX_LENGTH,
    HELP_MAX_LENGTH,
    LABEL_MAX_LENGTH,
    MAX_CHOICES,
    InvalidQuestion,
    QuestionDetails,
)
from web.extensions import db
from web.htmx import htmx_target

EDITOR_ID = "booking-questions"
HEADING_ID = "booking-questions-heading"
Page = Response | tuple[str, int]
ID_RULE = "<int(max=2147483647):question_id>"
TAB_OF = {kind: tab for tab, kind in KINDS.items()}
ANSWER_TYPES = {
    AnswerType.TEXT: "Short answer",
    AnswerType.LONG_TEXT: "Paragraph",
    AnswerType.CHOICE: "One of a list",
    AnswerType.YES_NO: "Yes or no",
}
_OFFSETS = {"up": -1, "down": 1}
E = TypeVar("E", bound=enum.Enum)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _chosen(message: str) -> Callable[[FlaskForm, Field], None]:
    """Refuses an unknown option (coerced to None); unlike DataRequired it does not mark the
    field required, as one option is always chosen."""

    def check(form: FlaskForm, field: Field) -> None:
        if field.data is None:
            raise StopValidation(message)

    return check


def _enum_or_none(enum: type[E]) -> Callable[[Any], E | None]:
    """A coerce that leaves an unknown value as None, for DataRequired to word the message."""

    def coerce(value: Any) -> E | None:
        if isinstance(value, enum):
            return value
        try:
            return enum(value)
        except ValueError:
            return None

    return coerce


class QuestionForm(FlaskForm):
    """One question as staff write it; core.services.questions decides what may be saved."""

    label = StringField("Question", filters=[_strip], validators=[Length(max=LABEL_MAX_LENGTH)])
    help_text = StringField(
        "Help text (optional)", filters=[_strip], validators=[Length(max=HELP_MAX_LENGTH)]
    )
    answer_type = SelectField(
        "Answer",
        choices=[SelectChoice(t.value, label) for t, label in ANSWER_TYPES.items()],
        coerce=_enum_or_none(AnswerType),
        default=AnswerType.TEXT,
        validate_choice=False,
        validators=[_chosen("Choose one of the answer types listed.")],
    )
    choices = TextAreaField(
        "Choices, one per line",
        validators=[Length(max=MAX_CHOICES * (CHOICE_MAX_LENGTH + 1))],
        render_kw={"rows": 3},
    )
    mode = RadioField(
        "Clients",
        choices=MODE_CHOICES,
        coerce=_enum_or_none(FieldMode),
        default=FieldMode.OPTIONAL,
        validate_choice=False,
        validators=[_chosen("Choose Hidden, Optional or Required.")],
    )

    def details(self) -> QuestionDetails:
        return QuestionDetails(
            label=self.label.data or "",
            help_text=self.help_text.data or "",
            answer_type=self.answer_type.data,
            choices=self.choices.data or "",
            mode=self.mode.data,
        )


def _edit_form(question: BookingQuestion) -> QuestionForm:
    data = {
        "label": question.label,
        "help_text": question.help_text,
        "answer_type": question.answer_type,
        "choices": question.choices,
        "mode": question.mode,
    }
    return QuestionForm(prefix=f"q{question.id}", data=data, formdata=None)


def question_editor(
    kind: ServiceKind,
    *,
    add_form: QuestionForm | None = None,
    failed: tuple[int, QuestionForm] | None = None,
    focus: str | None = None,
) -> dict[str, Any]:
    """What the editor shows: the kind's questions with an edit form each, the add form; a
    form that failed keeps what staff typed and its messages. `focus` is the element id to
    focus after an htmx swap."""
    questions = service.all_questions(db.session, kind)
    edit_forms = {q.id: _edit_form(q) for q in questions}
    if failed is not None:
        edit_forms[failed[0]] = failed[1]
    return {
        "tab": TAB_OF[kind],
        "questions": questions,
        "edit_forms": edit_forms,
        "open_id": failed[0] if failed else None,
        "add_form": add_form or QuestionForm(prefix="new", formdata=None),
        "answer_types": ANSWER_TYPES,
        "focus": focus,
    }


def _respond(kind: ServiceKind, message: str, status: int = 200, **editor: Any) -> Page:
    """htmx: the editor in place (and the message for the live region). Without JavaScript:
    success goes back to the tab (303), a refusal shows the tab again with the errors."""
    tab = TAB_OF[kind]
    if htmx_target() == EDITOR_ID:
        context = question_editor(kind, **editor)
        return render_template(
            "admin/_questions_response.html", editor=context, message=message, htmx=True
        ), status
    if status < 400:
        flash(message, "success")
        return redirect(url_for("admin.preferences_kind", tab=tab, _anchor=EDITOR_ID), 303)
    if status == 404:
        flash(message, "error")
    editor_context = question_editor(kind, **editor)
    return _kind_page(tab, _kind_form(kind, bind=False), status, editor=editor_context)


def _refused(form: QuestionForm, error: InvalidQuestion) -> int:
    for name, message in error.errors.items():
        form[name].errors = [message]
    return error.status_code


TAB_RULE = "/preferences/<any(sessions, appointments):tab>/questions"
GONE = "That question was deleted in the meantime."


def _find(kind: ServiceKind, question_id: int) -> BookingQuestion | None:
    """The tab's question, or None when it is gone (deleted in another window)."""
    question = db.session.get(BookingQuestion, question_id)
    return question if question is not None and question.kind is kind else None


@bp.post(TAB_RULE)
@preferences_required
def add_question(tab: str) -> Page:
    """Add a question at the end of the tab's list."""
    kind = KINDS[tab]
    form = QuestionForm(prefix="new")
    not_added = "The question was not added: see the message next to the field."
    if not form.validate_on_submit():
        return _respond(kind, not_added, 400, add_form=form, focus="new-label")
    try:
        question = service.add_question(db.session, kind, form.details())
    except InvalidQuestion as error:
        return _respond(kind, not_added, _refused(form, error), add_form=form, focus="new-label")
    return _respond(kind, f"Question “{question.label}” added.", focus="new-label")


@bp.post(f"{TAB_RULE}/{ID_RULE}")
@preferences_required
def edit_question(tab: str, question_id: int) -> Page:
    """Change a question; answers already given keep the wording they were given under."""
    kind = KINDS[tab]
    if _find(kind, question_id) is None:
        return _respond(kind, GONE, 404, focus=HEADING_ID)
    form = QuestionForm(prefix=f"q{question_id}")
    failed = {"failed": (question_id, form), "focus": f"q{question_id}-label"}
    not_saved = "The question was not saved: see the message next to the field."
    if not form.validate_on_submit():
        return _respond(kind, not_saved, 400, **failed)
    try:
        question = service.update_question(db.session, question_id, form.details())
    except InvalidQuestion as error:
        return _respond(kind, not_saved, _refused(form, error), **failed)
    return _respond(kind, f"Question “{question.label}” saved.", focus=f"edit-{question.id}")


@bp.post(f"{TAB_RULE}/{ID_RULE}/move")
@preferences_required
def move_question(tab: str, question_id: int) -> Page:
    """Move a question up or down (direction=up|down)."""
    kind = KINDS[tab]
    direction = request.form.get("direction", "")
    if direction not in _OFFSETS or not FlaskForm().validate_on_submit():
        abort(400, "Choose to move the question up or down.")
    if _find(kind, question_id) is None:
        return _respond(kind, GONE, 404, focus=HEADING_ID)
    question = service.move_question(db.session, question_id, _OFFSETS[direction])
    number = [q.id for q in service.all_questions(db.session, kind)].index(question.id) + 1
    return _respond(
        kind,
        f"“{question.label}” is now question {number}.",
        focus=f"move-{question.id}-{direction}",
    )


@bp.post(f"{TAB_RULE}/{ID_RULE}/delete")
@preferences_required
def delete_question(tab: str, question_id: int) -> Page:
    """Delete a question; bookings that answered it keep the answer and its wording."""
    kind = KINDS[tab]
    if not FlaskForm().validate_on_submit():
        abort(400, "The form expired. Please reload the page and try again.")
    if _find(kind, question_id) is None:
        return _respond(kind, GONE, 404, focus=HEADING_ID)
    question = service.delete_question(db.session, question_id)
    return _respond(
        kind,
        f"Question “{question.label}” deleted. Bookings that answered it keep the answer.",
        focus=HEADING_ID,
    )
