"""The widget's forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp

from core.models import AnswerType, BookingQuestion, FieldMode, ListChoice, OnlinePreferences
from core.services.accounts import ClientDetails, field_modes
from core.services.booking_answers import MAX_ANSWER
from core.services.questions import field_name

# A row id as the database keeps it (a 32-bit integer): anything else names no row.
ROW_ID = NumberRange(min=1, max=2**31 - 1, message="There is no such choice.")
_PHONE = Regexp(r"^[0-9+().\-\s]{6,40}$", message="Enter a phone number, like +1 718 555 0142.")


def _email_field() -> EmailField:
    return EmailField(
        "Email",
        validators=[
            InputRequired("Enter your email."),
            Email("Enter a valid email address."),
            Length(max=254),
        ],
    )


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password."), Length(max=200)]
    )
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired("Enter your name."), Length(max=120)])
    email = _email_field()
    phone = TelField("Phone", validators=[Optional(), _PHONE])
    password = PasswordField(
        "Password",
        validators=[
            InputRequired("Choose a password."),
            Length(min=8, max=200, message="Use at least 8 characters."),
        ],
    )
    next = HiddenField()


class HoldForm(FlaskForm):
    slot_id = IntegerField(validators=[InputRequired("Choose a time."), ROW_ID])
    location = IntegerField(validators=[Optional(), ROW_ID])


_EXPIRY = Regexp(
    r"^\s*(0[1-9]|1[0-2])\s*/\s*(\d{2}|\d{4})\s*$", message="Enter the expiry as MM / YY."
)


class CardForm(FlaskForm):
    """Test-mode card entry. In Stripe mode card details never reach our server."""

    name = StringField("Name on card", validators=[Optional(), Length(max=120)])
    number = StringField(
        "Card number",
        validators=[
            InputRequired("Enter your card number."),
            Regexp(r"^[\d\s-]{12,23}$", message="Enter the card number, digits only."),
        ],
    )
    expiry = StringField(
        "Expiry (MM / YY)", validators=[InputRequired("Enter the expiry."), _EXPIRY]
    )
    cvc = StringField(
        "Security code (CVC)",
        validators=[
            InputRequired("Enter the security code."),
            Regexp(r"^\d{3,4}$", message="Enter the 3 or 4 digits on the back of your card."),
        ],
    )
    attempt = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])
    expected_amount = IntegerField(validators=[InputRequired()])

    def expiry_month_year(self) -> tuple[int, int]:
        month, year = (part.strip() for part in self.expiry.data.split("/"))
        return int(month), int(year) + (2000 if len(year) == 2 else 0)


class StripeForm(FlaskForm):
    """Stripe mode: the browser sends only the PaymentMethod id Stripe.js made."""

    payment_method = HiddenField(validators=[InputRequired(), Length(max=255)])
    attempt = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])
    expected_amount = IntegerField(validators=[InputRequired()])


# --- The studio's Clients tab and Sessions / Appointments tabs (seed 001) -----------------------
# Forms built per request: a hidden field is left out, a required one gets InputRequired. A consent
# the studio requires is a Yes / No question (answering No is allowed); an optional one a checkbox.

_YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
CONSENT_LABELS = {
    "texting_consent": "May we text you?",
    "marketing_consent": "May we email you marketing material?",
}
_DETAIL_MESSAGES = {
    "phone": "Enter your phone number.",
    "mobile": "Enter your mobile number.",
    "address": "Enter your address.",
}


def _required_or_optional(mode: FieldMode, message: str) -> list[Any]:
    return [InputRequired(message)] if mode is FieldMode.REQUIRED else [Optional()]


def client_detail_fields(
    prefs: OnlinePreferences, lead_sources: list[ListChoice] | None = None
) -> dict[str, Any]:
    """The unbound fields the Clients tab shows (lead sources only when registering)."""
    modes = field_modes(prefs)
    fields: dict[str, Any] = {}
    if modes["phone"] is not FieldMode.HIDDEN:
        fields["phone"] = TelField(
            "Phone",
            validators=[*_required_or_optional(modes["phone"], _DETAIL_MESSAGES["phone"]), _PHONE],
        )
    if modes["mobile"] is not FieldMode.HIDDEN:
        fields["mobile"] = TelField(
            "Mobile",
            validators=[
                *_required_or_optional(modes["mobile"], _DETAIL_MESSAGES["mobile"]),
                _PHONE,
            ],
        )
    if modes["address"] is not FieldMode.HIDDEN:
        fields["address"] = TextAreaField(
            "Address",
            validators=[
                *_required_or_optional(modes["address"], _DETAIL_MESSAGES["address"]),
                Length(max=500),
            ],
        )
    for name, label in CONSENT_LABELS.items():
        if modes[name] is FieldMode.REQUIRED:
            fields[name] = RadioField(
                label, choices=_YES_NO, validators=[InputRequired("Please answer yes or no.")]
            )
        elif modes[name] is FieldMode.OPTIONAL:
            fields[name] = BooleanField(label)
    if lead_sources:
        fields["lead_source"] = SelectField(
            "How did you hear about us?",
            choices=[SelectChoice("", "Prefer not to say")]
            + [SelectChoice(str(c.id), c.name) for c in lead_sources],
            validators=[Optional()],
        )
    return fields


def consent_answer(form: FlaskForm, name: str) -> bool | None:
    """A consent's answer: a ticked box, or Yes / No; None when the question was not shown."""
    field = getattr(form, name, None)
    if field is None:
        return None
    if isinstance(field, RadioField):
        return {"yes": True, "no": False}.get(field.data or "")
    return bool(field.data)


def _text(form: FlaskForm, name: str) -> str:
    field = getattr(form, name, None)
    return (field.data or "") if field is not None else ""


def phone_answer(form: FlaskForm) -> str:
    return _text(form, "phone")


def client_details(form: FlaskForm) -> ClientDetails:
    """What the client typed into the Clients tab's fields, for core.services.accounts."""
    return ClientDetails(
        mobile=_text(form, "mobile"),
        address=_text(form, "address"),
        texting_consent=consent_answer(form, "texting_consent"),
        marketing_consent=consent_answer(form, "marketing_consent"),
    )


def show_field_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    """Put a service's field errors next to their fields (or above the form)."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [message]


def register_form_class(
    prefs: OnlinePreferences, lead_sources: list[ListChoice]
) -> type[FlaskForm]:
    """RegisterForm with the studio's client fields."""
    fields = {"phone": None, **client_detail_fields(prefs, lead_sources)}
    return type("StudioRegisterForm", (RegisterForm,), fields)


class ProfileForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired("Enter your name."), Length(max=120)])


def profile_form_class(prefs: OnlinePreferences) -> type[FlaskForm]:
    """The client's own details: name plus the studio's client fields (no lead source)."""
    return type("StudioProfileForm", (ProfileForm,), client_detail_fields(prefs))


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=200)],
    )
    new_password = PasswordField(
        "New password",
        validators=[
            InputRequired("Choose a new password."),
            Length(min=8, max=200, message="Use at least 8 characters."),
        ],
    )


def question_field(question: BookingQuestion) -> Any:
    """An unbound field asking one of the studio's questions. Which answers are accepted is
    core.services.booking_answers' call; InputRequired only marks a required one (and says the
    same)."""
    required = question.mode is FieldMode.REQUIRED
    pick = question.answer_type in (AnswerType.CHOICE, AnswerType.YES_NO)
    message = "Please choose an answer." if pick else "Please answer this question."
    validators = [InputRequired(message) if required else Optional()]
    if question.answer_type is AnswerType.YES_NO:
        return RadioField(
            question.label, choices=_YES_NO, validators=validators, validate_choice=False
        )
    if question.answer_type is AnswerType.CHOICE:
        options = [SelectChoice(c, c) for c in question.choice_list]
        return SelectField(
            question.label,
            choices=[SelectChoice("", "Choose an answer"), *options],
            validators=validators,
            validate_choice=False,
        )
    limit = {"maxlength": str(MAX_ANSWER[question.answer_type])}
    if question.answer_type is AnswerType.LONG_TEXT:
        return TextAreaField(question.label, validators=validators, render_kw=limit)
    return StringField(question.label, validators=validators, render_kw=limit)


def question_answers(form: FlaskForm, questions: Sequence[BookingQuestion]) -> dict[str, str]:
    """What the client typed for each question, by field name."""
    typed = {}
    for question in questions:
        field = getattr(form, field_name(question), None)
        typed[field_name(question)] = str(field.data or "") if field is not None else ""
    return typed


def review_form_class(
    notes_mode: FieldMode, reasons: list[ListChoice], questions: Sequence[BookingQuestion] = ()
) -> type[FlaskForm]:
    """The review step's questions: the studio's own, notes for the studio and "Why are you
    booking?"."""
    fields: dict[str, Any] = {field_name(q): question_field(q) for q in questions}
    if notes_mode is not FieldMode.HIDDEN:
        fields["notes"] = TextAreaField(
            "Notes for the studio",
            validators=[
                *_required_or_optional(notes_mode, "Please add a note for the studio."),
                Length(max=2000),
            ],
        )
    if reasons:
        fields["reason"] = SelectField(
            "Why are you booking?",
            choices=[SelectChoice("", "Choose a reason")]
            + [SelectChoice(str(c.id), c.name) for c in reasons],
            validators=[InputRequired("Please tell us why you are booking.")],
        )
    return type("StudioReviewForm", (FlaskForm,), fields)


def chosen_id(form: FlaskForm, name: str) -> int | None:
    """The id picked in a select of list choices; None for the blank option or no field."""
    field = getattr(form, name, None)
    value = field.data if field is not None else None
    return int(value) if value and str(value).isdigit() else None
