"""The demo studio: two locations in different timezones, six types, six weeks of open slots."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core.models import (
    AnswerType,
    BookedVia,
    Booking,
    BookingQuestion,
    Client,
    DiscountKind,
    FieldMode,
    InvoicePreferences,
    KindPreferences,
    ListChoice,
    ListKind,
    Location,
    Organization,
    PaymentOption,
    PriceCategory,
    PriceListItem,
    Promotion,
    PromotionCode,
    PromotionQualifier,
    Resource,
    ServiceKind,
    ServiceType,
    ServiceTypeItem,
    SlotAccess,
    Staff,
    StaffRole,
    Studio,
    TimeSlot,
    service_type_promo_item,
)
from core.services.accounts import hash_password
from core.services.invoicing import create_invoice_for_booking
from core.services.settings import ensure_default_lists
from core.services.slots import build_slot

DEMO_STAFF_EMAIL = "demo@studiobook.test"
DEMO_STAFF_PASSWORD = "demo-studio"
DEMO_ASSISTANT_EMAIL = "sam@studiobook.test"  # same password as the demo staff
DEMO_CLIENT_PASSWORD = "demo-client"
WEEKS = 6
# Lincoln High School's pre-loaded students (password DEMO_CLIENT_PASSWORD).
DEMO_STUDENTS = [("Jordan Lee", "jordan@example.com"), ("Maya Chen", "maya@example.com")]

_TYPES = [
    # kind, internal name, online name, slug, minutes, display price (cents), online, description
    (
        ServiceKind.SESSION,
        "FAM",
        "Family Portrait Session",
        "family-portrait",
        60,
        15000,
        True,
        "An hour in the studio for up to six people, with two backdrops and a quick preview of "
        "your favourite shots before you leave.",
    ),
    (
        ServiceKind.SESSION,
        "NEWB",
        "Newborn Session",
        "newborn",
        90,
        25000,
        True,
        "A calm, warm studio for babies up to three weeks old. Props and wraps provided; "
        "take all the breaks you need.",
    ),
    (
        ServiceKind.SESSION,
        "HEAD",
        "Professional Headshots",
        "headshots",
        30,
        9500,
        True,
        "Half an hour, three looks, retouched digital files for LinkedIn, your website and press.",
    ),
    (
        ServiceKind.SESSION,
        "COUP",
        "Couples & Engagement",
        "couples",
        60,
        17500,
        True,
        "Relaxed portraits for two, in the studio or by the window light. Pets welcome.",
    ),
    (ServiceKind.SESSION, "PASS", "Passport photos (walk-in)", "passport", 15, 1500, False, ""),
    (
        ServiceKind.APPOINTMENT,
        "CONS",
        "Free Consultation",
        "consultation",
        30,
        None,
        True,
        "Meet your photographer, see sample albums and plan your session. No charge.",
    ),
    (
        ServiceKind.APPOINTMENT,
        "VIEW",
        "Viewing & Ordering",
        "viewing",
        45,
        None,
        True,
        "See your finished photos on the big screen and choose prints, albums and frames.",
    ),
]


def seed_demo(session: Session, *, now: datetime) -> bool:
    """Create the demo studio unless a studio exists. Returns True if it created anything."""
    if session.scalar(select(Studio.id).limit(1)) is not None:
        return False
    session.add(Studio(name="Northlight Photo Studio", currency="USD", locale="en_US"))
    brooklyn = Location(
        name="brooklyn",
        display_name="Northlight Brooklyn",
        address="214 Wythe Avenue, Brooklyn, NY 11249, USA",
        timezone="America/New_York",
    )
    london = Location(
        name="london",
        display_name="Northlight London",
        address="12 Redchurch Street, London E2 7DJ, United Kingdom",
        timezone="Europe/London",
    )
    studio_a = Resource(name="Studio A", location=brooklyn, address=brooklyn.address)
    studio_b = Resource(name="Studio B (nursery)", location=brooklyn, address=brooklyn.address)
    main = Resource(name="Main Studio", location=london, address=london.address)
    types = {
        slug: ServiceType(
            kind=kind,
            name=name,
            online_name=online_name,
            slug=slug,
            duration_minutes=minutes,
            display_price=price,
            online=online,
            marketing_description=description,
        )
        for kind, name, online_name, slug, minutes, price, online, description in _TYPES
    }
    session.add_all([brooklyn, london, studio_a, studio_b, main, *types.values()])
    dana = Staff(
        name="Dana Demo",
        email=DEMO_STAFF_EMAIL,
        password_hash=hash_password(DEMO_STAFF_PASSWORD),
        role=StaffRole.ADMINISTRATOR,
        slot_access=SlotAccess.FULL,
        can_edit_preferences=True,
    )
    # An assistant for the tour of the security options: overridable slots only, no preferences.
    sam = Staff(
        name="Sam Assistant",
        email=DEMO_ASSISTANT_EMAIL,
        password_hash=hash_password(DEMO_STAFF_PASSWORD),
        role=StaffRole.STAFF,
        slot_access=SlotAccess.MODIFY_OVERRIDABLE,
        can_edit_preferences=False,
    )
    session.add_all([dana, sam])
    _billing(session, types, dana)
    _promotions(session, now=now)
    session.add_all(_session_questions())
    hourly = [
        types[s] for s in ("family-portrait", "headshots", "couples", "consultation", "viewing")
    ]
    plans = [
        (studio_a, [time(h) for h in (9, 10, 11, 13, 14, 15, 16)], 60, hourly),
        (studio_b, [time(9, 30), time(13, 0)], 90, [types["newborn"]]),
        (main, [time(h) for h in (10, 11, 12, 14, 15)], 60, hourly[:4]),
    ]
    slots: list[TimeSlot] = []
    for resource, starts, minutes, served in plans:
        today = now.astimezone(ZoneInfo(resource.location.timezone)).date()
        for offset in range(1, WEEKS * 7 + 1):
            day = today + timedelta(days=offset)
            if day.weekday() == 6:  # closed on Sundays
                continue
            slots += [build_slot(resource, day, start, minutes, served) for start in starts]
    session.add_all(slots)
    password = hash_password(DEMO_CLIENT_PASSWORD)
    clients = [
        Client(name=name, email=email, phone=phone, password_hash=password, created_at=now)
        for name, email, phone in [
            ("Alex Rivera", "alex@example.com", "+1 718 555 0142"),
            ("Priya Shah", "priya@example.com", "+44 20 7946 0321"),
            ("Sam Okafor", "sam@example.com", "+1 347 555 0199"),
        ]
    ]
    session.add_all(clients)
    _lincoln_high(session, brooklyn, password, now=now)
    session.flush()
    for client, slot in zip(clients, slots[3::40], strict=False):
        slot.state = slot.state.BOOKED
        booking = Booking(
            client=client,
            slot=slot,
            service_type=slot.service_types[0],
            booked_via=BookedVia.STAFF,
            created_at=now,
            description="Booked by phone",
        )
        session.add(booking)
        session.flush()
        if booking.service_type.auto_create_invoice:
            create_invoice_for_booking(session, booking, now=now, description="Booked by phone")
    session.commit()
    return True


def _lincoln_high(session: Session, location: Location, password: str, *, now: datetime) -> None:
    """An organization booking through its own link (/o/lincoln-high): a school portrait type
    that is not public, picture days on Tuesdays and Thursdays of the next two weeks, and two
    pre-loaded students (new accounts are forbidden)."""
    portrait = ServiceType(
        kind=ServiceKind.SESSION,
        name="SCHOOL",
        online_name="School portrait",
        slug="school-portrait",
        duration_minutes=15,
        online=False,
        marketing_description="Fifteen minutes for your yearbook portrait and a few extra poses "
        "for the family. Wear what you like; we bring the backdrop.",
    )
    lincoln = Organization(
        name="Lincoln High School",
        slug="lincoln-high",
        welcome="Picture days at Lincoln High! Choose a time for your yearbook portrait. "
        "Log in with the details the school sent you.",
        active=True,
        allow_new_accounts=False,
        include_public_slots=False,
        service_types=[portrait],
    )
    gym = Resource(name="Lincoln High gym", location=location, address="Lincoln High School")
    session.add_all([portrait, lincoln, gym])
    session.flush()
    today = now.astimezone(ZoneInfo(location.timezone)).date()
    picture_days = [
        today + timedelta(days=offset)
        for offset in range(1, 15)
        if (today + timedelta(days=offset)).weekday() in (1, 3)  # Tuesdays and Thursdays
    ]
    for day in picture_days:
        for n in range(8):  # 9:00 to 10:45, every 15 minutes
            slot = build_slot(gym, day, time(9 + n // 4, 15 * (n % 4)), 15, [portrait])
            slot.organization_id = lincoln.id
            session.add(slot)
    session.add_all(
        Client(
            name=name,
            email=email,
            password_hash=password,
            created_at=now,
            organization_id=lincoln.id,
        )
        for name, email in DEMO_STUDENTS
    )


_PRICE_LIST = [
    # code, name, category, price (cents)
    ("SF-FAM", "Family session fee", PriceCategory.SESSION_FEE, 15000),
    ("SF-NEWB", "Newborn session fee", PriceCategory.SESSION_FEE, 25000),
    ("SF-HEAD", "Headshot session fee", PriceCategory.SESSION_FEE, 9500),
    ("SF-COUP", "Couples session fee", PriceCategory.SESSION_FEE, 17500),
    ("PR-5X7", "5x7 print", PriceCategory.PRODUCT, 2000),
    ("RETOUCH", "Retouched digital file", PriceCategory.SERVICE, 2500),
    ("ALBUM-S", "Small album (20 pages)", PriceCategory.PACKAGE, 39000),
    ("GIFT-100", "Gift card $100", PriceCategory.GIFT_CARD, 10000),
    # Seed 000: "Enter FREE810 when booking to get a free 8x10 of your choice!" (a promo item).
    ("FREE810", "Free 8x10 print", PriceCategory.PROMOTIONAL, 0),
]


def _session_questions() -> list[BookingQuestion]:
    """The studio's own questions for sessions (Sessions tab): one optional, one required."""
    return [
        BookingQuestion(
            kind=ServiceKind.SESSION,
            label="Who is in the photo?",
            help_text="First names are enough, so your photographer can greet everyone.",
            answer_type=AnswerType.TEXT,
            mode=FieldMode.OPTIONAL,
            position=0,
        ),
        BookingQuestion(
            kind=ServiceKind.SESSION,
            label="Outfit changes",
            help_text="How many outfits you plan to bring.",
            answer_type=AnswerType.CHOICE,
            choices="1\n2\n3",
            mode=FieldMode.REQUIRED,
            position=1,
        ),
    ]


def _promotions(session: Session, *, now: datetime) -> None:
    """Seed 000's examples: "FSF" for a free session fee, shown on the Sessions tab's field."""
    session.add(KindPreferences(kind=ServiceKind.SESSION, promo_code_mode=FieldMode.OPTIONAL))
    free_fee = Promotion(
        name="Free session fee",
        description="Flyer: use FSF to get your next session fee free",
        external_id="DEMO-FSF",
        discount_kind=DiscountKind.FREE,
        created_at=now,
    )
    weekend = Promotion(
        name="Weekend 20% off",
        external_id="DEMO-WKND",
        discount_kind=DiscountKind.PERCENT,
        percent=Decimal(20),
        weekdays="5",  # Saturdays (closed on Sundays)
        created_at=now,
    )
    session.add_all([free_fee, weekend])
    session.flush()
    for promotion, code in ((free_fee, "FSF"), (weekend, "WEEKEND")):
        session.add(
            PromotionQualifier(promotion_id=promotion.id, category=PriceCategory.SESSION_FEE)
        )
        session.add(PromotionCode(promotion_id=promotion.id, code=code, created_at=now))


def _billing(session: Session, types: dict[str, ServiceType], sales_rep: Staff) -> None:
    """The demo's price list and one service type for each way of paying online."""
    items = {
        code: PriceListItem(code=code, name=name, category=category, price=price)
        for code, name, category, price in _PRICE_LIST
    }
    session.add_all(items.values())
    plans = {
        # slug: (items with quantities, payment option, amount)
        "family-portrait": ([("SF-FAM", 1)], PaymentOption.FULL_AMOUNT, None),
        "newborn": ([("SF-NEWB", 1)], PaymentOption.DEPOSIT, 5000),
        "headshots": ([("SF-HEAD", 1)], PaymentOption.LISTED_AMOUNT, 5000),
        "couples": ([("SF-COUP", 1)], None, None),
    }
    for slug, (entries, option, amount) in plans.items():
        service_type = types[slug]
        service_type.auto_create_invoice = True
        service_type.online_payment_required = option is not None
        service_type.payment_option = option
        service_type.payment_amount = amount
        service_type.items = [
            ServiceTypeItem(item=items[code], quantity=quantity, position=position)
            for position, (code, quantity) in enumerate(entries)
        ]
    session.flush()
    session.execute(  # family sessions offer the FREE810 promo item (seed 000)
        insert(service_type_promo_item).values(
            service_type_id=types["family-portrait"].id, item_id=items["FREE810"].id
        )
    )
    ensure_default_lists(session)
    lists = {(c.kind, c.name): c for c in session.scalars(select(ListChoice))}
    session.add(
        InvoicePreferences(
            default_description="Booked online",
            default_status=lists[(ListKind.INVOICE_STATUS, "Open")],
            default_classification=lists[(ListKind.INVOICE_CLASSIFICATION, "Session fee")],
            default_sales_rep=sales_rep,
            default_payment_method=lists[(ListKind.PAYMENT_METHOD, "Credit card")],
        )
    )
