"""The widget's forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, StringField, TelField
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp

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
    slot_id = IntegerField(validators=[InputRequired("Choose a time.")])
    location = IntegerField(validators=[Optional()])
