"""axe-core (vendored, tests/browser/vendor) finds no serious or critical violation on the pages a
client sees in the widget and on the main admin pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.models import (
    Client,
    Invoice,
    Location,
    Organization,
    PriceListItem,
    Promotion,
    ServiceType,
    Staff,
    TimeSlot,
)
from core.rules.calendar import day_bounds
from core.services import availability, password_reset, waitlist, waitlist_links
from core.services.booking import book
from core.services.demo import DEMO_CLIENT_PASSWORD, DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD
from core.services.preferences import online_preferences
from web.extensions import db

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page: Any) -> list[str]:
    """The serious and critical violations axe finds on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the app's CSP (rightly) refuses inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{rule['id']} ({rule['impact']}): {', '.join(map(str, node['target']))} - {rule['help']}"
        for rule in results["violations"]
        if rule["impact"] in BLOCKING
        for node in rule["nodes"]
    ]


class Audit:
    """Collects each page's violations, so one run lists every page's problems."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def __call__(self, page: Any, what: str) -> None:
        found = axe_violations(page)
        if found:
            self.problems.append(f"{what} ({page.url}):\n  " + "\n  ".join(found))

    def assert_clean(self) -> None:
        assert not self.problems, "axe found:\n" + "\n".join(self.problems)


@pytest.fixture
def audit() -> Any:
    checker = Audit()
    yield checker
    checker.assert_clean()


def _client_login(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.locator("#login-email").fill(email)
    page.locator("#login-password").fill(DEMO_CLIENT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def _staff_login(page: Any, url: str, audit: Audit) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{url}/admin/login")
    audit(page, "admin login")
    page.get_by_label("Email").fill(DEMO_STAFF_EMAIL)
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def _first_open_day(server: Any, slug: str = "couples") -> str:
    with server.app.app_context():
        session = db.session
        service_type = session.scalars(select(ServiceType).where(ServiceType.slug == slug)).one()
        location = session.get_one(Location, 1)
        now = datetime.now(UTC)
        starts = availability.bookable_starts(
            session,
            service_type_id=service_type.id,
            location_id=location.id,
            start=now + timedelta(days=2),
            end=now + timedelta(days=60),
            now=now,
        )
        return starts[0].astimezone(ZoneInfo(location.timezone)).date().isoformat()


def _booked_out_day_with_waiter(server: Any, waiter_email: str) -> tuple[str, str]:
    """Book every Couples time on a day for Sam, put `waiter_email` on its waiting list; returns
    the day and a hold link for one of its (taken) times."""
    with server.app.app_context():
        session = db.session
        couples = session.scalars(select(ServiceType).where(ServiceType.slug == "couples")).one()
        location = session.get_one(Location, 1)
        sam = session.scalars(select(Client).where(Client.email == "sam@example.com")).one()
        waiter = session.scalars(select(Client).where(Client.email == waiter_email)).one()
        now = datetime.now(UTC)
        tz = ZoneInfo(location.timezone)
        ids = {"service_type_id": couples.id, "location_id": location.id, "now": now}
        starts = availability.bookable_starts(
            session, start=now + timedelta(days=9), end=now + timedelta(days=40), **ids
        )
        day = starts[0].astimezone(tz).date()
        start, end = day_bounds(day, tz)
        slots = availability.bookable_slots(session, start=start, end=end, **ids)
        for slot in slots:
            book(session, slot_id=slot.id, service_type_id=couples.id, client_id=sam.id, now=now)
        entry = waitlist.join(
            session,
            client_id=waiter.id,
            service_type_id=couples.id,
            location_id=location.id,
            day=day,
            now=now,
        )
        token = waitlist_links.make_token(
            entry, slots[0].id, secret_key=server.app.config["SECRET_KEY"], now=now
        )
        session.commit()
        return day.isoformat(), f"/waitlist/hold/{token}"


def test_widget_pages_a_visitor_sees_pass_axe(page, demo_server, audit):
    url = demo_server.url
    day = _first_open_day(demo_server)
    with demo_server.app.app_context():
        client = db.session.scalars(select(Client).where(Client.email == "alex@example.com")).one()
        reset = password_reset.make_token(
            client, secret_key=demo_server.app.config["SECRET_KEY"], now=datetime.now(UTC)
        )
    pages = {
        "choose location": "/book",
        "choose type": "/book?location=1",
        "type: choose location": "/book/couples",
        "book page: month": "/book/couples?location=1",
        "book page: month and a day's times": f"/book/couples?location=1&day={day}",
        "login": "/login",
        "register": "/register",
        "password forgot": "/account/forgot-password",
        "password reset": f"/account/reset-password/{reset}",
        "password reset: invalid link": "/account/reset-password/not-a-token",
        "not found": "/no-such-page",
        "unknown session type": "/book/no-such-type",
    }
    for what, path in pages.items():
        page.goto(url + path)
        audit(page, what)

    # The same pages' error states: empty forms sent back with their messages.
    for what, path, button in [
        ("login errors", "/login", "Log in"),
        ("register errors", "/register", "Create account"),
        ("password forgot errors", "/account/forgot-password", "Send"),
    ]:
        page.goto(url + path)
        page.locator("main").get_by_role("button", name=re.compile(button)).first.click()
        page.wait_for_load_state()
        audit(page, what)


def test_widget_booking_flow_pages_pass_axe(page, demo_server, audit):
    url = demo_server.url
    page.goto(f"{url}/book/family-portrait?location=1")
    page.locator("a.day").first.click()
    page.locator("#day-times .time").first.wait_for()
    audit(page, "book page after choosing a day (htmx)")
    page.locator("#day-times .time").first.click()
    page.get_by_role("heading", name="I'm new here").wait_for()
    audit(page, "log in or register for the held time")
    page.locator("#login-email").fill("jordan@example.com")
    page.locator("#login-password").fill(DEMO_CLIENT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Review and confirm").wait_for()
    audit(page, "review")
    page.get_by_role("button", name="Continue to payment").click()  # the question is required
    page.get_by_role("heading", name="Review and confirm").wait_for()
    audit(page, "review with errors")
    page.get_by_label("Outfit changes").select_option("1")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("heading", name=re.compile("^Pay ")).wait_for()
    audit(page, "pay")
    page.get_by_label("Name on card").fill("Jordan Lee")
    page.get_by_label("Card number").fill("4000 0000 0000 9995")
    page.get_by_label("Expiry (MM / YY)").fill("12 / 30")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.get_by_text("Your card was declined").wait_for()
    audit(page, "pay: declined")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.get_by_role("heading", name="You're booked!").wait_for()
    audit(page, "confirmed")

    page.goto(f"{url}/account/bookings")
    audit(page, "my bookings")
    page.get_by_role("link", name=re.compile("Reschedule")).first.click()
    page.locator("a.day").first.wait_for()
    audit(page, "reschedule: month")
    page.locator("a.day").first.click()
    page.locator("#day-times .time").first.wait_for()
    page.locator("#day-times .time").first.click()
    page.get_by_role("heading", name=re.compile("Reschedule|Move", re.I)).first.wait_for()
    audit(page, "reschedule: confirm")
    page.goto(f"{url}/account/profile")
    audit(page, "profile")


def test_widget_waitlist_and_unavailable_pages_pass_axe(page, demo_server, audit):
    url = demo_server.url
    day, link = _booked_out_day_with_waiter(demo_server, "priya@example.com")
    _client_login(page, url, "priya@example.com")
    page.goto(f"{url}/book/couples?location=1&day={day}")
    audit(page, "waitlist offer (a booked-out day)")
    page.goto(url + link)
    audit(page, "waitlist: the time was taken")
    page.goto(url + link[:-6])
    audit(page, "problem: a damaged waitlist link")

    with demo_server.app.app_context():
        online_preferences(db.session).active = False
        db.session.commit()
    try:
        page.goto(f"{url}/book")
        audit(page, "online booking switched off")
    finally:
        with demo_server.app.app_context():
            online_preferences(db.session).active = True
            db.session.commit()


ADMIN_PAGES = {
    "home": "/admin/",
    "bookings": "/admin/bookings",
    "clients": "/admin/clients",
    "client": "/admin/clients/{client_id}",
    "invoices": "/admin/invoices",
    "invoice": "/admin/invoices/{invoice_id}",
    "service types": "/admin/service-types",
    "service type form": "/admin/service-types/{service_type_id}",
    "new service type": "/admin/service-types/new",
    "price list": "/admin/price-list",
    "promotions": "/admin/promotions",
    "new promotion": "/admin/promotions/new",
    "slots calendar": "/admin/slots",
    "new slot": "/admin/slots/new",
    "copy slots": "/admin/slots/copy",
    "copy pattern": "/admin/slots/copy/pattern",
    "waiting lists": "/admin/slots/waitlist",
    "preferences": "/admin/preferences",
    "preferences: general": "/admin/preferences/general",
    "preferences: sessions": "/admin/preferences/sessions",
    "preferences: appointments": "/admin/preferences/appointments",
    "preferences: clients": "/admin/preferences/clients",
    "preferences: activation": "/admin/preferences/activation",
    "preferences: logo": "/admin/preferences/logo",
    "preferences: customization": "/admin/preferences/customization",
    "preferences: time slots": "/admin/preferences/timeslots",
    "preferences: permissions": "/admin/preferences/permissions",
    "staff": "/admin/staff",
    "staff form": "/admin/staff/new",
    "mail": "/admin/mail",
    "mail wording": "/admin/mail/wording",
    "mail wording: one mail": "/admin/mail/wording/booking_confirmation",
    "my notice settings": "/admin/notices/settings",
    "appointment types": "/admin/appointment-types",
    "client deposits": "/admin/clients/{client_id}/deposits",
    "service type billing": "/admin/service-types/{service_type_id}/billing",
    "price list item": "/admin/price-list/{price_item_id}",
    "new price list item": "/admin/price-list/new",
    "promotion form": "/admin/promotions/{promotion_id}",
    "promotion codes": "/admin/promotions/{promotion_id}/codes",
    "promotion report": "/admin/promotions/{promotion_id}/report",
    "promotions preview": "/admin/promotions/preview",
    "organizations": "/admin/organizations",
    "organization form": "/admin/organizations/{organization_id}",
    "organization members": "/admin/organizations/{organization_id}/members",
    "new organization": "/admin/organizations/new",
    "closed days": "/admin/locations/{location_id}/closures",
    "settings": "/admin/settings",
    "settings: client lists": "/admin/settings/clients",
    "settings: booking lists": "/admin/settings/bookings",
    "settings: invoices": "/admin/settings/invoices",
    "staff member": "/admin/staff/{staff_id}",
    "staff member's notices": "/admin/staff/{staff_id}/notices",
    "not found": "/admin/no-such-page",
}


def _first_id(model: Any) -> int:
    found = db.session.scalars(select(model.id).order_by(model.id)).first()
    assert found is not None, f"the demo has no {model.__name__}"
    return int(found)


def test_main_admin_pages_pass_axe(page, demo_server, audit):
    with demo_server.app.app_context():
        invoice = db.session.scalars(
            select(Invoice).where(Invoice.booking_id.is_not(None)).order_by(Invoice.id)
        ).first()
        assert invoice is not None and invoice.booking is not None
        ids = {
            "client_id": invoice.client_id,
            "invoice_id": invoice.id,
            "service_type_id": invoice.booking.service_type_id,
            "price_item_id": _first_id(PriceListItem),
            "promotion_id": _first_id(Promotion),
            "organization_id": _first_id(Organization),
            "location_id": _first_id(Location),
            "staff_id": _first_id(Staff),
        }
        slot_id = db.session.scalars(select(TimeSlot.id).order_by(TimeSlot.id)).first()
    _staff_login(page, demo_server.url, audit)
    # At 1280px every section fits one row under the studio's bar; at 800px they wrap, all shown.
    tops = page.evaluate("[...document.querySelectorAll('.main-nav a')].map(a => a.offsetTop)")
    assert len(tops) == 13 and len(set(tops)) == 1
    page.set_viewport_size({"width": 800, "height": 900})
    audit(page, "admin home at 800px")
    page.set_viewport_size({"width": 1280, "height": 900})
    for what, path in ADMIN_PAGES.items():
        page.goto(demo_server.url + path.format(**ids))
        audit(page, what)

    page.goto(f"{demo_server.url}/admin/slots")
    with page.expect_response(lambda r: re.search(r"/admin/slots/\d+$", r.url) is not None):
        page.locator("#calendar a.slot").first.click()
    page.locator("#slot-panel h2").first.wait_for()
    audit(page, "slots calendar with a slot's panel")
    page.goto(f"{demo_server.url}/admin/slots/{slot_id}")
    audit(page, "a slot's page")
