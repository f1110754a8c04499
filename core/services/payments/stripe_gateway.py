"""The "stripe" gateway: PaymentIntents confirmed server-side with a PaymentMethod from Stripe.js.

Each charge carries its idempotency key twice: as Stripe's request option (Stripe replays the
first answer) and in the intent's metadata, where `find_charge` looks for it. Stand-ins such as
localstripe ignore the request option, so the app keeps its own idempotency in its database and
this class never relies on Stripe's.
"""

from __future__ import annotations

from typing import Any

import stripe

from core.services.payments.gateway import (
    NO_SUCH_PAYMENT,
    NOT_PAID,
    REFUND_UNAVAILABLE,
    Charge,
    ChargeRequest,
    GatewayUnavailable,
    IdempotencyConflict,
    PaymentDeclined,
    Refund,
    RefundRefused,
    declined_message,
    refund_too_large,
)

NEEDS_AUTHENTICATION = (
    "Your bank asks you to confirm this payment, which this page cannot do yet. "
    "Please use another card."
)

# Stripe's decline codes (and error codes for the same reasons), in our wording.
_DECLINE_REASONS = {
    "insufficient_funds": "insufficient funds",
    "expired_card": "the card has expired",
    "incorrect_cvc": "the security code (CVC) is incorrect",
    "incorrect_number": "the card number is incorrect",
    "lost_card": "the card was reported lost",
    "stolen_card": "the card was reported stolen",
    "card_velocity_exceeded": "the card's limit was reached",
}
_OVER_REFUND_CODES = {"charge_already_refunded", "amount_too_large"}


class StripeGateway:
    """Charges and refunds through Stripe's API (or a stand-in at `api_base`)."""

    name = "stripe"

    def __init__(
        self,
        api_key: str,
        api_base: str | None = None,
        *,
        timeout: float = 30.0,
        max_network_retries: int = 2,
        lookback: int = 1000,
    ) -> None:
        """`lookback`: how many recent PaymentIntents `find_charge` reads, at most."""
        self._http = stripe.RequestsClient(timeout=timeout)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else {},
            http_client=self._http,
            max_network_retries=max_network_retries,
        )
        self._lookback = lookback

    def close(self) -> None:
        """Close the HTTP connections this gateway keeps open."""
        self._http.close()  # type: ignore[no-untyped-call]  # stripe leaves it untyped

    def charge(self, request: ChargeRequest) -> Charge:
        """The succeeded Charge (reference: the PaymentIntent id) for `request.payment_method`.

        Raises PaymentDeclined with the card's decline reason, GatewayUnavailable when Stripe
        fails or does not answer, IdempotencyConflict when Stripe saw the key with other details.
        """
        if not request.payment_method:
            raise ValueError("a Stripe charge needs ChargeRequest.payment_method")
        key = request.idempotency_key
        try:
            intent = self._client.v1.payment_intents.create(
                {
                    "amount": request.amount,
                    "currency": request.currency.lower(),
                    "payment_method": request.payment_method,
                    # Cards only, so no redirect (return_url) is ever needed. API versions since
                    # 2026-09-30 refuse the older `payment_method_types` for this.
                    "allowed_payment_method_types": ["card"],
                    "confirm": True,
                    # The description goes in metadata: stand-ins refuse the `description` field.
                    "metadata": {"idempotency_key": key, "description": request.description[:500]},
                    "expand": ["latest_charge", "payment_method"],
                },
                {"idempotency_key": key},
            )
        except stripe.CardError as error:
            raise PaymentDeclined(_decline_text(error)) from error
        except stripe.IdempotencyError as error:
            raise IdempotencyConflict() from error
        except stripe.StripeError as error:
            raise GatewayUnavailable() from error
        charge = _to_charge(intent)
        if not charge.succeeded:
            raise PaymentDeclined(charge.failure_message)
        return charge

    def find_charge(self, idempotency_key: str) -> Charge | None:
        """The charge Stripe made for this key, read from the recent intents' metadata.

        A succeeded intent wins over failed ones (a stand-in that ignores idempotency keys may
        hold several); None if none of the last `lookback` intents carries the key.
        Raises GatewayUnavailable when Stripe fails or does not answer.
        """
        found: Charge | None = None
        try:
            intents = self._client.v1.payment_intents.list(
                {"limit": 100, "expand": ["data.latest_charge", "data.payment_method"]}
            )
            for seen, intent in enumerate(intents.auto_paging_iter()):
                if seen >= self._lookback:
                    break
                if _key_of(intent.metadata) != idempotency_key:
                    continue
                found = _to_charge(intent)
                if found.succeeded:
                    break
        except stripe.StripeError as error:
            raise GatewayUnavailable() from error
        return found

    def refund(self, charge_reference: str, amount: int, idempotency_key: str) -> Refund:
        """A refund of `amount` on the PaymentIntent `charge_reference`; the earlier one for a key.

        Raises RefundRefused when the intent is unknown, did not succeed or has less than
        `amount` left, GatewayUnavailable when Stripe fails or does not answer.
        """
        if amount <= 0:
            raise ValueError(f"refund amount must be positive, not {amount}")
        try:
            earlier = self._refund_for_key(charge_reference, idempotency_key)
            if earlier is not None:
                return earlier
            self._check_refundable(charge_reference, amount)
            refund = self._client.v1.refunds.create(
                {
                    "payment_intent": charge_reference,
                    "amount": amount,
                    "metadata": {"idempotency_key": idempotency_key},
                },
                {"idempotency_key": idempotency_key},
            )
        except stripe.InvalidRequestError as error:
            if error.code in _OVER_REFUND_CODES or error.param == "amount":
                raise RefundRefused(error.user_message or None) from error
            if error.code == "resource_missing" or error.http_status == 404:
                raise RefundRefused(NO_SUCH_PAYMENT) from error
            raise GatewayUnavailable(REFUND_UNAVAILABLE) from error
        except stripe.IdempotencyError as error:
            raise IdempotencyConflict() from error
        except stripe.StripeError as error:
            raise GatewayUnavailable(REFUND_UNAVAILABLE) from error
        return Refund(reference=refund.id, charge_reference=charge_reference, amount=refund.amount)

    def _refund_for_key(self, charge_reference: str, idempotency_key: str) -> Refund | None:
        refunds = self._client.v1.refunds.list({"payment_intent": charge_reference, "limit": 100})
        for refund in refunds.auto_paging_iter():
            if _key_of(refund.metadata) == idempotency_key:
                return Refund(refund.id, charge_reference, refund.amount)
        return None

    def _check_refundable(self, charge_reference: str, amount: int) -> None:
        """Refuse, clearly, what Stripe would refuse (stand-ins let over-refunds through)."""
        intent = self._client.v1.payment_intents.retrieve(
            charge_reference, {"expand": ["latest_charge"]}
        )
        charge = intent.latest_charge
        if intent.status != "succeeded" or charge is None or isinstance(charge, str):
            raise RefundRefused(NOT_PAID)
        left = charge.amount - (charge.amount_refunded or 0)
        if amount > left:
            raise refund_too_large(left, amount, charge.currency.upper())


def _key_of(metadata: stripe.StripeObject | None) -> str | None:
    # A StripeObject (stripe 16) is no dict: no .get(), but `in` and [] work.
    if metadata is None or "idempotency_key" not in metadata:
        return None
    key = metadata["idempotency_key"]
    return key if isinstance(key, str) else None


def _decline_text(error: stripe.StripeError) -> str:
    details = error.error
    for code in (details.decline_code if details else None, error.code):
        if code in _DECLINE_REASONS:
            return declined_message(_DECLINE_REASONS[code])
    return error.user_message or PaymentDeclined.default_message


def _card_of(intent: stripe.PaymentIntent) -> tuple[str, str]:
    """The card's brand and last four digits, from the charge or else the payment method."""
    card: Any = None
    charge = intent.latest_charge
    if charge is not None and not isinstance(charge, str):
        details = getattr(charge, "payment_method_details", None)
        card = getattr(details, "card", None) if details else None
    method = intent.payment_method
    if card is None and method is not None and not isinstance(method, str):
        card = getattr(method, "card", None)
    if card is None:
        return "", ""
    return str(getattr(card, "brand", "") or ""), str(getattr(card, "last4", "") or "")


def _to_charge(intent: stripe.PaymentIntent) -> Charge:
    # Confirmed card intents end up succeeded or back at requires_payment_method (declined);
    # anything else (requires_action for 3-D Secure) is not money received.
    brand, last4 = _card_of(intent)
    succeeded = intent.status == "succeeded"
    failure = ""
    if not succeeded:
        error = intent.last_payment_error
        if intent.status == "requires_action":
            failure = NEEDS_AUTHENTICATION
        elif error is not None:
            # getattr: stand-ins leave out fields Stripe always sends.
            code = getattr(error, "decline_code", None) or getattr(error, "code", None) or ""
            reason = _DECLINE_REASONS.get(code)
            failure = declined_message(reason) if reason else getattr(error, "message", "")
        failure = failure or PaymentDeclined.default_message
    return Charge(
        reference=intent.id,
        amount=intent.amount,
        currency=intent.currency.upper(),
        status="succeeded" if succeeded else "failed",
        card_brand=brand,
        last4=last4,
        failure_message=failure,
    )
