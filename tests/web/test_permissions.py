"""The security options (seed 001) enforced on every admin route, read from the app's url_map.

Each admin route is tried, GET and POST, by staff with each level; a forbidden request is a 403
that changes nothing in the database, an allowed one is not a 403. Routes any staff member may
use (the seed's levels cover only time slots and the preferences) are tried by the weakest. Every
route sends a logged-out visitor to the login, and the old session of a staff member made
inactive is logged out, on every route, changing nothing. A route nobody put in REQUIRED fails
the test: add it with the level its guard enforces (a route without a guard would then fail its
own forbidden cases).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from core.db import Base
from core.models import BookingQuestion, ServiceKind, SlotAccess, StaffRole
from tests.conftest import WebClient
from tests.factories import PASSWORD

# The admin routes anyone may open: the login page and the stylesheets.
OPEN = {"admin.login", "admin.static"}
# The real login, with a hash that is quick to check: a few hundred logins in this module.
_QUICK_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


@dataclass(frozen=True)
class Needs:
    """What a route asks of the staff member; `change_slot`: it edits, moves or deletes the
    slot in its `slot_id` (an overridable one needs MODIFY_OVERRIDABLE, any other FULL)."""

    slots: SlotAccess = SlotAccess.NONE
    change_slot: bool = False
    preferences: bool = False
    administrator: bool = False


SEE_SLOTS = Needs(slots=SlotAccess.MODIFY_OVERRIDABLE)
CREATE_SLOTS = Needs(slots=SlotAccess.CREATE)
CHANGE_SLOT = Needs(slots=SlotAccess.MODIFY_OVERRIDABLE, change_slot=True)
PREFERENCES = Needs(preferences=True)
ADMINISTRATOR = Needs(administrator=True)
STAFF = Needs()  # any active staff member

# Endpoint -> what it needs, for GET and POST alike.
REQUIRED: dict[str, Needs] = {
    "admin.slots": SEE_SLOTS,
    "admin.new_slot": CREATE_SLOTS,
    "admin.slot": SEE_SLOTS,
    "admin.edit_slot": CHANGE_SLOT,
    "admin.move_slot": CHANGE_SLOT,
    "admin.close_slot": CHANGE_SLOT,
    "admin.reopen_slot": CHANGE_SLOT,
    "admin.delete_slot": CHANGE_SLOT,
    "admin.copy_slots": CREATE_SLOTS,
    "admin.create_copied_slots": CREATE_SLOTS,
    "admin.pattern_slots": CREATE_SLOTS,
    "admin.create_pattern_slots": CREATE_SLOTS,
    "admin.waitlist_page": SEE_SLOTS,
    "admin.preferences": PREFERENCES,
    "admin.preferences_activation": PREFERENCES,
    "admin.preferences_general": PREFERENCES,
    "admin.preferences_frame_ancestors": PREFERENCES,
    "admin.preferences_set_logins": PREFERENCES,
    "admin.preferences_logo": PREFERENCES,
    "admin.preferences_clients": PREFERENCES,
    "admin.preferences_kind": PREFERENCES,
    "admin.preferences_customization": PREFERENCES,
    "admin.preferences_permissions": PREFERENCES,
    "admin.preferences_timeslots": PREFERENCES,
    "admin.preferences_timeslots_run": PREFERENCES,
    "admin.location_closures": PREFERENCES,
    "admin.location_closure_add": PREFERENCES,
    "admin.location_closure_remove": PREFERENCES,
    "admin.add_question": PREFERENCES,
    "admin.edit_question": PREFERENCES,
    "admin.move_question": PREFERENCES,
    "admin.delete_question": PREFERENCES,
    "admin.staff_list": ADMINISTRATOR,
    "admin.new_staff": ADMINISTRATOR,
    "admin.edit_staff": ADMINISTRATOR,
    "admin.staff_notice_settings": ADMINISTRATOR,
    "admin.mail_templates": PREFERENCES,
    "admin.mail_template": PREFERENCES,
    "admin.save_mail_template": PREFERENCES,
    "admin.preview_mail_template": PREFERENCES,
    "admin.preview_mail_template_html": PREFERENCES,
    "admin.reset_mail_template": PREFERENCES,
    "admin.my_notice_settings": STAFF,  # each their own
    "admin.home": STAFF,
    "admin.logout": STAFF,
    "admin.notice_read": STAFF,
    "admin.notices_read_all": STAFF,
    "admin.bookings": STAFF,
    "admin.cancel_booking": STAFF,
    "admin.appointment_types": STAFF,
    "admin.service_types": STAFF,
    "admin.new_service_type": STAFF,
    "admin.edit_service_type": STAFF,
    "admin.service_type_billing": STAFF,
    "admin.upload_service_type_image": STAFF,
    "admin.remove_service_type_image": STAFF,
    "admin.add_service_type_item": STAFF,
    "admin.move_service_type_item": STAFF,
    "admin.set_service_type_item_quantity": STAFF,
    "admin.remove_service_type_item": STAFF,
    "admin.add_service_type_promo_item": STAFF,
    "admin.remove_service_type_promo_item": STAFF,
    "admin.clients_list": STAFF,
    "admin.client_page": STAFF,
    "admin.client_deposits": STAFF,
    "admin.invoices": STAFF,
    "admin.invoice": STAFF,
    "admin.apply_deposit": STAFF,
    "admin.record_payment": STAFF,
    "admin.refund_payment": STAFF,
    "admin.retry_refund": STAFF,
    "admin.change_promo_code": STAFF,
    "admin.remove_promotion": STAFF,
    "admin.set_status": STAFF,
    "admin.mail_list": STAFF,
    "admin.mail_message": STAFF,
    "admin.mail_preview": STAFF,
    "admin.mail_send_again": STAFF,
    "admin.organizations_list": STAFF,
    "admin.new_organization": STAFF,
    "admin.edit_organization": STAFF,
    "admin.organization_members": STAFF,
    "admin.import_organization_members": STAFF,
    "admin.remove_organization_member": STAFF,
    "admin.price_list": STAFF,
    "admin.new_price_item": STAFF,
    "admin.edit_price_item": STAFF,
    "admin.deactivate_price_item": STAFF,
    "admin.reactivate_price_item": STAFF,
    "admin.promotions_list": STAFF,
    "admin.new_promotion": STAFF,
    "admin.edit_promotion": STAFF,
    "admin.delete_promotion": STAFF,
    "admin.promotion_order": STAFF,
    "admin.promotions_preview": STAFF,
    "admin.promotion_report": STAFF,
    "admin.promotion_codes_page": STAFF,
    "admin.add_promotion_codes": STAFF,
    "admin.delete_promotion_codes": STAFF,
    "admin.generate_promotion_codes": STAFF,
    "admin.settings_home": STAFF,
    "admin.list_settings": STAFF,
    "admin.add_list_entry": STAFF,
    "admin.set_list_entry_active": STAFF,
    "admin.set_list_entry_online": STAFF,
    "admin.move_list_entry": STAFF,
    "admin.rename_list_entry": STAFF,
    "admin.invoice_settings": STAFF,
    "admin.add_list_choice": STAFF,
    "admin.set_list_choice_active": STAFF,
    "admin.move_list_choice": STAFF,
    "admin.rename_list_choice": STAFF,
}


@dataclass(frozen=True)
class Persona:
    """A staff member's security options; every persona has exactly one thing switched on."""

    name: str
    slots: SlotAccess = SlotAccess.NONE
    preferences: bool = False
    role: StaffRole = StaffRole.STAFF

    def may(self, needs: Needs, overridable: bool) -> bool:
        if self.slots < needs.slots:
            return False
        # Seed 001: "Modify overridable" changes the overridable slots, "Full access" every slot.
        if needs.change_slot and not (self.slots is SlotAccess.FULL or overridable):
            return False
        if needs.preferences and not self.preferences:
            return False
        return not (needs.administrator and self.role is not StaffRole.ADMINISTRATOR)


PERSONAS = [
    Persona("no access"),
    Persona("modify overridable", slots=SlotAccess.MODIFY_OVERRIDABLE),
    Persona("create new", slots=SlotAccess.CREATE),
    Persona("full slot access", slots=SlotAccess.FULL),
    Persona("preferences", preferences=True),
    Persona("administrator", role=StaffRole.ADMINISTRATOR),
]


def _admin_rules() -> list[Rule]:
    # An app only to read its routes (no database is touched), so each route is its own case.
    from wsgi import create_app

    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "routes"}
    )
    prefix = app.config["ADMIN_URL_PREFIX"] + "/"
    rules = [
        r for r in app.url_map.iter_rules() if r.rule.startswith(prefix) and r.endpoint not in OPEN
    ]
    return sorted(rules, key=lambda r: r.rule)


RULES = _admin_rules()


def _cases() -> list[Any]:
    cases = []
    for rule in RULES:
        needs = REQUIRED.get(rule.endpoint, Needs())
        # Nobody is refused a STAFF route: the weakest persona shows it has no guard.
        personas = PERSONAS[:1] if needs == STAFF else PERSONAS
        for method in _methods(rule):
            for overridable in (False, True) if needs.change_slot else (False,):
                for persona in personas:
                    slot = " (overridable slot)" if overridable else ""
                    case_id = f"{method} {rule.rule}{slot} as {persona.name}"
                    cases.append(pytest.param(rule, method, overridable, persona, id=case_id))
    return cases


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) & {"GET", "POST"})


def _snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, to compare before and after a refused request."""
    with engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(table.select()))
            for table in Base.metadata.sorted_tables
        }


def _url(rule: Rule, ids: dict[str, int]) -> str:
    """The rule with real ids where the test made the row, made-up ones elsewhere."""
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = ids.get(name, 4242)
        else:
            values[name] = "4242"
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule.rule
    return built[1]


@pytest.fixture
def ids(make: Any) -> dict[str, int]:
    """Rows for the routes' ids: slots (one overridable, one not), a question, a location."""
    service_type = make.service_type()
    start = datetime(2026, 12, 3, 15, tzinfo=UTC)
    fixed = make.slot(start, service_types=[service_type])
    overridable = make.slot(
        start, service_types=[service_type], resource=fixed.resource, minutes=30, overridable=True
    )
    question = make._save(BookingQuestion(kind=ServiceKind.SESSION, label="Pets?", position=0))
    return {
        "slot_id": fixed.id,
        "overridable_slot_id": overridable.id,
        "question_id": question.id,
        "location_id": fixed.location_id,
        "resource_id": fixed.resource_id,
        "service_type_id": service_type.id,
    }


def test_every_guarded_route_says_what_it_needs() -> None:
    missing = sorted({r.endpoint for r in RULES} - REQUIRED.keys())

    assert not missing, (
        f"New admin routes {missing}: add each to REQUIRED in tests/web/test_permissions.py "
        "with the level its guard enforces (slot_access_required, require_slot_change, "
        "preferences_required or administrator_required)."
    )


@pytest.mark.parametrize(("rule", "method", "overridable", "persona"), _cases())
def test_each_level_reaches_only_what_it_allows(
    web: WebClient,
    make: Any,
    clean_db: Engine,
    ids: dict[str, int],
    rule: Rule,
    method: str,
    overridable: bool,
    persona: Persona,
) -> None:
    needs = REQUIRED.get(rule.endpoint)
    assert needs is not None, f"{rule.endpoint} is not in REQUIRED"
    staff = make.staff(
        role=persona.role,
        slot_access=persona.slots,
        can_edit_preferences=persona.preferences,
        password_hash=_QUICK_HASH,
    )
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)
    slot_id = ids["overridable_slot_id"] if overridable else ids["slot_id"]
    url = _url(rule, {**ids, "slot_id": slot_id, "staff_id": staff.id})
    before = _snapshot(clean_db)

    if method == "GET":
        response = web.get(url)
    else:
        response = web.post(url, {}, headers={"HX-Request": "true"})

    if persona.may(needs, overridable):
        assert response.status_code != 403, response.get_data(as_text=True)[:300]
    else:
        assert response.status_code == 403
        assert _snapshot(clean_db) == before


def _cases_by_method() -> list[Any]:
    return [
        pytest.param(rule, method, id=f"{method} {rule.rule}")
        for rule in RULES
        for method in _methods(rule)
    ]


def _send(web: WebClient, url: str, method: str) -> Any:
    if method == "GET":
        return web.get(url)
    return web.post(url, {})  # with the CSRF token: the login check is what refuses it


@pytest.mark.parametrize(("rule", "method"), _cases_by_method())
def test_a_logged_out_visitor_is_sent_to_the_login(
    web: WebClient, clean_db: Engine, ids: dict[str, int], rule: Rule, method: str
) -> None:
    url = _url(rule, ids)
    before = _snapshot(clean_db)

    response = _send(web, url, method)

    assert response.status_code == 303, response.status_code
    assert response.location.startswith("/admin/login"), response.location
    assert _snapshot(clean_db) == before


@pytest.mark.parametrize(("rule", "method"), _cases_by_method())
def test_an_inactive_staff_members_old_session_is_logged_out(
    web: WebClient,
    make: Any,
    clean_db: Engine,
    ids: dict[str, int],
    rule: Rule,
    method: str,
) -> None:
    staff = make.staff(password_hash=_QUICK_HASH)  # an administrator with every level
    web.post("/admin/login", {"email": staff.email, "password": PASSWORD}, follow_redirects=True)
    url = _url(rule, {**ids, "staff_id": staff.id})
    staff.active = False  # another administrator deactivates the account meanwhile
    make.session.commit()
    before = _snapshot(clean_db)

    response = _send(web, url, method)

    assert response.status_code == 303, response.status_code
    assert response.location.startswith("/admin/login"), response.location
    assert _snapshot(clean_db) == before
    staff.active = True  # made active again, the old session stays ended
    make.session.commit()
    assert web.get("/admin/").status_code == 303
