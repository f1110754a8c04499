"""Random and malformed values posted to every form of the widget and the admin (hypothesis).

Each POST route of the url_map gets form data built from the field names its pages really render
(read from every page the walk opens), plus a few other forms' names, filled with random text,
huge strings, other scripts, NUL bytes, huge and negative numbers, malformed dates, times and
colours, repeated fields, missing fields and stray files, sent by a logged-in person of the right
kind (an administrator with every level in the admin) with a valid CSRF token. Never a 500; a
refused request (4xx) changes no row; an accepted one leaves every row loadable and no row
pointing at a missing one.

FUZZ_EXAMPLES=200 runs a deeper profile (the default keeps the file to a couple of minutes).
"""

from __future__ import annotations

import io
import os
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule
from wtforms.fields.core import UnboundField

from core.db import Base
from core.models import ServiceType
from tests.conftest import WebClient
from tests.factories import PASSWORD
from tests.web.helpers import at
from tests.web.test_csrf_walk import RULES, Rows, _missing, _snapshot, _url

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
SKIPPED = {"csrf_token"}  # sent valid: the point is what the form does with its fields
# Routes that may end the session (and its CSRF token): log in again before each example.
NEW_SESSION = {
    "widget.login",
    "widget.logout",
    "widget.register",
    "widget.password_reset",
    "widget.password_change",
    "admin.login",
    "admin.logout",
}
# A refusal that is the outcome of real work, recorded whole: the card processor refused the
# refund asked for again, and the refund is marked failed with its reason.
RECORDS_REFUSALS = {"admin.retry_refund"}


class _Forms(HTMLParser):
    """The field names of each form on a page, by the URL it posts to."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, set[str]] = {}
        self._action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "form":
            self._action = attr.get("hx-post") or attr.get("action") or ""
            self.fields.setdefault(self._action, set())
        elif tag in {"input", "select", "textarea", "button"}:
            action = attr.get("formaction") or attr.get("hx-post") or self._action
            if action is not None:
                names = self.fields.setdefault(action, set())
                names.update([str(attr["name"])] if attr.get("name") else [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._action = None


# Endpoint -> the field names seen in forms posting to it; filled by the first test's walk.
FIELDS: dict[str, set[str]] = {}


def _read_forms(app: Flask, web: WebClient, urls: list[str]) -> None:
    adapter = app.url_map.bind("studio.test")
    for url in urls:
        response = web.get(url)
        if response.mimetype != "text/html":
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for action, names in parser.fields.items():
            try:
                endpoint, _ = adapter.match(action.split("?")[0] or url, method="POST")
            except HTTPException:  # a GET form, another site
                continue
            FIELDS.setdefault(str(endpoint), set()).update(names - SKIPPED)


def _walk_pages(app: Flask, rows: Rows, make: Any) -> None:
    """Open every GET page as its kind of user (and the booking steps with a held time)."""
    prefix = app.config["ADMIN_URL_PREFIX"] + "/"
    pages = [
        r
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or set())
        and not r.endpoint.endswith(".static")
        and not _missing(r)
        and r.endpoint not in {"widget.booking_calendar", "widget.stored_file"}
    ]
    staff, client = WebClient(app), WebClient(app)
    _log_in(staff, rows, admin=True)
    _log_in(client, rows, admin=False)
    admin_urls = [_url(r, rows) for r in pages if r.rule.startswith(prefix)]
    widget_urls = [_url(r, rows) for r in pages if not r.rule.startswith(prefix)]
    family = make.session.scalar(select(ServiceType).where(ServiceType.slug == "fam"))
    slot = make.slot(at(2026, 12, 4, 15), service_types=[family])
    _read_forms(app, staff, admin_urls)
    _read_forms(app, client, [*widget_urls, "/book/fam?day=2026-12-04"])
    client.post("/book/fam/hold", {"slot_id": slot.id})
    _read_forms(app, client, ["/book/checkout", "/book/pay"])
    anonymous = WebClient(app)
    _read_forms(app, anonymous, ["/login", "/register", "/account/forgot-password", "/admin/login"])
    # Forms the walk does not reach with these rows: their classes' field names.
    for endpoint, form in FORM_CLASSES.items():
        FIELDS.setdefault(endpoint, set()).update(_field_names(form))


def _field_names(form: type) -> set[str]:
    return {name for name in dir(form) if isinstance(getattr(form, name, None), UnboundField)}


def _form_classes() -> dict[str, type]:
    from admin.forms_slots import MoveSlotForm, SlotDetailsForm
    from widget.forms import CardForm, HoldForm
    from widget.views_waitlist import LeaveForm, WaitlistForm

    return {
        "widget.hold": HoldForm,
        "widget.do_reschedule": HoldForm,
        "widget.join_waitlist": WaitlistForm,
        "widget.leave_waitlist": LeaveForm,
        "widget.pay_submit": CardForm,
        "admin.edit_slot": SlotDetailsForm,
        "admin.move_slot": MoveSlotForm,
    }


FORM_CLASSES = _form_classes()


def _log_in(web: WebClient, rows: Rows, *, admin: bool) -> None:
    person = rows.staff if admin else rows.client
    login = "/admin/login" if admin else "/login"
    web.tokens.pop("admin" if admin else "widget", None)  # a new session: fetch its token
    response = web.post(login, {"email": person.email, "password": PASSWORD}, follow_redirects=True)
    assert response.status_code == 200, "the fuzzing must reach the forms, not a login page"


# Values a careless, hostile or broken client might send in any field.
_NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["0", "-1", "2147483648", "9" * 40, "1e309", "NaN", "-inf", "0x1F", "1,5"]),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
_MALFORMED = st.sampled_from(
    [
        "",
        " ",
        "2026-13-45",
        "0000-00-00",
        "9999-12-31",
        "2026-02-30",
        "31/12/2026",
        "25:61",
        "-01:00",
        "23:59:60",
        "2026-12-03T25:00",
        "#zzzzzz",
        "#12345",
        "rgb(300,0,0)",
        "on",
        "true",
        "None",
        "null",
        "[]",
        "{}",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "https://evil.example/",
        "a@b",
        "\u202e\u0000\ufeff",
        "😀" * 50,
        "é" * 300,
    ]
)
_VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.text(alphabet=st.sampled_from("\x00\x01\x7f\n\r\t\\'\"%_"), max_size=20),
    st.integers(min_value=1, max_value=100_000).map(lambda n: "x" * n),
    _NUMBERS,
    _MALFORMED,
)
_FILES = st.tuples(st.binary(max_size=300), st.sampled_from(["a.png", "b.jpg", "c.csv", ""]))


@st.composite
def _form_data(draw: Any, names: list[str], pool: list[str]) -> MultiDict[str, Any]:
    fields = names + draw(st.lists(st.sampled_from(pool), max_size=3)) if pool else names
    data: MultiDict[str, Any] = MultiDict()
    for name in fields:
        for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2]))):  # missing, once, repeated
            if draw(st.integers(0, 19)) == 0:
                content, filename = draw(_FILES)
                data.add(name, (io.BytesIO(content), filename))
            else:
                data.add(name, draw(_VALUES))
    return data


def _whole(engine: Engine) -> None:
    """Every row loads as its model (enums, JSON, dates) and no row points at a missing one."""
    with Session(engine) as session:
        for mapper in Base.registry.mappers:
            session.scalars(select(mapper.class_)).all()
        if engine.dialect.name == "sqlite":  # PostgreSQL enforces its foreign keys itself
            orphans = session.execute(text("PRAGMA foreign_key_check")).all()
            assert not orphans, orphans


def _post_rules() -> list[Any]:
    return [pytest.param(r, id=f"POST {r.rule}") for r in RULES if "POST" in (r.methods or set())]


@pytest.fixture
def rows(make: Any, db_session: Any) -> Rows:
    return Rows(make, db_session)


@pytest.mark.parametrize("rule", _post_rules())
def test_random_form_values_never_break_a_route(
    app: Flask,
    clean_db: Engine,
    make: Any,
    rows: Rows,
    rule: Rule,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from web.extensions import limiter

    # Mail stays queued: a sender thread updating the outbox would race the row comparisons.
    monkeypatch.setitem(app.config, "MAIL_SENDER_THREAD", False)
    if not FIELDS:
        _walk_pages(app, rows, make)
    admin = rule.rule.startswith(app.config["ADMIN_URL_PREFIX"] + "/")
    web = WebClient(app)
    _log_in(web, rows, admin=admin)
    url = _url(rule, rows)
    home = "/admin/" if admin else "/account/profile"  # a page with the token, logged in only
    names = sorted(FIELDS.get(rule.endpoint, set()))
    pool = sorted(set().union(*FIELDS.values()) - set(names))
    state = {"rows": _snapshot(clean_db)}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=_form_data(names, pool), htmx=st.booleans())
    def post(data: MultiDict[str, Any], htmx: bool) -> None:
        limiter.reset()  # the limits are tested elsewhere; here every example reaches the form
        if rule.endpoint in NEW_SESSION and web.get(home).status_code != 200:
            _log_in(web, rows, admin=admin)  # the example before logged out
        data.setlist("csrf_token", [web.tokens["admin" if admin else "widget"]])

        response = web.raw.post(url, data=data, headers={"HX-Request": "true"} if htmx else {})

        assert response.status_code < 500, response.get_data(as_text=True)[:500]
        after = _snapshot(clean_db)
        if 400 <= response.status_code < 500 and rule.endpoint not in RECORDS_REFUSALS:
            assert after == state["rows"], f"a refused {rule.rule} changed rows"
        elif after != state["rows"]:
            _whole(clean_db)
            state["rows"] = after

    post()
