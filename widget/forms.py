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
