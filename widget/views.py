"""The client booking flow: choose a type, a day and a time, log in, review, confirm."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from core.models import Location, ServiceType, TimeSlot
from core.services import availability, read_cache
from core.services import checkout as checkout_service
from core.services.accounts import RegistrationClosed
from core.services.booking import book, hold_slot
from core.services.booking_answers import BookingAnswers, booking_answers, reasons_to_ask
from core.services.errors import BookingError, HoldExpired, InvalidDetails
from core.services.preferences import kind_preferences
from core.services.promotions import CodeNoLongerValid
from core.services.questions import questions_to_ask
from web.auth import current_client, session_client_id
from web.booking_mail import booking_mailer
from web.clock import now
from web.extensions import csrf, db
from web.form_input import row_id
from web.htmx import htmx_target
from web.waitlist import waitlist_mail
from widget import bp
from widget.embedding import visit_attribution
from widget.forms import (
    HoldForm,
    LoginForm,
    chosen_id,
    question_answers,
    review_form_class,
    show_field_errors,
)
from widget.handoff import cookies_refused, hand_off
from widget.holds import current_hold, forget_hold, held_slot, remember_hold
from widget.organizations import current_organization, offered_type
from widget.picker import build_day, build_picker, parse_day, parse_month
from widget.promo import (
    code_shown,
    code_to_redeem,
    forget_code,
    promo_context,
    promo_field_offered,
    remember_code_shown,
    typed_code,
)
from widget.views_account import new_register_form
from widget.views_waitlist import waitlist_offer

Page = str | tuple[str, int] | Response
UNKNOWN_LOCATION = "We could not find that location. Please choose one from the list."


@bp.get("/")
def index() -> Response:
    """The widget's front door."""
    return redirect(url_for(".choose_type"))


def _chosen_location(locations: list[Location]) -> Location | None:
    """The location in ?location=, the only one there is, or None (the client must choose)."""
    location_id = request.args.get("location", type=row_id)
    if location_id is None:
        return locations[0] if len(locations) == 1 else None
    location = availability.location(db.session, location_id)
    if location is None:
        abort(404, UNKNOWN_LOCATION)
    return location


@bp.get("/book")
def choose_type() -> Page:
    """Step 1: the studio's online session and appointment types (after a location, if several)."""
    organization = current_organization()
    locations = availability.locations_offering(db.session, None, now(), organization=organization)
    location = _chosen_location(locations)
    if location is None and len(locations) > 1:
        return render_template(
            "widget/choose_location.html", locations=locations, service_type=None
        )
    service_types = availability.online_service_types(
        db.session,
        now=now(),
        location_id=location.id if location else None,
        organization=organization,
    )
    return render_template(
        "widget/choose_type.html",
        service_types=service_types,
        location=location,
        several_locations=len(locations) > 1,
    )


@bp.get("/book/<slug>")
def book_type(slug: str) -> Page:
    """Step 2 (and the deep link): a month of days with times, and the chosen day's times.

    The picker's own htmx requests (a day, another month) name their location when the type is
    offered at several, so they skip the question of which locations offer it (the slowest
    query of a large studio); a day's click answers with that day's times only."""
    service_type = offered_type(slug)
    not_before = availability.earliest_start(db.session, service_type.kind, now())
    target = htmx_target()
    picked = _picker_location() if target in ("day-times", "slot-picker") else None
    if picked is not None:
        location, several_locations = picked
    else:
        locations = availability.locations_offering(
            db.session,
            service_type.id,
            now(),
            not_before=not_before,
            organization=current_organization(),
        )
        location, several_locations = _chosen_location(locations), len(locations) > 1
        if location is None:
            template = "widget/choose_location.html" if locations else "widget/no_times.html"
            return render_template(template, locations=locations, service_type=service_type)
    day = parse_day(request.args.get("day"))
    if target == "day-times" and day is not None:
        picker = build_day(
            db.session,
            service_type,
            location,
            now=now(),
            day=day,
            not_before=not_before,
            organization=current_organization(),
        )
        return render_template(
            "widget/_day_times.html", picker=picker, waitlist=waitlist_offer(picker)
        )
    picker = build_picker(
        db.session,
        service_type,
        location,
        now=now(),
        month=parse_month(request.args.get("month")),
        day=day,
        not_before=not_before,
        organization=current_organization(),
        with_full_days=True,
    )
    context = {
        "picker": picker,
        "service_type": service_type,
        "several_locations": several_locations,
        "waitlist": waitlist_offer(picker),
    }
    if target == "slot-picker":
        return render_template("widget/_slot_picker.html", **context)
    return render_template("widget/book_type.html", **context)


def _picker_location() -> tuple[Location, bool] | None:
    """The location of a picker's htmx request, and whether the type is offered at several:
    the one in ?location= (the picker names it when there are several), else the studio's only
    location; None when the request does not say (the page's own choice then applies)."""
    if request.args.get("location") is not None:
        return _chosen_location([]) or abort(404, UNKNOWN_LOCATION), True
    location = availability.sole_location(db.session)
    return (location, False) if location is not None else None


@bp.post("/book/<slug>/hold")
@csrf.exempt  # checked here, unless the browser refused the page's cookie (widget.handoff)
def hold(slug: str) -> Page:
    """Step 3: hold the chosen time while the client logs in and confirms."""
    cookieless = cookies_refused()
    if not cookieless:
        csrf.protect()
    service_type = offered_type(slug)
    form = HoldForm(meta={"csrf": False})
    if not form.validate():
        abort(400, "Please choose a time from the list.")
    try:
        new_hold = hold_slot(
            db.session,
            slot_id=form.slot_id.data,
            service_type_id=service_type.id,
            now=now(),
            hold_for=timedelta(minutes=current_app.config["HOLD_MINUTES"]),
            release=current_hold(),
            earliest_start=availability.earliest_start(db.session, service_type.kind, now()),
            organization=current_organization(),
            waitlist=waitlist_mail(),  # the time given back is an opening
            client_id=session_client_id(),
        )
    except BookingError as error:
        return _back_to_picker(service_type, form.slot_id.data, error)
    if cookieless:  # the browser keeps no cookie for this frame: on in a window of its own
        return hand_off(new_hold, service_type)
    remember_hold(new_hold)
    return redirect(url_for(".checkout"), 303)


def _back_to_picker(service_type: ServiceType, slot_id: int | None, error: BookingError) -> Page:
    """The picker again, on the day of the slot that could not be held, with the reason."""
    db.session.rollback()
    slot = db.session.get(TimeSlot, slot_id) if slot_id else None
    if slot is None or service_type not in slot.service_types:
        return render_template(
            "widget/problem.html",
            message=str(error),
            back_url=url_for(".book_type", slug=service_type.slug),
        ), error.status_code
    location = slot.location
    picker = build_picker(
        db.session,
        service_type,
        location,
        now=now(),
        month=None,
        day=slot.start_at.astimezone(ZoneInfo(location.timezone)).date(),
        not_before=availability.earliest_start(db.session, service_type.kind, now()),
        organization=current_organization(),
    )
    return render_template(
        "widget/book_type.html",
        picker=picker,
        service_type=service_type,
        several_locations=False,
        error=str(error),
    ), error.status_code


def _held_slot() -> tuple[TimeSlot, ServiceType] | None:
    hold = current_hold()
    if hold is None:
        return None
    slot = held_slot(hold)
    service_type = read_cache.get(db.session, ServiceType, hold.service_type_id)
    if slot is None or service_type is None:
        forget_hold()
        return None
    return slot, service_type


def held_booking_context(*, need_client: bool = True, priced: bool = True) -> dict[str, Any] | Page:
    """What the later steps show (held slot, type, hold and, if `priced`, the quote), or where
    to go instead: the start without a hold, an expiry notice, or the account step without a
    login."""
    held = _held_slot()
    hold = current_hold()
    if held is None or hold is None:
        flash("Please choose a session and a time first.", "info")
        return redirect(url_for(".choose_type"), 303)
    slot, service_type = held
    if hold.held_until <= now():
        return _hold_expired(service_type)
    if need_client and current_client() is None:
        return redirect(url_for(".checkout"), 303)
    context = {"slot": slot, "service_type": service_type, "hold": hold}
    return with_quote(context) if priced else context


def with_quote(context: dict[str, Any]) -> dict[str, Any]:
    """`context` with the booking's price as the client is shown it (the quote, after the
    promotions, and the promo code field), remembered as what they saw (`code_to_redeem`)."""
    service_type, hold = context["service_type"], context["hold"]
    client = current_client()
    quote = checkout_service.quote(
        db.session,
        service_type,
        slot=context["slot"],
        client_id=client.id if client is not None else None,
        code=typed_code() if promo_field_offered(service_type) else "",
        now=now(),
    )
    remember_code_shown(hold, code_to_redeem(service_type, quote))
    return {**context, "quote": quote, **promo_context(service_type, quote)}


@bp.get("/book/checkout")
def checkout() -> Page:
    """Step 4: log in or create an account (if needed), then review the booking and its price."""
    context = held_booking_context(need_client=False)
    if not isinstance(context, dict):
        return context
    if current_client() is None:
        next_url = url_for(".checkout")
        try:
            register_form = new_register_form(next=next_url)
        except RegistrationClosed as closed:
            register_form, context["registration_closed"] = None, str(closed)
        return render_template(
            "widget/account.html",
            login_form=LoginForm(next=next_url),
            register_form=register_form,
            **context,
        )
    return render_template("widget/review.html", form=_review_form(context), **context)


def _review_form(context: dict[str, Any]) -> FlaskForm:
    """The kind's questions (the studio's own, notes, "Why are you booking?"), with what the
    client answered; `form.questions` are the studio's questions asked, in order."""
    kind = context["service_type"].kind
    questions = questions_to_ask(db.session, kind)
    form_class = review_form_class(
        kind_preferences(db.session, kind).notes_mode, reasons_to_ask(db.session, kind), questions
    )
    saved = session.get(_ANSWERS, {})
    if request.method == "POST" or not isinstance(saved, dict):
        form = form_class()
    else:
        form = form_class(
            data={
                **_saved_questions(saved),
                "notes": saved.get("notes", ""),
                "reason": str(saved.get("reason_id") or ""),
            }
        )
    form.questions = questions  # type: ignore[attr-defined]
    return form


def _saved_questions(saved: dict[str, Any]) -> dict[str, str]:
    """The answers to the studio's questions kept in the session, by field name."""
    typed = saved.get("questions")
    if not isinstance(typed, dict):
        return {}
    return {str(k): str(v) for k, v in typed.items() if str(k).startswith("question_")}


_ANSWERS = "booking_answers"


def remembered_answers(context: dict[str, Any]) -> BookingAnswers:
    """The review step's answers kept for the pay step, checked again with the kind's defaults.
    Raises InvalidDetails when a required answer is missing (back to the review step)."""
    saved = session.get(_ANSWERS)
    saved = saved if isinstance(saved, dict) else {}
    reason_id = saved.get("reason_id")
    return booking_answers(
        db.session,
        context["service_type"].kind,
        notes=str(saved.get("notes", "")),
        reason_id=reason_id if isinstance(reason_id, int) else None,
        typed=_saved_questions(saved),
    )


def forget_answers() -> None:
    session.pop(_ANSWERS, None)


def _hold_expired(service_type: ServiceType) -> tuple[str, int]:
    forget_hold()
    return render_template(
        "widget/problem.html",
        message=HoldExpired.default_message,
        back_url=url_for(".book_type", slug=service_type.slug),
        back_label="Choose a time again",
    ), HoldExpired.status_code


@bp.post("/book/confirm")
def confirm() -> Page:
    """Step 5: book the held slot for the logged-in client (payment first, if any is due)."""
    context = held_booking_context(priced=False)
    if not isinstance(context, dict):
        return context
    form = _review_form(context)
    valid = form.validate()  # CSRF and the fields' own checks; core says what is accepted
    notes = form.notes.data or "" if "notes" in form else ""
    typed = question_answers(form, form.questions)  # type: ignore[attr-defined]
    try:
        answers = booking_answers(
            db.session,
            context["service_type"].kind,
            notes=notes,
            reason_id=chosen_id(form, "reason"),
            typed=typed,
            questions=form.questions,  # type: ignore[attr-defined]
        )
    except InvalidDetails as error:
        show_field_errors(form, error.errors)
        return _review_again(form, context, error)
    if not valid:
        return render_template("widget/review.html", form=form, **with_quote(context)), 400
    session[_ANSWERS] = {
        "notes": answers.notes,
        "reason_id": answers.reason_id,
        "questions": {name: value.strip() for name, value in typed.items() if value.strip()},
    }
    service_type, hold = context["service_type"], context["hold"]
    code = code_shown(hold)
    if code is None or not checkout_service.nothing_due_online(service_type):
        # Something may be due online, or the client saw no price for this hold: price it now.
        context = with_quote(context)
        if context["quote"].due.amount > 0:
            return redirect(url_for(".pay"), 303)
        code = code_to_redeem(service_type, context["quote"])
    # Otherwise nothing is due online, whatever the price: the booking is priced once, under
    # the promotions' locks, with the code the review step showed as applying.
    try:
        booking = book(
            db.session,
            slot_id=context["slot"].id,
            service_type_id=service_type.id,
            client_id=current_client().id,  # type: ignore[union-attr]
            now=now(),
            hold=hold,
            notes=answers.notes,
            reason_id=answers.reason_id,
            description=answers.description,
            booked_by_id=answers.booked_by_id,
            answers=answers.questions,
            promo_code=code,
            mailer=booking_mailer(),
            attribution=visit_attribution(),
        )
    except HoldExpired:
        return _hold_expired(service_type)
    except CodeNoLongerValid as error:  # the time stays held: the review again, priced afresh
        return _review_again(form, context, error)
    except BookingError as error:
        forget_hold()
        return render_template(
            "widget/problem.html",
            message=str(error),
            back_url=url_for(".book_type", slug=service_type.slug),
            back_label="Choose another time",
        ), error.status_code
    forget_hold()
    forget_answers()
    forget_code()
    return redirect(url_for(".confirmed", public_id=booking.public_id), 303)


def _review_again(form: FlaskForm, context: dict[str, Any], error: BookingError) -> Page:
    """The review step again with what stopped the booking: the answers' errors on their
    fields, or a code that no longer applies above the price (as it is now)."""
    message = None if isinstance(error, InvalidDetails) else str(error)
    page = render_template("widget/review.html", form=form, error=message, **with_quote(context))
    return page, error.status_code


from widget import (  # noqa: E402, F401  (more routes)
    embedding,
    organizations,
    views_account,
    views_calendar,
    views_files,
    views_images,
    views_my_bookings,
    views_pay,
    views_theme,
    views_waitlist,
)
