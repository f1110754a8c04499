"""Admin promotions: list states and uses, form messages, codes tools, preview, report."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import (
    BookedVia,
    Booking,
    DiscountKind,
    FieldMode,
    KindPreferences,
    PriceCategory,
    PriceListItem,
    Promotion,
    PromotionCode,
    Redemption,
    ServiceKind,
    ServiceTypeItem,
)
from core.services import invoicing
from tests.conftest import NOW, WebClient
from tests.web.helpers import at, count_queries, text_of
from tests.web.test_admin_service_type_online import form_of, url


def promotion(session: Session, *codes: str, **kw: Any) -> Promotion:
    n = len(session.scalars(select(Promotion.id)).all())
    row = Promotion(
        **{
            "name": f"Promo {n}",
            "external_id": f"EXT{n}",
            "discount_kind": DiscountKind.PERCENT,
            "percent": Decimal(10),
            "created_at": NOW,
            **kw,
        }
    )
    session.add(row)
    session.flush()
    for code in codes:
        session.add(PromotionCode(promotion_id=row.id, code=code, created_at=NOW))
    session.commit()
    return row


def use(session: Session, make: Any, row: Promotion, code: str | None = None, **kw: Any) -> None:
    """A booking that used the promotion (with `code` when given)."""
    slot = make.slot(at(2026, 12, 1, 15))
    booking = Booking(
        client_id=make.client().id,
        slot_id=slot.id,
        service_type_id=slot.service_types[0].id,
        booked_via=BookedVia.WIDGET,
        created_at=NOW,
    )
    session.add(booking)
    session.flush()
    code_id = (
        session.scalar(select(PromotionCode.id).where(PromotionCode.code == code)) if code else None
    )
    session.add(
        Redemption(
            promotion_id=row.id,
            code_id=code_id,
            code=code or "",
            booking_id=booking.id,
            client_id=booking.client_id,
            discount=kw.get("discount", 1000),
            uses=1,
            created_at=kw.get("created_at", NOW),
        )
    )
    session.commit()


def form_data(**kw: Any) -> dict[str, Any]:
    data = {
        "name": "Spring minis",
        "active": "y",
        "discount_kind": "percent",
        "percent": "10",
        "apply_to": "criteria_items",
        "channel": "anywhere",
        "combinable": "y",
    }
    for i in range(3):
        data[f"requirements-{i}-kind"] = ""
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


# The list -------------------------------------------------------------------------------------


def test_list_shows_expired_used_up_and_scheduled_promotions_as_inactive(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    make.location()
    promotion(session, "LIVE", name="Live one")
    promotion(session, "OLD", name="Old one", redeem_last_day=date(2026, 1, 31))
    promotion(session, "SOON", name="Soon one", redeem_first_day=date(2027, 3, 1))
    spent = promotion(session, "ONCE", name="Spent one", max_uses=1)
    use(session, make, spent, "ONCE")

    page = text_of(staff_web.get("/admin/promotions"))
    inactive = text_of(staff_web.get("/admin/promotions?show=inactive"))

    assert "Live one Code 10 % off 0 1 codes of Live one Active" in page
    assert "Old one Code 10 % off 0 1 codes of Old one Inactive: expired" in page
    assert "Soon one Code 10 % off 0 1 codes of Soon one Inactive: not yet valid" in page
    assert "Spent one Code 10 % off 1 1 codes of Spent one Inactive: used up" in page
    assert "Live one" not in inactive and "Spent one" in inactive


def test_a_batch_is_used_up_only_when_every_code_is(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    batch = promotion(session, "AAA1", "AAA2", name="Vouchers", max_uses=1)
    use(session, make, batch, "AAA1")

    assert "Vouchers Code 10 % off 1 2 codes of Vouchers Active" in text_of(
        staff_web.get("/admin/promotions")
    )

    use(session, make, batch, "AAA2")
    assert "Inactive: used up" in text_of(staff_web.get("/admin/promotions"))


def test_list_filters_by_kind_and_finds_a_promotion_by_its_code(
    staff_web: WebClient, session: Session
) -> None:
    promotion(session, "SUMMER24", name="Summer")
    promotion(session, name="Loyalty", auto_apply=True)

    autos = text_of(staff_web.get("/admin/promotions?kind=auto"))
    found = text_of(staff_web.get("/admin/promotions?q=summer2"))

    assert "Loyalty" in autos and "Summer" not in autos
    assert "Summer" in found and "Loyalty" not in found


def test_list_queries_stay_constant_with_many_promotions(
    staff_web: WebClient, session: Session, make: Any, app: Any
) -> None:
    from web.extensions import db

    def queries() -> int:
        with app.app_context(), count_queries(db.engine) as statements:
            assert staff_web.get("/admin/promotions").status_code == 200
        return len(statements)

    first = promotion(session, "C0", max_uses=2)
    use(session, make, first, "C0")
    few = queries()
    for i in range(1, 25):
        row = promotion(session, f"C{i}", f"D{i}", max_uses=1)
        use(session, make, row, f"C{i}")

    assert queries() == few


# The form -------------------------------------------------------------------------------------


def test_a_coded_promotion_left_without_a_code_gets_one_and_a_barcode_id(
    staff_web: WebClient, session: Session
) -> None:
    response = staff_web.post("/admin/promotions/new", form_data())

    assert response.status_code == 303
    row = session.scalars(select(Promotion)).one()
    code = session.scalars(select(PromotionCode.code)).one()
    assert len(code) == 8 and code.isalnum()
    assert len(row.external_id) == 12
    page = text_of(staff_web.get(response.headers["Location"]))
    assert code in staff_web.get(response.headers["Location"]).get_data(as_text=True)
    assert "“Spring minis” saved." in page


def test_a_code_another_promotion_holds_is_refused_next_to_the_field(
    staff_web: WebClient, session: Session
) -> None:
    promotion(session, "SPRING")

    response = staff_web.post("/admin/promotions/new", form_data(code="  spring "))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="code-error">SPRING is already in use' in html
    assert 'value="Spring minis"' in html  # what was typed is kept
    assert (
        session.scalars(select(Promotion)).all() != []
        and len(session.scalars(select(Promotion)).all()) == 1
    )


def test_bad_values_get_messages_next_to_their_fields(staff_web: WebClient) -> None:
    response = staff_web.post(
        "/admin/promotions/new",
        form_data(
            name="",
            percent="150",
            redeem_first_day="2026-12-10",
            redeem_last_day="2026-12-01",
            hours_start="10:00",
            hours_end="10:00",
            code="no-dashes!",
            amount="-5",
        ),
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html
    assert 'id="percent-error">Enter 0 to 100.' in html


def test_core_checks_reach_their_fields(staff_web: WebClient) -> None:
    response = staff_web.post(
        "/admin/promotions/new",
        form_data(
            redeem_first_day="2026-12-10",
            redeem_last_day="2026-12-01",
            hours_start="10:00",
            hours_end="10:00",
            code="no-dashes!",
            max_uses="3",
            once="y",
        ),
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="redeem_last_day-error">The end must come after the start.' in html
    assert 'id="hours_end-error">The hours end at a different time' in html
    assert 'id="code-error">Use letters, digits and spaces only' in html
    assert 'id="max_uses-error">Choose “once” or a number of times, not both.' in html


def test_an_auto_applied_promotion_has_no_code(staff_web: WebClient, session: Session) -> None:
    refused = staff_web.post("/admin/promotions/new", form_data(auto_apply="y", code="FREE"))
    saved = staff_web.post("/admin/promotions/new", form_data(auto_apply="y"))

    assert refused.status_code == 400
    assert "An auto-applied promotion has no code" in text_of(refused)
    assert saved.status_code == 303
    assert session.scalars(select(PromotionCode)).all() == []


def test_requirements_and_benefit_items_are_saved_and_shown_again(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    make.studio()
    product = make._save(
        PriceListItem(code="P57", name="5x7", category=PriceCategory.PRODUCT, price=2000)
    )
    response = staff_web.post(
        "/admin/promotions/new",
        form_data(
            **{
                "requirements-0-kind": "value",
                "requirements-0-minimum": "80",
                "requirements-0-categories": "package",
                "discount_kind": "amount",
                "amount": "10.50",
                "apply_to": "other_items",
                "benefit_items": str(product.id),
                "up_to": "1",
            }
        ),
    )

    assert response.status_code == 303
    row = session.scalars(select(Promotion)).one()
    assert row.amount == 1050
    assert [(r.kind.value, r.minimum) for r in row.requirements] == [("value", 8000)]
    assert [q.item_id for q in row.benefit_qualifiers] == [product.id]
    page = staff_web.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="80.00"' in page and 'value="10.50"' in page


# Codes ----------------------------------------------------------------------------------------


def test_pasted_codes_are_added_and_a_taken_one_refuses_the_whole_list(
    staff_web: WebClient, session: Session
) -> None:
    promotion(session, "TAKEN")
    batch = promotion(session, name="Batch")
    url = f"/admin/promotions/{batch.id}/codes"

    refused = staff_web.post(f"{url}/add", {"codes": "one\ntaken\n"})
    added = staff_web.post(f"{url}/add", {"codes": "one\n two  b \n"})

    assert refused.status_code == 400
    assert "Line 2: TAKEN is already in use." in text_of(refused)
    assert added.status_code == 303
    page = text_of(staff_web.get(url))
    assert "2 codes, 0 used" in page and "TWO B" in page


def test_generated_codes_are_single_use_and_mass_delete_needs_a_confirm(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    batch = promotion(session, name="Groupon")
    url = f"/admin/promotions/{batch.id}/codes"

    assert staff_web.post(f"{url}/generate", {"count": "30"}).status_code == 303
    session.refresh(batch)
    assert batch.max_uses == 1
    first = session.scalars(select(PromotionCode.code).order_by(PromotionCode.code)).first()
    assert first is not None
    use(session, make, batch, first)
    page = text_of(staff_web.get(url))
    assert "30 codes, 1 used" in page and "Page 1 of 1" not in page

    unconfirmed = staff_web.post(f"{url}/delete", {"which": "used"})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in text_of(unconfirmed)
    assert staff_web.post(f"{url}/delete", {"which": "used", "confirm": "y"}).status_code == 303
    assert "29 codes, 0 used" in text_of(staff_web.get(url))
    redemption = session.scalars(select(Redemption)).one()
    assert redemption.code == first and redemption.released_at is None


def test_codes_are_paged(staff_web: WebClient, session: Session) -> None:
    batch = promotion(session, *[f"CODE{i:03d}" for i in range(60)], name="Many")

    first = text_of(staff_web.get(f"/admin/promotions/{batch.id}/codes"))
    second = text_of(staff_web.get(f"/admin/promotions/{batch.id}/codes?page=2"))

    assert "CODE000" in first and "CODE059" not in first and "Page 1 of 2" in first
    assert "CODE059" in second


# Preview and report ---------------------------------------------------------------------------


def test_preview_shows_the_discount_and_why_another_promotion_did_not_apply(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    make.studio()
    fee = make._save(
        PriceListItem(code="SF", name="Session fee", category=PriceCategory.SESSION_FEE, price=5000)
    )
    service_type = make.service_type()
    make._save(ServiceTypeItem(service_type_id=service_type.id, item_id=fee.id, position=0))
    location = make.location()
    promotion(session, name="Ten off", auto_apply=True)
    promotion(session, name="Weekends", auto_apply=True, weekdays="56", percent=Decimal(50))

    response = staff_web.get(
        "/admin/promotions/preview",
        query_string={
            "service_type": service_type.id,
            "location": location.id,
            "day": "2026-11-30",
            "start_time": "10:00",
            "client": "0",
            "online": "y",
        },
    )

    assert response.status_code == 200
    page = text_of(response)
    assert "Session fee SF 1 $50.00 $5.00 $45.00" in page
    assert "Ten off: $5.00 off" in page
    assert "Weekends:" in page and "Saturday" in page


def test_preview_without_a_date_says_so(staff_web: WebClient, make: Any) -> None:
    service_type = make.service_type()
    location = make.location()

    response = staff_web.get(
        "/admin/promotions/preview",
        query_string={"service_type": service_type.id, "location": location.id, "day": ""},
    )

    assert response.status_code == 400
    assert 'id="day-error">Enter a date.' in response.get_data(as_text=True)


def test_report_sums_uses_discount_and_revenue_by_month(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    make.studio()
    row = promotion(session, "R1", "R2", "R3", name="Reported")
    use(session, make, row, "R1", discount=500, created_at=NOW)
    use(session, make, row, "R2", discount=700, created_at=NOW - timedelta(days=40))
    use(session, make, row, "R3", discount=300, created_at=NOW)
    booking = session.scalars(select(Booking).order_by(Booking.id)).first()
    assert booking is not None
    invoice = invoicing.create_invoice_for_booking(session, booking, now=NOW)
    session.flush()
    from core.models import InvoiceLine

    invoice.lines.append(
        InvoiceLine(
            code="SF",
            description="Fee",
            category=PriceCategory.SESSION_FEE,
            quantity=1,
            unit_price=5000,
            discount=500,
        )
    )
    session.commit()

    page = text_of(staff_web.get(f"/admin/promotions/{row.id}/report"))

    assert "November 2026 2 2 $8.00 $45.00" in page
    assert "October 2026 1 1 $7.00 $0.00" in page
    assert "Total 3 3 $15.00 $45.00" in page


# The client's standing discount and membership ------------------------------------------------


def test_staff_set_a_clients_standing_discount_and_membership(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    client = make.client(name="Dana Lee", email="dana@example.com")
    form = {"name": "Dana Lee", "email": "dana@example.com"}

    refused = staff_web.post(f"/admin/clients/{client.id}", {**form, "standing_discount": "150"})
    saved = staff_web.post(
        f"/admin/clients/{client.id}", {**form, "standing_discount": "12.5", "is_member": "y"}
    )

    assert refused.status_code == 400
    assert 'id="standing_discount-error">Enter a percentage from 0 to 100.' in refused.get_data(
        as_text=True
    )
    assert saved.status_code == 303
    session.refresh(client)
    assert client.standing_discount == Decimal("12.5") and client.is_member
    page = staff_web.get(f"/admin/clients/{client.id}").get_data(as_text=True)
    assert 'value="12.5"' in page


# Promo code settings on the kinds' tabs and the type's online settings ------------------------


def test_the_promo_code_field_can_be_optional_but_never_required(
    staff_web: WebClient, session: Session
) -> None:
    base = {"notes_mode": "optional", "default_booker_id": ""}

    refused = staff_web.post("/admin/preferences/sessions", {**base, "promo_code_mode": "required"})
    saved = staff_web.post("/admin/preferences/sessions", {**base, "promo_code_mode": "optional"})

    assert refused.status_code == 400
    assert 'id="promo_code_mode-label"' in refused.get_data(as_text=True)
    assert saved.status_code == 303
    prefs = session.get(KindPreferences, ServiceKind.SESSION)
    assert prefs is not None and prefs.promo_code_mode is FieldMode.OPTIONAL


def test_a_type_can_stop_accepting_promo_codes(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    service_type = make.service_type()
    assert service_type.accepts_promo_codes

    response = staff_web.post(url(service_type), form_of(service_type))

    assert response.status_code == 303
    session.refresh(service_type)
    assert service_type.accepts_promo_codes is False


# The studio's item order, and deleting ------------------------------------------------------------


def test_the_studio_chooses_whether_promotions_take_the_dearest_items_first(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    make.studio()
    service_type = make.service_type()
    for position, (code, price) in enumerate([("SF", 5000), ("PR", 2000)]):
        item = make._save(
            PriceListItem(code=code, name=code, category=PriceCategory.SESSION_FEE, price=price)
        )
        make._save(
            ServiceTypeItem(service_type_id=service_type.id, item_id=item.id, position=position)
        )
    location = make.location()
    promotion(session, name="Half off one", auto_apply=True, percent=Decimal(50), up_to=1)
    query = {
        "service_type": service_type.id,
        "location": location.id,
        "day": "2026-11-30",
        "start_time": "10:00",
        "client": "0",
        "online": "y",
    }

    cheapest = text_of(staff_web.get("/admin/promotions/preview", query_string=query))
    saved = staff_web.post("/admin/promotions/order", {"highest_first": "y"})
    listing = text_of(staff_web.get("/admin/promotions"))
    dearest = text_of(staff_web.get("/admin/promotions/preview", query_string=query))

    assert "Half off one: $10.00 off" in cheapest
    assert saved.status_code == 303
    assert "most expensive qualifying items first" in listing
    assert "Half off one: $25.00 off" in dearest
    assert staff_web.post("/admin/promotions/order", {}).status_code == 303
    again = text_of(staff_web.get("/admin/promotions/preview", query_string=query))
    assert "Half off one: $10.00 off" in again


def test_an_unused_promotion_is_deleted_with_its_codes_after_a_confirm(
    staff_web: WebClient, session: Session
) -> None:
    promotion_id = promotion(session, "GONE1", "GONE2", name="Typo").id
    url = f"/admin/promotions/{promotion_id}/delete"

    unconfirmed = staff_web.post(url, {})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in text_of(unconfirmed)
    assert session.get(Promotion, promotion_id) is not None

    deleted = staff_web.post(url, {"confirm": "y"})
    assert deleted.status_code == 303
    session.expire_all()
    assert session.get(Promotion, promotion_id) is None
    assert session.scalars(select(PromotionCode)).all() == []
    assert "“Typo” deleted." in text_of(staff_web.get("/admin/promotions"))
    assert staff_web.post(url, {"confirm": "y"}).status_code == 404


def test_a_used_promotion_cannot_be_deleted_only_switched_off(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    row = promotion(session, "KEEP", name="Used once")
    use(session, make, row, "KEEP")

    refused = staff_web.post(f"/admin/promotions/{row.id}/delete", {"confirm": "y"})

    assert refused.status_code == 409
    assert "Bookings used this promotion: switch it off instead." in text_of(refused)
    session.expire_all()
    assert session.get(Promotion, row.id) is not None
    assert session.scalars(select(Redemption)).one().promotion_id == row.id


def test_the_online_booking_url_can_carry_a_promo_code(
    staff_web: WebClient, session: Session, make: Any
) -> None:
    service_type = make.service_type(slug="mini")
    promotion(session, "FSF", name="Free session fee")
    page = f"/admin/service-types/{service_type.id}"

    with_code = staff_web.get(page, query_string={"link_code": " fsf "})
    unknown = staff_web.get(page, query_string={"link_code": "later1"})
    malformed = staff_web.get(page, query_string={"link_code": "50%OFF!"})

    assert with_code.status_code == 200
    assert 'value="http://studio.test/book/mini?code=FSF"' in with_code.get_data(as_text=True)
    assert "No promotion or promo item" not in text_of(with_code)
    assert unknown.status_code == 200
    assert "No promotion or promo item has the code LATER1 yet" in text_of(unknown)
    assert 'value="http://studio.test/book/mini?code=LATER1"' in unknown.get_data(as_text=True)
    assert malformed.status_code == 400
    assert "A promo code is letters, digits and spaces" in text_of(malformed)
    assert 'value="http://studio.test/book/mini"' in malformed.get_data(as_text=True)
