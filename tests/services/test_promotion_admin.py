"""Saving promotions from plain values, and what staff read about them."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Promotion, PromotionCode
from core.rules.promotions import State
from core.services import promotion_admin, promotion_overview
from core.services.errors import InvalidDetails
from tests.conftest import NOW
from tests.factories import Factory

Details = promotion_admin.PromotionDetails


def test_a_blank_code_and_barcode_id_are_generated(session: Session) -> None:
    saved = promotion_admin.save_promotion(session, None, Details(name="Spring"), now=NOW)

    code = session.scalars(select(PromotionCode.code)).one()
    assert len(code) == 8 and code.isalnum() and code.isupper()
    assert saved.external_id.isdigit() and len(saved.external_id) == 12


def test_a_typed_code_is_normalized_and_renaming_it_keeps_one_code(session: Session) -> None:
    saved = promotion_admin.save_promotion(
        session, None, Details(name="A", code=" fall  fun "), now=NOW
    )
    promotion_admin.save_promotion(session, saved.id, Details(name="A", code="winter"), now=NOW)

    assert session.scalars(select(PromotionCode.code)).all() == ["WINTER"]


def test_a_code_or_barcode_id_of_another_promotion_is_refused(session: Session) -> None:
    first = promotion_admin.save_promotion(
        session, None, Details(name="A", code="SAME", external_id="B-1"), now=NOW
    )

    with pytest.raises(InvalidDetails) as code_taken:
        promotion_admin.save_promotion(session, None, Details(name="B", code="same"), now=NOW)
    with pytest.raises(InvalidDetails) as id_taken:
        promotion_admin.save_promotion(session, None, Details(name="B", external_id="b-1"), now=NOW)

    assert code_taken.value.errors == {"code": "SAME is already in use: choose another code."}
    assert id_taken.value.errors == {"external_id": "Another promotion has this id."}
    assert session.scalars(select(Promotion.id)).all() == [first.id]


def test_every_bad_field_gets_its_own_message(session: Session, make: Factory) -> None:
    errors = promotion_admin.check(
        session,
        Details(
            name=" ",
            percent=Decimal(101),
            amount=-1,
            appointment_first_day=date(2026, 12, 2),
            appointment_last_day=date(2026, 12, 1),
            redeem_from_time=time(9),
            hours_start=time(17),
            weekdays=(7,),
            service_type_ids=(999,),
            up_to=0,
            apply_to="other_items",
        ),
    )

    assert set(errors) == {
        "name",
        "percent",
        "amount",
        "appointment_last_day",
        "redeem_first_day",
        "hours_end",
        "weekdays",
        "service_type_ids",
        "up_to",
        "apply_to",
    }


def test_an_auto_applied_promotion_with_codes_cannot_be_switched_to_auto(session: Session) -> None:
    saved = promotion_admin.save_promotion(session, None, Details(name="A"), now=NOW)

    with pytest.raises(InvalidDetails) as refused:
        promotion_admin.save_promotion(
            session, saved.id, Details(name="A", auto_apply=True), now=NOW
        )

    assert "auto_apply" in refused.value.errors


def test_the_list_reads_states_in_the_studio_timezone(session: Session, make: Factory) -> None:
    make.location(timezone="America/New_York")
    # NOW is 2026-11-23 15:00 UTC: 10:00 in New York, so a window ending at 10:30 is still open.
    promotion_admin.save_promotion(
        session,
        None,
        Details(name="Morning", redeem_last_day=date(2026, 11, 23), redeem_until_time=time(10, 30)),
        now=NOW,
    )
    promotion_admin.save_promotion(session, None, Details(name="Off", active=False), now=NOW)

    rows = promotion_overview.list_promotions(session, now=NOW)

    assert [(r.promotion.name, r.state) for r in rows] == [
        ("Morning", State.ACTIVE),
        ("Off", State.OFF),
    ]


def test_the_standing_discount_is_kept_between_0_and_100(session: Session, make: Factory) -> None:
    client = make.client()

    with pytest.raises(InvalidDetails):
        promotion_admin.set_client_terms(
            session, client.id, standing_discount=Decimal(120), is_member=True
        )
    promotion_admin.set_client_terms(
        session, client.id, standing_discount=Decimal("12.5"), is_member=True
    )

    session.refresh(client)
    assert client.standing_discount == Decimal("12.5") and client.is_member
