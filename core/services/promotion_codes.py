"""Promotion codes: typed or pasted lists, generated voucher batches, and the mass delete
(seed 003). Codes are unique across promotions and promotional price list items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from core.models import PriceCategory, PriceListItem, Promotion, PromotionCode, Redemption
from core.rules import promotions as rules
from core.services.errors import InvalidDetails
from core.services.promotions import counts_by

MAX_BATCH = 10_000  # codes pasted or generated at once


def _taken(session: Session, codes: Iterable[str]) -> set[str]:
    wanted = list(codes)
    taken: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        taken.update(
            session.scalars(select(PromotionCode.code).where(PromotionCode.code.in_(chunk)))
        )
        # A promotional price list item's identifier is a code too (seed 000).
        taken.update(
            session.scalars(
                select(PriceListItem.code).where(
                    PriceListItem.code.in_(chunk),
                    PriceListItem.category == PriceCategory.PROMOTIONAL,
                )
            )
        )
    return taken


def taken_codes(session: Session, codes: Iterable[str]) -> set[str]:
    """Which of these normalized codes a promotion or a promotional price list item holds."""
    return _taken(session, codes)


def add_codes(
    session: Session, promotion: Promotion, texts: Sequence[str], *, now: datetime
) -> list[PromotionCode]:
    """Add codes typed or pasted one per line (blank lines skipped); all or nothing. Commits.

    Raises InvalidDetails({"codes": ...}) naming the first lines that are not well formed, repeat
    an earlier line, or are taken (by any promotion or a promotional price list item).
    """
    problems: list[str] = []
    seen: dict[str, int] = {}
    codes: list[str] = []
    for number, text in enumerate(texts, start=1):
        if not text.strip():
            continue
        code = rules.normalize_code(text)
        if not rules.is_well_formed(code):
            problems.append(f"Line {number}: “{text.strip()[:40]}”: {rules.CODE_FORMAT}")
        elif code in seen:
            problems.append(f"Line {number}: {code} is already on line {seen[code]}.")
        else:
            seen[code] = number
            codes.append(code)
    if not codes and not problems:
        problems.append("Enter at least one code.")
    if len(codes) > MAX_BATCH:
        problems.append(f"Add at most {MAX_BATCH:,} codes at once.")
    for code in sorted(_taken(session, codes), key=seen.__getitem__):
        problems.append(f"Line {seen[code]}: {code} is already in use.")
    if problems:
        shown = problems[:5] + ([f"… and {len(problems) - 5} more."] if len(problems) > 5 else [])
        raise InvalidDetails({"codes": " ".join(shown)})
    rows = [PromotionCode(promotion_id=promotion.id, code=code, created_at=now) for code in codes]
    session.add_all(rows)
    session.commit()
    return rows


def generate_codes(
    session: Session, promotion: Promotion, count: int, *, now: datetime, length: int = 8
) -> list[PromotionCode]:
    """`count` new random codes (a voucher batch), none clashing with a code in use. A batch
    for a promotion without a use limit makes each code single use. Commits."""
    if not 1 <= count <= MAX_BATCH:
        raise InvalidDetails({"count": f"Generate between 1 and {MAX_BATCH:,} codes."})
    fresh: set[str] = set()
    while len(fresh) < count:
        batch = {rules.generate_code(length) for _ in range(count - len(fresh))}
        fresh |= batch - _taken(session, batch)
    rows = [PromotionCode(promotion_id=promotion.id, code=code, created_at=now) for code in fresh]
    session.add_all(rows)
    if promotion.max_uses is None and not promotion.once:
        promotion.max_uses = 1  # a voucher batch: each code single use
    session.commit()
    return rows


def code_counts(session: Session, promotion_id: int) -> dict[int, tuple[int, int]]:
    """Each code's live (uses, bookings), for the codes list; one query."""
    codes = list(
        session.scalars(select(PromotionCode.id).where(PromotionCode.promotion_id == promotion_id))
    )
    return {
        key: (c.uses, c.bookings)
        for key, c in counts_by(session, Redemption.code_id, codes).items()
    }


def mass_delete(session: Session, promotion_id: int, *, only_used: bool) -> int:
    """Delete all the promotion's codes, or only those used at least once. Bookings made with
    them keep their discount and their redemption (which keeps the code as typed). Commits."""
    query = select(PromotionCode.id).where(PromotionCode.promotion_id == promotion_id)
    if only_used:
        used = select(Redemption.code_id).where(
            Redemption.code_id.is_not(None), Redemption.released_at.is_(None)
        )
        query = query.where(PromotionCode.id.in_(used))
    ids = list(session.scalars(query))
    if not ids:
        return 0
    session.execute(update(Redemption).where(Redemption.code_id.in_(ids)).values(code_id=None))
    session.execute(delete(PromotionCode).where(PromotionCode.id.in_(ids)))
    session.commit()
    return len(ids)
