"""Recomputing every stall's trust score: 2,000 stalls with 200,000 orders, on one worker.

    DATABASE_URL=postgres://postgres@127.0.0.1/ms_bench make bench-trust
    .venv/bin/python tests/benchmarks/bench_trust.py --stalls 2000 --orders 200000

Not a test (pytest does not collect it): the time depends on the machine. Against the
PostgreSQL database in ``DATABASE_URL`` (point it at a scratch database) it first makes sure
the made-up stalls exist, building them with ``bulk_create`` (stalls, owners, buyers, goods,
orders in every state, order lines, verified-purchase reviews, complaints and returns; a second
run reuses them), then times ``reviews.trust.trust_recompute_all`` (what the nightly beat task
runs) ``--runs`` times, and one stall's ``trust_recompute`` (what an event triggers), and
prints them against the issue's target: under a minute for the full recompute.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PREFIX = "bench-trust-"
TARGET_SECONDS = 60.0
BUYERS_PER_STALL = 40  # a pool of buyers shared by the stalls (some come back)


def prepare_environment() -> None:
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microstore.settings")
    sys.path.insert(0, str(BASE_DIR))


def build(stalls: int, orders: int, seed: int) -> None:
    """The made-up history, in bulk (a few minutes for the full size)."""
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import Category, Completeness, Product
    from microstore.accounts.models import User
    from orders.models import CheckoutGroup, Dispute, Order, OrderLine, ReturnRequest, Status
    from reviews.models import Review
    from shops.models import Shop, ShopMember

    rng = random.Random(seed)
    now = timezone.now()
    started = time.perf_counter()
    category = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    batch = 5000

    with transaction.atomic():
        owners = User.objects.bulk_create(
            [
                User(email=f"{PREFIX}owner{i}@example.com", display_name=f"Owner {i}", password="!")
                for i in range(stalls)
            ],
            batch_size=batch,
        )
        buyers = User.objects.bulk_create(
            [
                User(email=f"{PREFIX}buyer{i}@example.com", display_name=f"Buyer {i}", password="!")
                for i in range(stalls * BUYERS_PER_STALL // 4)
            ],
            batch_size=batch,
        )
        shops = Shop.objects.bulk_create(
            [
                Shop(
                    name=f"Bench stall {i}",
                    slug=f"{PREFIX}{i}",
                    code=f"b{i:05d}",
                    region="fujian",
                    identity_verified_at=now if i % 3 == 0 else None,
                    identity_verified_until=now + timedelta(days=300) if i % 3 == 0 else None,
                    business_verified_at=now if i % 7 == 0 else None,
                    business_verified_until=now + timedelta(days=300) if i % 7 == 0 else None,
                )
                for i in range(stalls)
            ],
            batch_size=batch,
        )
        # created_at is auto_now_add: spread the stalls' ages over two years afterwards.
        for shop in shops:
            shop.created_at = now - timedelta(days=rng.randint(0, 730))
        Shop.objects.bulk_update(shops, ["created_at"], batch_size=batch)
        ShopMember.objects.bulk_create(
            [
                ShopMember(shop=shop, user=owner, role=ShopMember.Role.OWNER)
                for shop, owner in zip(shops, owners, strict=True)
            ],
            batch_size=batch,
        )
        products = Product.objects.bulk_create(
            [
                Product(
                    shop=shop,
                    title=f"Goods {shop.pk}-{n}",
                    slug=f"goods-{n}",
                    category=category,
                    top_category_id=category.parent_id,
                    status=Product.Status.PUBLISHED,
                    published_at=now,
                    provenance_complete=rng.random() < 0.6,
                    price_min=Decimal("68.00"),
                )
                for shop in shops
                for n in range(3)
            ],
            batch_size=batch,
        )
        print(f"  stalls, people and goods: {time.perf_counter() - started:.0f} s")

        statuses = [Status.COMPLETED] * 6 + [Status.RECEIVED, Status.SHIPPED, Status.PAID]
        statuses += [Status.REFUNDED, Status.CANCELLED]
        # Stalls get very different volumes, as on a real square (a few busy ones, many small).
        weights = [rng.paretovariate(1.2) for _ in shops]
        owner_shop = rng.choices(range(len(shops)), weights=weights, k=orders)
        for start in range(0, orders, batch):
            chunk = owner_shop[start : start + batch]
            groups = CheckoutGroup.objects.bulk_create(
                [
                    CheckoutGroup(token=uuid.uuid4(), buyer=rng.choice(buyers))
                    for _ in range(len(chunk))
                ]
            )
            made = []
            for n, (index, group) in enumerate(zip(chunk, groups, strict=True)):
                status = rng.choice(statuses)
                placed = now - timedelta(days=rng.uniform(0, 365))
                paid = placed + timedelta(hours=1) if status != Status.CANCELLED else None
                shipped = (
                    paid + timedelta(hours=rng.uniform(2, 120))
                    if status in (Status.SHIPPED, Status.RECEIVED, Status.COMPLETED)
                    else None
                )
                made.append(
                    Order(
                        number=f"B{start + n:011d}",
                        checkout=group,
                        buyer_id=group.buyer_id,
                        shop=shops[index],
                        status=status,
                        payment_method="sandbox",
                        recipient="林梅",
                        mobile="13812345678",
                        province="shanghai",
                        city="上海市",
                        district="徐汇区",
                        street="漕溪北路 88 号",
                        subtotal=Decimal("68.00"),
                        shipping_fee=Decimal("10.00"),
                        total=Decimal("78.00"),
                        refunded_total=Decimal("78.00")
                        if status == Status.REFUNDED
                        else Decimal(0),
                        pay_by=placed + timedelta(minutes=30),
                        paid_at=paid,
                        shipped_at=shipped,
                        received_at=shipped + timedelta(days=3) if shipped else None,
                        cancelled_at=placed if status == Status.CANCELLED else None,
                    )
                )
            made = Order.objects.bulk_create(made)
            lines = OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order=order,
                        product=products[3 * index],
                        title="Goods",
                        sku="SKU",
                        unit_price=Decimal("68.00"),
                        quantity=1,
                        line_total=Decimal("68.00"),
                        provenance=Completeness.COMPLETE,
                    )
                    for order, index in zip(made, chunk, strict=True)
                ]
            )
            reviews, disputes, returns = [], [], []
            for order, line in zip(made, lines, strict=True):
                roll = rng.random()
                if order.status in (Status.RECEIVED, Status.COMPLETED) and roll < 0.3:
                    reviews.append(
                        Review(
                            order_line=line,
                            product_id=line.product_id,
                            shop_id=order.shop_id,
                            author_id=order.buyer_id,
                            rating=rng.choice([5, 5, 5, 4, 4, 3, 2, 1]),
                        )
                    )
                if order.paid_at and roll > 0.985:
                    disputes.append(
                        Dispute(
                            order=order,
                            shop_id=order.shop_id,
                            kind=Dispute.Kind.NOT_AS_DESCRIBED,
                            statement="-",
                            status=rng.choice(list(Dispute.Status)),
                            outcome=rng.choice(list(Dispute.Outcome)),
                            answer_by=now,
                        )
                    )
                elif order.status == Status.COMPLETED and roll > 0.96:
                    decided = rng.random() < 0.9
                    returns.append(
                        ReturnRequest(
                            order=order,
                            amount=Decimal("68.00"),
                            status=ReturnRequest.Status.ACCEPTED
                            if decided
                            else ReturnRequest.Status.CANCELLED,
                            decided_at=now if decided else None,
                        )
                    )
            Review.objects.bulk_create(reviews)
            Dispute.objects.bulk_create(disputes)
            ReturnRequest.objects.bulk_create(returns)
            print(
                f"\r  orders: {start + len(chunk):,} of {orders:,}"
                f" ({time.perf_counter() - started:.0f} s)",
                end="",
                flush=True,
            )
        print()
    with transaction.atomic():
        # auto_now_add stamped "now" on these: spread them over the last 90 days.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE orders_dispute SET opened_at = now() - random() * interval '120 days'"
            )
            cursor.execute(
                "UPDATE orders_returnrequest SET requested_at = now() - random() * interval"
                " '100 days'"
            )
            cursor.execute(
                "UPDATE orders_returnrequest SET decided_at = requested_at + random() * interval"
                " '4 days' WHERE decided_at IS NOT NULL"
            )
            cursor.execute("ANALYZE")
    print(f"Built in {time.perf_counter() - started:.0f} s.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stalls", type=int, default=2000, help="stalls (2,000)")
    parser.add_argument("--orders", type=int, default=200_000, help="orders (200,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed full recomputes (3)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "Set DATABASE_URL to a scratch PostgreSQL database, e.g. "
            "postgres://postgres@127.0.0.1/ms_bench (made-up stalls and orders are added to it)."
        )
    prepare_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from orders.models import Order
    from reviews.models import TrustScore
    from reviews.trust import trust_recompute, trust_recompute_all
    from shops.models import Shop

    call_command("migrate", verbosity=0)
    have = Shop.objects.filter(slug__startswith=PREFIX).count()
    if have:
        print(f"Reusing the {have:,} bench stalls already in the database.")
    else:
        print(f"Building {args.stalls:,} stalls with {args.orders:,} orders…")
        build(args.stalls, args.orders, args.seed)
    settings.DEBUG = False  # no query log while timing, as in production

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
    stalls, orders = Shop.objects.count(), Order.objects.count()
    print(
        f"Python {sys.version.split()[0]}, PostgreSQL {server}, {os.cpu_count()} CPUs; "
        f"{stalls:,} stalls, {orders:,} orders in the database"
    )
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        trust_recompute_all()
        timings.append(time.perf_counter() - started)
    busiest = (
        Order.objects.values("shop_id")
        .annotate(n=django.db.models.Count("pk"))
        .order_by("-n")
        .first()
    )
    single = []
    for _ in range(20):
        started = time.perf_counter()
        trust_recompute(shop_id=busiest["shop_id"])
        single.append((time.perf_counter() - started) * 1000)
    scored = TrustScore.objects.filter(score__isnull=False).count()
    best = min(timings)
    verdict = "OK" if best < TARGET_SECONDS else "MISSED"
    print(
        f"Full recompute (nightly): best {best:.1f} s, median {statistics.median(timings):.1f} s"
        f" over {args.runs} runs; target < {TARGET_SECONDS:.0f} s: {verdict}"
    )
    print(
        f"One stall (the busiest, {busiest['n']:,} orders): median "
        f"{statistics.median(single):.0f} ms"
    )
    print(f"{scored:,} of {stalls:,} stalls have a score; the rest have too few orders.")
    if best >= TARGET_SECONDS:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
