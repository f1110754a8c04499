"""The promotions engine: one set of rules for the widget and the admin (seeds 000, 003, 004).

Plain dataclasses in (`model`), plain dataclasses out; no database, no clock of its own.
`apply_promotions` chooses, from a list of offers or an `OfferIndex` of them built once for
many evaluations; `check_code` words the answer to a typed code; `messages` holds every sentence
a client reads.
"""

from core.rules.promotions.codes import (
    CODE_FORMAT,
    CodeCheck,
    State,
    check_code,
    generate_code,
    is_well_formed,
    normalize_code,
    nothing_to_pay,
    paid_with_coupon,
    state,
)
from core.rules.promotions.engine import apply_promotions
from core.rules.promotions.index import OfferIndex
from core.rules.promotions.messages import unknown_code
from core.rules.promotions.model import (
    ApplyTo,
    Benefit,
    BookingFacts,
    CartLine,
    Channel,
    ClientFacts,
    DiscountKind,
    Offer,
    Promotion,
    Qualified,
    Requirement,
    RequirementKind,
    Settings,
    Usage,
)
from core.rules.promotions.outcome import (
    Applied,
    NotApplied,
    Outcome,
    PricedLine,
)
from core.rules.promotions.times import (
    Hours,
    Window,
)

__all__ = [
    "CODE_FORMAT",
    "Applied",
    "ApplyTo",
    "Benefit",
    "BookingFacts",
    "CartLine",
    "Channel",
    "ClientFacts",
    "CodeCheck",
    "DiscountKind",
    "Hours",
    "NotApplied",
    "Offer",
    "OfferIndex",
    "Outcome",
    "PricedLine",
    "Promotion",
    "Qualified",
    "Requirement",
    "RequirementKind",
    "Settings",
    "State",
    "Usage",
    "Window",
    "apply_promotions",
    "check_code",
    "generate_code",
    "is_well_formed",
    "normalize_code",
    "nothing_to_pay",
    "paid_with_coupon",
    "state",
    "unknown_code",
]
