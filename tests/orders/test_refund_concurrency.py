"""20 full refunds of one paid order at once: the refunded total never exceeds what was paid."""

import pytest

from microstore.errors import DomainError
from orders.models import Action, Order, OrderEvent, Refund, Role, Status
from orders.services import lifecycle
from tests.orders.factories import make_order
from tests.parallel import at_once

PARALLEL = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_full_refunds_refund_once(buyer, owner, variant):
    # Given a paid order of ¥78.00
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)

    def refund_everything():
        return lifecycle.order_refund(
            order=Order.objects.get(pk=order.pk),
            amount=order.total,
            role=Role.SELLER,
            actor=owner,
            reason="Out of stock.",
            source=Refund.Source.SELLER,
        )

    # When twenty people (or retries) refund it in full at the same moment
    results = at_once([refund_everything] * PARALLEL)

    # Then exactly one refund went through; the others were told nothing is left
    errors = [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    refunds = [r for r in results if not isinstance(r, Exception)]
    refusals = [r.message for r in results if isinstance(r, DomainError)]
    assert errors == []
    assert len(refunds) == 1
    assert len(refusals) == PARALLEL - 1
    assert set(refusals) == {"Only ¥0.00 of this order is left to refund."}
    order.refresh_from_db()
    assert order.refunded_total == order.total
    assert order.status == Status.REFUNDED
    assert Refund.objects.filter(order=order).count() == 1
    assert OrderEvent.objects.filter(order=order, action=Action.REFUND).count() == 1
