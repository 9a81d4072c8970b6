from django.core.management.base import BaseCommand

from microstore.images.models import Purpose, Status
from microstore.images.selectors import image_ids_for_rerender
from microstore.images.services import images_rerender

BAR_WIDTH = 30


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """``[######----] 12/40``"""
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total}"


class Command(BaseCommand):
    help = (
        "Re-render images (e.g. after changing IMAGE_RENDITION_WIDTHS): all of them, or those "
        "with a status or purpose; synchronously with a progress bar, or --queue for the workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--status", choices=Status.values, help="Only images in this status.")
        parser.add_argument("--purpose", choices=Purpose.values, help="Only images for this use.")
        parser.add_argument(
            "--queue", action="store_true", help="Enqueue a task per image instead of waiting."
        )

    def handle(self, *args, status=None, purpose=None, queue=False, **options):
        image_ids = image_ids_for_rerender(status=status, purpose=purpose)
        if not image_ids:
            self.stdout.write("No images to re-render.")
            return
        interactive = self.stdout.isatty()
        step = max(1, len(image_ids) // 20)  # in a log: about 20 lines, not one per image

        def show(done: int, total: int) -> None:
            if interactive:
                self.stdout.write(f"\r{progress_bar(done, total)}", ending="")
                if done == total:
                    self.stdout.write("")
            elif done % step == 0 or done == total:
                self.stdout.write(progress_bar(done, total))

        summary = images_rerender(image_ids=image_ids, queue=queue, progress=show)
        if queue:
            self.stdout.write(self.style.SUCCESS(f"{summary.queued} images queued."))
            return
        for image_id, error in summary.failed:
            self.stderr.write(f"  {image_id}: {error}")
        message = (
            f"{summary.total} images: {summary.rendered} rendered, {len(summary.failed)} failed."
        )
        self.stdout.write(
            self.style.ERROR(message) if summary.failed else self.style.SUCCESS(message)
        )
