"""Clients: the searchable client list, and a client's page with contact details, consents,
status, lead source, login, bookings, invoices and deposits, where staff edit the profile."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from admin import bp
from admin.forms import ClientForm
from admin.views_common import show_error, staff_required
from core.models import ListChoice, ListKind, Location
from core.services import (
    clients,
    organization_members,
    organizations,
    promotion_admin,
    promotion_changes,
)
from core.services.billing import find_client
from core.services.clients import InvalidClient
from core.services.errors import BookingError
from core.services.organizations import InvalidOrganization
from core.services.questions import answers_for
from web.clock import now
from web.extensions import db

_ID = "<int(max=2147483647):client_id>"


def _studio_timezone() -> str:
    """Dates without a place (when an invoice was made) read in the first location's zone."""
    timezone = db.session.scalar(select(Location.timezone).order_by(Location.id).limit(1))
    return timezone or "UTC"


@bp.get("/clients")
@staff_required
def clients_list() -> str:
    """Clients by name, searched by name, email or phone (?q=), a page at a time (?page=)."""
    query = request.args.get("q", "").strip()
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "admin/clients.html", result=clients.search_clients(db.session, query, page), query=query
    )


def _options(entries: list[ListChoice], what: str) -> list[SelectChoice]:
    return [SelectChoice("", f"No {what}")] + [
        SelectChoice(str(e.id), e.name if e.active else f"{e.name} (retired)") for e in entries
    ]


def _client_page(
    client_id: int, form: ClientForm | None = None, status: int = 200
) -> tuple[str, int]:
    profile = clients.client_profile(db.session, client_id, now=now())
    c = profile.client
    if form is None:
        form = ClientForm(data=ClientForm.initial(c), formdata=None)
    form.status_id.choices = _options(
        clients.choices(db.session, ListKind.CLIENT_STATUS, c.status_id), "status"
    )
    form.lead_source_id.choices = _options(
        clients.choices(db.session, ListKind.LEAD_SOURCE, c.lead_source_id), "lead source"
    )
    everyone = organizations.all_organizations(db.session)
    form.organization_id.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(o.id), o.name) for o in everyone
    ]
    booking_ids = [row.booking.id for row in profile.upcoming + profile.past]
    return render_template(
        "admin/client.html",
        profile=profile,
        form=form,
        timezone=_studio_timezone(),
        answers=answers_for(db.session, booking_ids),
        organization=next((o for o in everyone if o.id == c.organization_id), None),
        promotion_uses=promotion_changes.client_uses(db.session, client_id),
    ), status


@bp.route(f"/clients/{_ID}", methods=["GET", "POST"])
@staff_required
def client_page(client_id: int) -> Response | tuple[str, int]:
    """One client: profile (editable), bookings, invoices, deposits."""
    if request.method == "GET":
        return _client_page(client_id)
    find_client(db.session, client_id)  # a 404 before reading the form
    form = ClientForm()
    if not form.validate_on_submit():
        return _client_page(client_id, form, 400)
    try:
        organization_id = form.organization_id.data
        organization_members.check_organization_id(db.session, organization_id)
        client = clients.update_client(db.session, client_id, form.details())
        organization_members.set_client_organization(db.session, client_id, organization_id)
        promotion_admin.set_client_terms(
            db.session,
            client_id,
            standing_discount=form.standing_discount.data or Decimal(0),
            is_member=bool(form.is_member.data),
        )
    except InvalidOrganization as error:
        return _client_page(client_id, form, show_error(form, error, form.organization_id))
    except InvalidClient as error:
        return _client_page(client_id, form, show_error(form, error, form[error.field]))
    except BookingError as error:  # EmailTaken
        return _client_page(client_id, form, show_error(form, error, form.email))
    flash(f"{client.name}’s details saved.", "success")
    return redirect(url_for("admin.client_page", client_id=client_id), 303)
