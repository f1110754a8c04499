"""Forms for organizations and their members. They parse input; core.services.organizations
decides."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from admin.forms import CheckboxesField
from core.models import Organization
from core.services.organizations import (
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    WELCOME_MAX_LENGTH,
    OrganizationDetails,
)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


class OrganizationForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[_strip],
        validators=[
            DataRequired("Enter the organization’s name."),
            Length(max=NAME_MAX_LENGTH, message=f"Keep the name to {NAME_MAX_LENGTH} characters."),
        ],
    )
    slug = StringField(
        "Slug",
        filters=[_lower],
        validators=[
            DataRequired("Enter a slug: it becomes the end of the link."),
            Length(max=SLUG_MAX_LENGTH, message=f"Keep the slug to {SLUG_MAX_LENGTH} characters."),
        ],
        render_kw={"spellcheck": "false", "autocapitalize": "none"},
    )
    welcome = TextAreaField(
        "Welcome text",
        filters=[_strip],
        validators=[
            Length(
                max=WELCOME_MAX_LENGTH,
                message=f"Keep the welcome text to {WELCOME_MAX_LENGTH} characters.",
            )
        ],
        render_kw={"rows": 3},
    )
    active = BooleanField("Active: the link takes bookings")
    allow_new_accounts = BooleanField("Clients may create an account through the link")
    include_public_slots = BooleanField("Also offer the studio’s public time slots")
    service_type_ids = CheckboxesField("Session and appointment types offered", coerce=int)

    def details(self) -> OrganizationDetails:
        return OrganizationDetails(
            name=self.name.data or "",
            slug=self.slug.data or "",
            welcome=self.welcome.data or "",
            active=bool(self.active.data),
            allow_new_accounts=bool(self.allow_new_accounts.data),
            include_public_slots=bool(self.include_public_slots.data),
            service_type_ids=tuple(self.service_type_ids.data or ()),
        )

    @staticmethod
    def initial(organization: Organization) -> dict[str, Any]:
        return {
            "name": organization.name,
            "slug": organization.slug,
            "welcome": organization.welcome,
            "active": organization.active,
            "allow_new_accounts": organization.allow_new_accounts,
            "include_public_slots": organization.include_public_slots,
            "service_type_ids": [t.id for t in organization.service_types],
        }


class MembersForm(FlaskForm):
    lines = TextAreaField(
        "Members to add",
        validators=[DataRequired("Paste at least one line: Name, email, phone.")],
        render_kw={"rows": 8, "spellcheck": "false"},
    )
