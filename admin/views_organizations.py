"""Organizations (seed 001, "Online Booking for Organizations"): the list, the settings with
the booking links to copy, and the members (paged, added by pasting lines, removed one by one)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from admin import bp
from admin.forms_organizations import MembersForm, OrganizationForm
from admin.views_common import show_error, staff_required
from core.models import Organization
from core.services import catalog, organizations
from core.services import organization_members as members_service
from core.services.clients import login_state
from core.services.errors import BookingError
from core.services.organization_members import ImportedMember, InvalidMemberLines
from core.services.organizations import InvalidOrganization
from web.clock import now
from web.extensions import db

_ID = "<int(max=2147483647):organization_id>"
_CLIENT_ID = "<int(max=2147483647):client_id>"


def organization_link(organization: Organization, type_slug: str | None = None) -> str:
    """The deep link the organization's members use: its pages, or one of its types."""
    if type_slug is None:
        return url_for("widget.organization_link", slug=organization.slug, _external=True)
    return url_for(
        "widget.organization_type_link",
        slug=organization.slug,
        type_slug=type_slug,
        _external=True,
    )


@bp.get("/organizations")
@staff_required
def organizations_list() -> str:
    """Every organization with its link, member and type counts, and whether it is active."""
    return render_template(
        "admin/organizations.html",
        rows=organizations.list_organizations(db.session),
        link=organization_link,
    )


def _with_types(form: OrganizationForm) -> OrganizationForm:
    """Every service type as a checkbox, saying which are not offered in the public pages."""
    form.service_type_ids.choices = [
        SelectChoice(
            t.id,
            f"{t.public_name} ({t.name}, {t.kind.value}{'' if t.online else ', not public'})",
        )
        for t in catalog.all_service_types(db.session)
    ]
    return form


def _form_page(
    form: OrganizationForm, organization: Organization | None, status: int = 200
) -> tuple[str, int]:
    """The new or edit page, with the organization's links to copy once it exists."""
    return render_template(
        "admin/organization_form.html",
        form=form,
        organization=organization,
        link=organization_link,
    ), status


def _save_error(form: OrganizationForm, error: BookingError) -> int:
    if isinstance(error, InvalidOrganization) and error.field in form:
        return show_error(form, error, form[error.field])
    return show_error(form, error)


@bp.route("/organizations/new", methods=["GET", "POST"])
@staff_required
def new_organization() -> Response | tuple[str, int]:
    """Create an organization; then its page, with the links to copy."""
    form = _with_types(OrganizationForm(data={"active": True}))
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            created = organizations.create_organization(db.session, form.details())
        except BookingError as error:
            status = _save_error(form, error)
        else:
            flash(f"“{created.name}” created. Its booking links are below.", "success")
            return redirect(url_for("admin.edit_organization", organization_id=created.id), 303)
    return _form_page(form, None, status)


@bp.route(f"/organizations/{_ID}", methods=["GET", "POST"])
@staff_required
def edit_organization(organization_id: int) -> Response | tuple[str, int]:
    """An organization's settings and booking links."""
    organization = organizations.find_organization(db.session, organization_id)
    if request.method == "GET":
        form = OrganizationForm(data=OrganizationForm.initial(organization), formdata=None)
        return _form_page(_with_types(form), organization)
    form = _with_types(OrganizationForm())
    status = 400
    if form.validate_on_submit():
        try:
            organizations.update_organization(db.session, organization_id, form.details())
        except BookingError as error:
            db.session.rollback()
            status = _save_error(form, error)
        else:
            flash(f"“{organization.name}” saved.", "success")
            page = url_for("admin.edit_organization", organization_id=organization_id)
            return redirect(page, 303)
    return _form_page(form, organizations.find_organization(db.session, organization_id), status)


def _members_page(
    organization_id: int,
    form: MembersForm | None = None,
    status: int = 200,
    report: list[ImportedMember] | None = None,
    line_errors: list[tuple[int, str]] | None = None,
) -> tuple[str, int]:
    organization = organizations.find_organization(db.session, organization_id)
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "admin/organization_members.html",
        organization=organization,
        result=members_service.members(db.session, organization_id, page),
        form=form or MembersForm(formdata=None),
        report=report,
        line_errors=line_errors or [],
        login_state=login_state,
    ), status


@bp.get(f"/organizations/{_ID}/members")
@staff_required
def organization_members(organization_id: int) -> tuple[str, int]:
    """The organization's members, a page at a time (?page=), and the form to add more."""
    return _members_page(organization_id)


@bp.post(f"/organizations/{_ID}/members")
@staff_required
def import_organization_members(organization_id: int) -> tuple[str, int]:
    """Add members by pasting "Name, email[, phone]" lines; a report of each line, or every bad
    line by number with nothing saved. The report is the answer (it may be long)."""
    organizations.find_organization(db.session, organization_id)  # a 404 before the form
    form = MembersForm()
    if not form.validate():
        return _members_page(organization_id, form, 400)
    try:
        report = members_service.import_members(
            db.session, organization_id, form.lines.data or "", now=now()
        )
    except InvalidMemberLines as error:
        db.session.rollback()
        numbered = [(number, message) for number, message in error.errors if number]
        form.lines.errors = (
            [f"{len(numbered)} of the lines cannot be read (listed above); nothing was saved."]
            if numbered
            else [message for _, message in error.errors]
        )
        return _members_page(organization_id, form, error.status_code, line_errors=numbered)
    return _members_page(organization_id, report=report)


@bp.post(f"/organizations/{_ID}/members/{_CLIENT_ID}/remove")
@staff_required
def remove_organization_member(organization_id: int, client_id: int) -> Response:
    """Take a client out of the organization; the client and their bookings stay."""
    client = members_service.remove_member(db.session, organization_id, client_id)
    flash(f"{client.name} is no longer a member.", "success")
    return redirect(
        url_for(
            "admin.organization_members",
            organization_id=organization_id,
            page=request.args.get("page", type=int),
        ),
        303,
    )
