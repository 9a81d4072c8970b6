from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from catalog.generate import generate_catalog

SQLITE_MAX_PRODUCTS = 50_000


class Command(BaseCommand):
    help = (
        "Add made-up stalls and goods for benchmarks (COPY on PostgreSQL): "
        "generate_catalog --stalls 2000 --products 1000000. Refuses to run with "
        "DJANGO_DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stalls", type=int, default=2000, help="stalls to add (2000)")
        parser.add_argument("--products", type=int, default=100_000, help="goods to add (100000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument("--batch", type=int, default=20_000, help="goods per COPY (20000)")
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (never in prod)."
        )

    def handle(self, *args, stalls, products, seed, batch, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "generate_catalog fills the database with made-up stalls and goods; it runs only "
                "with DJANGO_DEBUG=1 (use --force to override on a throw-away database)."
            )
        if stalls < 1 or products < 0 or batch < 1:
            raise CommandError("--stalls and --batch must be at least 1, --products at least 0.")
        if connection.vendor != "postgresql" and products > SQLITE_MAX_PRODUCTS:
            raise CommandError(
                f"SQLite is for small catalogues (up to {SQLITE_MAX_PRODUCTS:,} goods); set "
                "DATABASE_URL=postgres://… for more."
            )
        # The progress bar rewrites one line: no newline or colour added to each write.
        self.stderr.ending, self.stderr.style_func = "", None
        result = generate_catalog(
            stalls=stalls, products=products, seed=seed, batch=batch, stream=self.stderr
        )
        minutes, seconds = divmod(result.seconds, 60)
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {result.stalls:,} stalls, {result.products:,} goods, "
                f"{result.variants:,} variants and {result.provenance_cards:,} provenance cards "
                f"in {int(minutes)} min {seconds:.0f} s."
            )
        )
        self.stdout.write(f"Search columns: {result.index_check}.")
