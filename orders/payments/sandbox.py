"""The sandbox hosted gateway: behaves like a real one, so a real one can replace it.

Two halves live here, and only the first is "us":

- ``SandboxProvider``, our side: ``start`` sends the buyer to the gateway's hosted page for
  one pending ``Payment`` (identified by its ``reference``); ``parse_callback`` verifies the
  gateway's signed server-to-server callback; ``refund`` makes a signed refund call.
- The gateway's side (``gateway_*``): its hosted page decides "pay" or "decline" for a
  reference once, records the decision (``SandboxCharge``, the gateway's own table), builds a
  callback, and delivers it by a Celery task that signs it and hands the raw body to the very
  function our HTTP callback view calls; its query API answers with the same signed body, so a
  lost delivery is found by asking (``SandboxProvider.query``). It knows nothing of orders or
  sessions: only the reference, the amount and the merchant it was given.

Signature, as a real gateway does it: header ``X-Sandbox-Signature: t=<unix time>,v1=<hex>``
where ``hex = HMAC-SHA256(ORDERS_SANDBOX_SECRET, "<t>." + raw body)``; compared in constant
time; a timestamp more than ``TOLERANCE_SECONDS`` away is refused (a captured callback cannot
be replayed later, and the event id catches replays within the window).
"""

import hashlib
import hmac
import json
import time
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from microstore.errors import DomainError
from microstore.money import quantize
from microstore.queue import enqueue_on_commit
from orders.models import Payment, PaymentMethod, SandboxCharge
from orders.payments.base import (
    GatewayCallback,
    InvalidCallback,
    PaymentProvider,
    register_provider,
)

SIGNATURE_HEADER = "X-Sandbox-Signature"
TOLERANCE_SECONDS = 5 * 60
SUCCEEDED, FAILED = "succeeded", "failed"


def _secret() -> bytes:
    return settings.ORDERS_SANDBOX_SECRET.encode()


def _mac(body: bytes, timestamp: int) -> str:
    return hmac.new(_secret(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(body: bytes, *, timestamp: int | None = None) -> str:
    """The signature header's value for ``body``, signed now (or at ``timestamp``)."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={timestamp},v1={_mac(body, timestamp)}"


def verify(body: bytes, header: str, *, now: float | None = None) -> None:
    """Raise ``InvalidCallback`` unless ``header`` signs ``body`` with our secret, recently."""
    if not header:
        raise InvalidCallback("missing signature")
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidCallback("malformed signature header")
    expected = _mac(body, timestamp)
    # Constant time, and every v1 given (a gateway rotating its secret sends two).
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise InvalidCallback("signature does not match")
    now = time.time() if now is None else now
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidCallback("signature timestamp outside the tolerance")


def _header(headers, name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


class SandboxProvider(PaymentProvider):
    code = PaymentMethod.SANDBOX
    hosted = True

    def start(self, *, order, request, payment=None):
        if payment is None:
            raise ValueError("The sandbox gateway needs the pending payment to start.")
        return reverse("orders:sandbox-gateway", kwargs={"reference": payment.reference})

    def parse_callback(self, *, body: bytes, headers, now=None) -> GatewayCallback:
        verify(body, _header(headers, SIGNATURE_HEADER), now=now)
        try:
            payload = json.loads(body.decode("utf-8"))
            reference = str(uuid.UUID(str(payload["reference"])))
            amount = quantize(Decimal(str(payload["amount"])))
            status = payload["status"]
            event_id = str(payload["event_id"])
            currency = str(payload["currency"])
            transaction_id = str(payload.get("transaction_id", ""))
        except (UnicodeDecodeError, ValueError, TypeError, KeyError, InvalidOperation) as exc:
            raise InvalidCallback(f"unreadable payload: {exc!r}") from None
        if status not in (SUCCEEDED, FAILED) or not event_id or len(event_id) > 64:
            raise InvalidCallback("unknown status or bad event id")
        if not amount.is_finite():
            raise InvalidCallback("amount is not a number")
        return GatewayCallback(
            event_id=event_id,
            reference=reference,
            amount=amount,
            currency=currency,
            succeeded=status == SUCCEEDED,
            transaction_id=transaction_id[:64],
            kind=f"payment.{status}",
            payload=payload,
        )

    def query(self, *, payment) -> GatewayCallback | None:
        """The gateway's query API: what the buyer decided for ``payment``, answered with the
        same signed body its callback carries (verified the same way), or None."""
        answer = gateway_query_endpoint(payment.reference)
        if answer is None:
            return None
        body, signature = answer
        return self.parse_callback(body=body, headers={SIGNATURE_HEADER: signature})

    def refund(self, *, order, payment, amount):
        """A signed refund call to the gateway (simulated: the gateway's endpoint is a local
        function that checks the signature as a real one would)."""
        if payment is None:
            raise DomainError(_("This order has no online payment to refund."))
        body = json.dumps(
            {
                "reference": str(payment.reference),
                "transaction_id": payment.provider_reference,
                "amount": f"{quantize(amount):.2f}",
                "currency": payment.currency,
                "idempotency_key": uuid.uuid4().hex,
            },
            separators=(",", ":"),
            sort_keys=True,
        ).encode()
        return gateway_refund_endpoint(body, {SIGNATURE_HEADER: sign(body)})


register_provider(SandboxProvider())


# --- the gateway's own side ---------------------------------------------------------------------


def gateway_payment(reference) -> Payment | None:
    """What the gateway knows of a payment intent: reference, amount, merchant."""
    return (
        Payment.objects.select_related("order__shop")
        .filter(reference=reference, provider=PaymentMethod.SANDBOX)
        .first()
    )


def gateway_callback_body(*, payment: Payment, succeeded: bool, now: float | None = None) -> str:
    """The callback the gateway sends when the buyer presses "Pay" or "Decline"."""
    now = int(time.time() if now is None else now)
    return json.dumps(
        {
            "event_id": f"evt_{uuid.uuid4().hex}",
            "type": f"payment.{SUCCEEDED if succeeded else FAILED}",
            "reference": str(payment.reference),
            "amount": f"{payment.amount:.2f}",
            "currency": payment.currency,
            "status": SUCCEEDED if succeeded else FAILED,
            "transaction_id": f"sbx-tx-{uuid.uuid4().hex[:20]}",
            "created": now,
        },
        separators=(",", ":"),
        sort_keys=True,
    )


def gateway_is_open(payment: Payment) -> bool:
    """Whether the hosted page still offers "Pay" and "Decline": the first decision is final."""
    return (
        payment.status == Payment.Status.PENDING
        and not SandboxCharge.objects.filter(reference=payment.reference).exists()
    )


def gateway_decide(*, payment: Payment, succeeded: bool) -> None:
    """The buyer pressed "Pay" or "Decline" on the hosted page: the gateway records the first
    decision for the reference (a second press changes nothing) and delivers its callback
    server-to-server, by a task, once this transaction commits."""
    from orders.tasks import sandbox_deliver_callback

    charge, _created = SandboxCharge.objects.get_or_create(
        reference=payment.reference,
        defaults={"body": gateway_callback_body(payment=payment, succeeded=succeeded)},
    )
    enqueue_on_commit(sandbox_deliver_callback, body=charge.body)


def gateway_query_endpoint(reference) -> tuple[bytes, str] | None:
    """The gateway's query API: the decided charge's callback body and its signature, or None
    while the buyer has not decided."""
    charge = SandboxCharge.objects.filter(reference=reference).first()
    if charge is None:
        return None
    body = charge.body.encode()
    return body, sign(body)


def gateway_refund_endpoint(body: bytes, headers) -> str:
    """The gateway's refund API: refuses unsigned calls, answers with its refund id."""
    try:
        verify(body, _header(headers, SIGNATURE_HEADER))
    except InvalidCallback as exc:
        raise DomainError(_("The payment gateway refused the refund.")) from exc
    return f"sbx-rf-{uuid.uuid4()}"
