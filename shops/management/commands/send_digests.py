from django.core.management.base import BaseCommand

from shops.digest import digest_send_all


class Command(BaseCommand):
    help = (
        "Send the weekly digest now to everyone who opted in and has news from the stalls they "
        "follow (beat does this on Monday mornings). Running it again sends nothing more."
    )

    def handle(self, *args, **options):
        counts = digest_send_all()
        self.stdout.write(
            self.style.SUCCESS(
                f"Weekly digests: {counts['sent']} sent, to {counts['checked']} opted-in "
                f"user(s); {counts['failed']} failed."
            )
        )
