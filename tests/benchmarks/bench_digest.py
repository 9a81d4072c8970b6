"""The weekly digest: how long the week's digests take, per reader and in all.

    DATABASE_URL=postgres://postgres@127.0.0.1/ms_bench make bench-digest
    .venv/bin/python tests/benchmarks/bench_digest.py --readers 2000 --stalls 50 --follows 5

Not a test (pytest does not collect it): the time depends on the machine. Against the
PostgreSQL database in ``DATABASE_URL`` (point it at a scratch database) it makes sure the
made-up square exists (stalls with goods published and updates posted this week, readers with
a confirmed address who switched the digest on and follow ``--follows`` stalls each; a second
run reuses them), then times what one ``send_digest_batch`` task does for every batch
(``shops.digest.digest_send_batch``: the digest put together and stored in the outbox; the
mail itself is sent by the outbox's own task). Each run starts from "no digest sent yet", so
every reader gets one. One worker process; beat hands the batches to all the workers.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PREFIX = "bench-digest-"


def prepare_environment() -> None:
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microstore.settings")
    os.environ["EMAIL_URL"] = "locmem://"  # the outbox's task sends to memory, not a console
    sys.path.insert(0, str(BASE_DIR))


def build(readers: int, stalls: int, follows: int, seed: int) -> None:
    """The made-up square, in bulk."""
    from allauth.account.models import EmailAddress
    from django.db import transaction
    from django.utils import timezone

    from catalog.models import Category, Product
    from microstore.accounts.models import User
    from microstore.notifications.models import Preference
    from shops.models import Follow, Shop, ShopMember, StallUpdate

    rng = random.Random(seed)
    now = timezone.now()
    category = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    with transaction.atomic():
        owners = User.objects.bulk_create(
            [
                User(email=f"{PREFIX}owner{i}@example.com", display_name=f"Owner {i}", password="!")
                for i in range(stalls)
            ]
        )
        shops = Shop.objects.bulk_create(
            [
                Shop(
                    name=f"Bench stall {i}", slug=f"{PREFIX}{i}", code=f"d{i:05d}", region="fujian"
                )
                for i in range(stalls)
            ]
        )
        ShopMember.objects.bulk_create(
            [
                ShopMember(shop=shop, user=owner, role=ShopMember.Role.OWNER)
                for shop, owner in zip(shops, owners, strict=True)
            ]
        )
        Product.objects.bulk_create(
            [
                Product(
                    shop=shop,
                    title=f"新茶 New goods {shop.pk}-{n}",
                    slug=f"goods-{n}",
                    category=category,
                    top_category_id=category.parent_id,
                    status=Product.Status.PUBLISHED,
                    published_at=now - timedelta(days=rng.uniform(0, 6)),
                    price_min=Decimal("68.00"),
                )
                for shop in shops
                for n in range(4)
            ]
        )
        StallUpdate.objects.bulk_create(
            [
                StallUpdate(
                    shop=shop,
                    author=owner,
                    text=f"Harvest news {n}: 今年的春茶上架了。" * 3,
                )
                for shop, owner in zip(shops, owners, strict=True)
                for n in range(2)
            ]
        )
        people = User.objects.bulk_create(
            [
                User(
                    email=f"{PREFIX}reader{i}@example.com", display_name=f"Reader {i}", password="!"
                )
                for i in range(readers)
            ],
            batch_size=5000,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in people],
            batch_size=5000,
        )
        Preference.objects.bulk_create(
            [
                Preference(user=u, kind="square.digest", channel="email", enabled=True)
                for u in people
            ],
            batch_size=5000,
        )
        Follow.objects.bulk_create(
            [Follow(user=u, shop=shop) for u in people for shop in rng.sample(shops, follows)],
            batch_size=5000,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=2000, help="opted-in readers (2,000)")
    parser.add_argument("--stalls", type=int, default=50, help="stalls (50)")
    parser.add_argument("--follows", type=int, default=5, help="stalls each reader follows (5)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (3)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "Set DATABASE_URL to a scratch PostgreSQL database, e.g. "
            "postgres://postgres@127.0.0.1/ms_bench (made-up readers and stalls are added to it)."
        )
    prepare_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from microstore.notifications.models import OutgoingEmail
    from shops.digest import digest_batches, digest_send_batch
    from shops.models import DigestState, Shop

    call_command("migrate", verbosity=0)
    if Shop.objects.filter(slug__startswith=PREFIX).exists():
        print("Reusing the bench readers and stalls already in the database.")
    else:
        print(
            f"Building {args.readers:,} readers following {args.follows} of {args.stalls} stalls…"
        )
        build(args.readers, args.stalls, args.follows, args.seed)
    settings.DEBUG = False  # no query log while timing, as in production

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
    print(f"Python {sys.version.split()[0]}, PostgreSQL {server}, {os.cpu_count()} CPUs")
    timings, sent = [], 0
    for _ in range(args.runs):
        DigestState.objects.all().delete()  # nobody has had this week's digest yet
        OutgoingEmail.objects.filter(kind="square.digest").delete()
        started = time.perf_counter()
        sent = 0
        for first_pk, last_pk in digest_batches():
            sent += digest_send_batch(first_pk=first_pk, last_pk=last_pk)["sent"]
        timings.append(time.perf_counter() - started)
    best, median = min(timings), statistics.median(timings)
    print(
        f"{sent:,} digests in {best:.1f} s best / {median:.1f} s median over {args.runs} runs: "
        f"{best / max(sent, 1) * 1000:.1f} ms per reader, "
        f"{max(sent, 1) / best * 3600:,.0f} readers per hour per worker process"
    )


if __name__ == "__main__":
    main()
