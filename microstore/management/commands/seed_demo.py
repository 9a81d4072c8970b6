from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from microstore import demo


class Command(BaseCommand):
    help = "Load demo data (idempotent). Refuses to run with DJANGO_DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Seed even though DEBUG is off (never in prod)."
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo adds demo accounts with a published password; it runs only with "
                "DJANGO_DEBUG=1 (use --force to override on a throw-away database)."
            )
        results = demo.seed()
        created = sum(1 for _, was_created in results if was_created)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new people)."))
        self.stdout.write(f"Demo log-ins (password for all: {demo.DEMO_PASSWORD}):")
        for person, _ in results:
            self.stdout.write(f"  {person.email:<24} {person.display_name}  — {person.role}")
