"""Search and listing latency over a million goods, measured in-process (p50/p95).

    DATABASE_URL=postgres://postgres@127.0.0.1/ms_bench make bench-catalog
    .venv/bin/python tests/benchmarks/bench_catalog.py --runs 200 --products 1000000

Not a test (pytest does not collect it): numbers depend on the machine. Against the PostgreSQL
database in ``DATABASE_URL`` (point it at a scratch database) it first makes sure there are
``--products`` goods, adding what is missing with ``catalog.generate`` (4 to 5 minutes per
million on 2 cores; a second run reuses them), then times, after a warm-up, ``--runs`` calls of:

1. ``search_products`` for a rare term (``generate.RARE_TERM``, a few hundred goods) and a
   common one (``generate.COMMON_KIND_TERM``, a fifth of the goods), newest first, one page;
2. ranked ``search_products`` (relevance, the search page's default) on the most common word
   of the index (found with ``ts_stat`` on a 1 % sample) and on the two terms above;
3. ``product_grid``, the shopper's grid as the pages call it (card data and the bounded
   count included): a category's page 1 and a deep page, the whole square, a search page;
   and "best rated" on the square, a category's page 1, a deep page and a search page
   (made-up ratings on a tenth of the goods, see ``ensure_ratings``: the generator writes
   no reviews);

and prints a table of p50/p95 against the issue's targets. A missed target prints the
``EXPLAIN (ANALYZE, BUFFERS)`` of its query.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
STALLS_PER_MILLION = 2000


@dataclass
class Case:
    label: str
    run: Callable[[], object]
    target_ms: float | None = None  # p95
    explain: Callable[[], object] | None = None  # the queryset behind it


def prepare_environment() -> None:
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microstore.settings")
    sys.path.insert(0, str(BASE_DIR))


def percentile(sorted_ms: list[float], share: float) -> float:
    index = min(len(sorted_ms) - 1, max(0, round(share * len(sorted_ms)) - 1))
    return sorted_ms[index]


def measure(case: Case, runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        case.run()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        case.run()
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def ensure_catalogue(products: int, seed: int) -> None:
    from catalog.generate import generate_catalog
    from catalog.models import Product

    have = Product.objects.count()
    if have >= products:
        print(f"Reusing the {have:,} goods already in the database.")
        return
    missing = products - have
    stalls = max(1, round(STALLS_PER_MILLION * missing / 1_000_000))
    print(f"{have:,} goods in the database: adding {missing:,} on {stalls:,} new stalls.")
    result = generate_catalog(stalls=stalls, products=missing, seed=seed + have)
    print(f"Generated in {result.seconds / 60:.1f} min ({result.index_check}).")


def ensure_ratings() -> None:
    """Give a tenth of the goods made-up review numbers (1 to 60 reviews averaging 3.00 to
    4.99, ranked with ``bayesian_mean``'s formula) unless some goods have ratings already, so
    "best rated" sorts something like a real square: a few rated goods above most at the
    prior. Written straight to the product's columns; no reviews or rating rows."""
    from django.db import connection

    from catalog.models import Product
    from reviews.scoring import PRIOR_MEAN, PRIOR_WEIGHT

    if Product.objects.filter(rating_count__gt=0).exists():
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH made_up AS ("
            "  SELECT id, 1 + abs(hashtext('n' || id)) %% 60 AS n,"
            "         round(3 + (abs(hashtext('a' || id)) %% 200) / 100.0, 2) AS average"
            "  FROM catalog_product WHERE id %% 10 = 0"
            ") UPDATE catalog_product p SET rating_count = m.n, rating_average = m.average,"
            "  rating_rank = round((%s * %s + m.average * m.n) / (%s + m.n), 2)"
            " FROM made_up m WHERE p.id = m.id",
            [PRIOR_MEAN, PRIOR_WEIGHT, PRIOR_WEIGHT],
        )
        rated = cursor.rowcount
        cursor.execute("VACUUM ANALYZE catalog_product")
    print(f"Made-up ratings on {rated:,} goods in {time.perf_counter() - started:.0f} s.")


def most_common_word() -> tuple[str, int]:
    """The word in the most goods' search vectors, from a 1 % sample of the table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat("
            "'SELECT search_vector FROM catalog_product TABLESAMPLE SYSTEM (1) "
            "WHERE status = ''published''') ORDER BY ndoc DESC, word LIMIT 1"
        )
        word, ndoc = cursor.fetchone()
    return word, ndoc


def cases() -> tuple[list[Case], list[str]]:
    from catalog import generate
    from catalog.search import search_products
    from catalog.selectors import (
        GRID_MAX_PAGE,
        GridFilters,
        category_tree,
        category_with_children,
        product_grid,
    )

    rare, common = generate.RARE_TERM, generate.COMMON_KIND_TERM
    top, _sample_docs = most_common_word()
    tree = category_tree()
    _category, food = category_with_children(tree, "food-drink")  # top level: 4 children
    _category, tea = category_with_children(tree, "tea")
    deep = GRID_MAX_PAGE - 2

    def newest(term: str):
        return search_products(term, ranked=False).order_by("-published_at", "-pk")[:24]

    def ranked(term: str):
        return search_products(term)[:24]

    notes = [f"rare “{rare}”, common “{common}”, most common word “{top}”"]
    for term in (rare, common, top):
        n = search_products(term, ranked=False).count()
        notes.append(f"“{term}” is in {n:,} published goods")

    listed = []
    for label, run, target, explain in (
        (f"search “{rare}” (rare), newest, 24", lambda: list(newest(rare)), 20, newest(rare)),
        (f"search “{common}” (common), newest, 24", lambda: list(newest(common)), 20,
         newest(common)),
        (f"ranked search “{top}” (most common), 24", lambda: list(ranked(top)), 100, ranked(top)),
        (f"ranked search “{common}”, 24", lambda: list(ranked(common)), 100, ranked(common)),
        (f"ranked search “{rare}”, 24", lambda: list(ranked(rare)), 20, ranked(rare)),
    ):  # fmt: skip
        listed.append(Case(label, run, target, lambda qs=explain: qs))

    def grid_case(label, target, page=1, **filters):
        gf = GridFilters(**filters)

        def explain():
            from catalog.selectors import GRID_DEFERRED, _grid_queryset, with_card_data

            offset = (page - 1) * 24
            return with_card_data(_grid_queryset(gf)).defer(*GRID_DEFERRED)[offset : offset + 25]

        listed.append(Case(label, lambda: product_grid(filters=gf, page=page), target, explain))

    grid_case("grid: category Tea, page 1", 20, category_ids=tea)
    grid_case(f"grid: category Tea, page {deep}", 20, page=deep, category_ids=tea)
    grid_case("grid: Food & drink (4 subcategories), page 1", 20, category_ids=food)
    grid_case(f"grid: Food & drink, page {deep}", 20, page=deep, category_ids=food)
    grid_case("grid: Tea, price low to high, page 1", 20, category_ids=tea, sort="price")
    grid_case("grid: all goods, best rated, page 1", 20, sort="rating")
    grid_case("grid: Tea, best rated, page 1", 20, category_ids=tea, sort="rating")
    grid_case(f"grid: Food & drink, best rated, page {deep}", 20, page=deep, category_ids=food,
              sort="rating")  # fmt: skip
    grid_case(f"grid: search “{common}”, best rated, page 1", 100, query=common, sort="rating")
    grid_case("grid: all goods, in stock, verified, page 1", 20, in_stock=True, verified=True)
    grid_case(f"grid: search “{common}”, best match, page 1", 100, query=common)
    grid_case(f"grid: search “{rare}”, newest, page 1", 20, query=rare, sort="newest")
    return listed, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1_000_000, help="goods (1,000,000)")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per query (200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs first (20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain-all", action="store_true", help="EXPLAIN every query")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "Set DATABASE_URL to a scratch PostgreSQL database, e.g. "
            "postgres://postgres@127.0.0.1/ms_bench (a million made-up goods are added to it)."
        )
    prepare_environment()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    ensure_catalogue(args.products, args.seed)
    ensure_ratings()
    settings.DEBUG = False  # no query log while timing, as in production

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0].split()[0]
    print(
        f"Python {sys.version.split()[0]}, PostgreSQL {server}, {os.cpu_count()} CPUs; "
        f"{args.runs} runs after {args.warmup} warm-up runs; times in ms"
    )
    listed, notes = cases()
    for note in notes:
        print(f"  {note}")
    width = max(len(case.label) for case in listed)
    print(f"\n{'query':<{width}}  {'p50':>7}  {'p95':>7}  {'max':>7}  {'target p95':>10}")
    missed = []
    for case in listed:
        ms = measure(case, args.runs, args.warmup)
        p50, p95 = statistics.median(ms), percentile(ms, 0.95)
        verdict = ""
        if case.target_ms is not None:
            verdict = f"≤ {case.target_ms:>4.0f} {'ok' if p95 <= case.target_ms else 'MISSED'}"
            if p95 > case.target_ms:
                missed.append(case)
        print(f"{case.label:<{width}}  {p50:7.2f}  {p95:7.2f}  {ms[-1]:7.2f}  {verdict}")

    for case in listed if args.explain_all else missed:
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) — {case.label}")
        print(case.explain().explain(analyze=True, buffers=True))
    if not missed:
        print("\nEvery target met.")


if __name__ == "__main__":
    main()
