"""The interface every payment provider implements, and the registry of providers."""

from dataclasses import dataclass, field
from decimal import Decimal


class InvalidCallback(Exception):
    """A callback we cannot trust or read: bad or missing signature, too old, malformed.
    Answered with 400 and changes nothing."""


@dataclass(frozen=True)
class GatewayCallback:
    """What a provider's verified callback says, in our words, whatever its wire format."""

    event_id: str
    reference: str  # our Payment.reference, echoed back by the gateway
    amount: Decimal
    currency: str
    succeeded: bool
    transaction_id: str = ""
    kind: str = ""
    payload: dict = field(default_factory=dict)


class PaymentProvider:
    """How an order is paid and refunded.

    - ``start`` begins paying an order: returns the URL to send the buyer to (a hosted
      gateway page), or None when there is nothing to do online (pay the seller directly).
      Hosted providers (``hosted = True``) get the pending ``payment`` attempt whose
      ``reference`` the gateway echoes back in its callback.
    - ``refund`` gives ``amount`` back and returns the provider's reference for it;
      ``refund_note`` (if any) is added to the timeline, e.g. "the seller pays it back by hand".
    - ``parse_callback`` verifies a server-to-server callback (raw body and headers) and
      returns what it says, or raises ``InvalidCallback``.
    - ``query`` asks the gateway what became of a pending ``payment`` (a callback may be lost
      or late): the same ``GatewayCallback`` its callback carries, or None while the buyer
      has not decided. Non-hosted providers have nothing to ask. Everything after that (replays,
      amounts, the order's state) is the same for every provider: see
      ``orders.services.payments.payment_callback_handle``.
    """

    code: str = ""
    hosted: bool = False
    refund_note: str = ""

    def start(self, *, order, request, payment=None) -> str | None:
        raise NotImplementedError

    def refund(self, *, order, payment, amount: Decimal) -> str:
        raise NotImplementedError

    def parse_callback(self, *, body: bytes, headers, now=None) -> GatewayCallback:
        raise InvalidCallback(f"The provider {self.code!r} sends no callbacks.")

    def query(self, *, payment) -> GatewayCallback | None:
        return None


_providers: dict[str, PaymentProvider] = {}


def register_provider(provider: PaymentProvider) -> PaymentProvider:
    _providers[provider.code] = provider
    return provider


def hosted_provider_codes() -> list[str]:
    """The providers with a gateway to ask (``query``) about pending payments."""
    return [code for code, provider in _providers.items() if provider.hosted]


def get_provider(code: str) -> PaymentProvider:
    try:
        return _providers[code]
    except KeyError:
        raise LookupError(f"No payment provider {code!r} is registered.") from None
