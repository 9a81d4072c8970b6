"""20 full refunds of one paid order at once: the refunded total never exceeds what was paid."""

import threading

import pytest
from django.db import connection

from microstore.errors import DomainError
from orders.models import Action, Order, OrderEvent, Refund, Role, Status
from orders.services import lifecycle
from tests.orders.factories import make_order

PARALLEL = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_full_refunds_refund_once(buyer, owner, variant):
    # Given a paid order of ¥78.00
    order = make_order(buyer=buyer, variants=[variant], status=Status.PAID)
    barrier = threading.Barrier(PARALLEL)
    refunds, refusals, errors = [], [], []

    def refund_everything():
        try:
            barrier.wait()
            refunds.append(
                lifecycle.order_refund(
                    order=Order.objects.get(pk=order.pk),
                    amount=order.total,
                    role=Role.SELLER,
                    actor=owner,
                    reason="Out of stock.",
                    source=Refund.Source.SELLER,
                )
            )
        except DomainError as exc:
            refusals.append(exc.message)
        except Exception as exc:  # any other error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    # When twenty people (or retries) refund it in full at the same moment
    threads = [threading.Thread(target=refund_everything) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly one refund went through; the others were told nothing is left
    assert errors == []
    assert len(refunds) == 1
    assert len(refusals) == PARALLEL - 1
    assert set(refusals) == {"Only ¥0.00 of this order is left to refund."}
    order.refresh_from_db()
    assert order.refunded_total == order.total
    assert order.status == Status.REFUNDED
    assert Refund.objects.filter(order=order).count() == 1
    assert OrderEvent.objects.filter(order=order, action=Action.REFUND).count() == 1
