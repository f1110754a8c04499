"""Organizations in the widget: the deep link /o/<slug>, and the organization's context, which
travels in the URL (?org=<slug>), never in the session.

Every widget URL built while an organization is loaded carries `org` (the blueprint's
`url_defaults`), so the picker's htmx requests, the hold, the login and register forms with their
`next=`, the review, the payment, the confirmation and My bookings all stay in the context.
"""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from core.models import Organization, ServiceType
from core.services.accounts import check_registration_open
from core.services.errors import BookingError
from core.services.organizations import (
    LinkNotActive,
    NotAMember,
    check_member,
    check_visible,
    offered_type_by_slug,
    organization_by_slug,
)
from web.auth import current_client
from web.extensions import db
from widget import CONTEXT_FREE_ENDPOINTS, bp
from widget.holds import current_hold, held_slot
from widget.views_theme import preferences

Page = str | tuple[str, int] | Response

# Steps that act on the held time: it must be offered here, and the client be a member.
_HELD_STEPS = {"widget.checkout", "widget.confirm", "widget.pay", "widget.pay_submit"}


def current_organization() -> Organization | None:
    """The organization whose link the client came through, or None (the public widget)."""
    return g.get("organization")


def offered_type(slug: str) -> ServiceType:
    """The service type behind /book/<slug>, if offered in this context. Raises NotFound."""
    return offered_type_by_slug(db.session, slug, current_organization())


def can_register() -> bool:
    """Whether "Create an account" is offered: the studio allows it, and so does the link."""
    organization = current_organization()
    open_here = organization is None or organization.allow_new_accounts
    return open_here and not preferences().disable_new_accounts


def registration_check() -> None:
    """Raises RegistrationClosed when the organization's link forbids new accounts."""
    check_registration_open(current_organization())


def _not_active() -> tuple[str, int]:
    g.organization = None
    return render_template("widget/org_not_active.html"), 404


@bp.before_request
def load_organization() -> Page | None:
    """Load the organization named by ?org= (an unknown or inactive one is a friendly 404),
    then check a hold or booking step against it."""
    g.organization = None
    slug = request.args.get("org")
    if slug is not None and request.endpoint not in CONTEXT_FREE_ENDPOINTS:
        try:
            g.organization = organization_by_slug(db.session, slug)
        except LinkNotActive:
            return _not_active()
    return _check_held_time()


def _check_held_time() -> Page | None:
    """Holding or booking through a link needs a member, and the held time must be offered in
    the context (a public page refuses an organization's time held elsewhere)."""
    endpoint = request.endpoint
    if endpoint != "widget.hold" and endpoint not in _HELD_STEPS:
        return None
    organization = current_organization()
    # Outside an organization anyone may hold, logged in or not: the row is not needed.
    client = current_client() if organization is not None or endpoint in _HELD_STEPS else None
    try:
        hold = current_hold() if endpoint in _HELD_STEPS else None
        if hold is not None and (slot := held_slot(hold)) is not None:
            check_visible(slot, organization)
        if client is not None:
            check_member(client, organization)
    except NotAMember as error:
        return render_template("widget/org_not_member.html", message=str(error)), 403
    except BookingError as error:
        return render_template(
            "widget/problem.html",
            message=str(error),
            back_url=url_for(".choose_type"),
            back_label="Choose a session",
        ), error.status_code
    return None


@bp.url_defaults
def keep_organization(endpoint: str, values: dict[str, Any]) -> None:
    """Every widget URL built in an organization's context carries ?org=<slug>."""
    organization = g.get("organization")
    if organization is not None and endpoint not in CONTEXT_FREE_ENDPOINTS:
        values.setdefault("org", organization.slug)


@bp.context_processor
def organization_context() -> dict[str, Any]:
    return {"organization": current_organization(), "can_register": can_register}


@bp.get("/o/<slug>")
def organization_link(slug: str) -> Page:
    """The organization's deep link: its booking pages, in its context."""
    try:
        organization = organization_by_slug(db.session, slug)
    except LinkNotActive:
        return _not_active()
    return redirect(url_for(".choose_type", org=organization.slug))


@bp.get("/o/<slug>/<type_slug>")
def organization_type_link(slug: str, type_slug: str) -> Page:
    """The organization's deep link to one of its session types."""
    try:
        organization = organization_by_slug(db.session, slug)
    except LinkNotActive:
        return _not_active()
    return redirect(url_for(".book_type", slug=type_slug, org=organization.slug))
