"""Images per second through the image pipeline, for a 12-megapixel phone photo.

    make bench                                     # or run this file with .venv/bin/python
    REDIS_URL=redis://127.0.0.1:6379/2 make bench  # adds a real Celery worker (concurrency 1)

Not a test (pytest does not collect it, and nothing here asserts a speed): numbers depend on
the machine. It draws a realistic 4032 x 3024 JPEG with Pillow (gradients, shapes and sensor
noise, EXIF orientation 6 and a GPS position, like an iPhone photo), then measures:

1. ``check_upload``: the synchronous upload check a seller waits for;
2. ``pipeline.render``: decode, orient, sRGB, 3 widths x (WebP + JPEG), pure CPU;
3. ``services.image_process`` in this process: read the private original, render, store the
   renditions, update the row;
4. with ``REDIS_URL``: the same through a real ``celery worker --concurrency 1`` subprocess,
   from enqueue to the last row marked ready.

Everything runs against a throw-away SQLite database and media folders in a temp directory
(``DATABASE_URL`` is honoured if set; point it at a scratch database). Step 4 uses a queue of its
own, ``bench-images``, so it never takes work from (or gives work to) another worker.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
QUEUE = "bench-images"


def prepare_environment(workdir: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["PRIVATE_MEDIA_ROOT"] = str(workdir / "private-media")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microstore.settings")
    sys.path.insert(0, str(BASE_DIR))


def phone_photo(width: int = 4032, height: int = 3024) -> bytes:
    """A 12 MP photo-like JPEG as an iPhone stores it: on its side, with orientation and GPS."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(12)
    grey = Image.linear_gradient("L").resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    image = Image.merge("RGB", (grey, radial, grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(40, 600)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in "rgb"))
    image = image.filter(ImageFilter.GaussianBlur(6))
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(image, noise, 0.06)  # sensor noise: makes it compress like a photo

    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Apple", "iPhone 15", 6
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (31.0, 13.0, 50.0), 3: "E", 4: (121.0, 28.0, 21.0)})
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif, subsampling="4:2:0")
    return buffer.getvalue()


def rate(seconds: list[float]) -> str:
    per_image = statistics.median(seconds)
    return (
        f"{1 / per_image:5.2f} images/s  (median {per_image * 1000:6.0f} ms, "
        f"min {min(seconds) * 1000:.0f}, max {max(seconds) * 1000:.0f}, n={len(seconds)})"
    )


def create_originals(count: int, data: bytes) -> list:
    """Image rows with their private originals, as image_create makes them, minus the enqueue
    (each step below decides how the processing runs)."""
    from django.core.files.base import ContentFile

    from microstore.accounts.models import User
    from microstore.images.models import Image, Purpose
    from microstore.images.validation import check_upload

    owner, _ = User.objects.get_or_create(
        email="bench@example.com", defaults={"display_name": "Bench"}
    )
    checked = check_upload(BytesIO(data), purpose=Purpose.PRODUCT)
    ids = []
    for _ in range(count):
        image = Image(
            owner=owner,
            purpose=Purpose.PRODUCT,
            format=checked.format,
            original_bytes=checked.size,
            width=checked.width,
            height=checked.height,
        )
        image.original.save("original", ContentFile(data), save=False)
        image.save()
        ids.append(image.pk)
    return ids


def start_worker(workdir: Path):
    from microstore.celery import app

    name = f"bench-images-{os.getpid()}@{socket.gethostname()}"
    log = open(workdir / "worker.log", "w")  # noqa: SIM115 -- closed in stop_worker
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "microstore", "worker",
            "--concurrency", "1", "--pool", "prefork", "-Q", QUEUE, "-n", name,
            "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
        ],
        cwd=BASE_DIR,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited; see {workdir / 'worker.log'}")
        if app.control.ping(destination=[name], timeout=1):
            return worker, log
    worker.terminate()
    raise SystemExit("the worker did not answer within 60 s")


def stop_worker(worker, log) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=12, help="images per step (default 12)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="microstore-bench-") as tmp:
        workdir = Path(tmp)
        prepare_environment(workdir)

        import django
        import PIL

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from microstore.images import pipeline
        from microstore.images.models import Image, Status
        from microstore.images.services import image_process
        from microstore.images.tasks import process_image
        from microstore.images.validation import check_upload

        call_command("migrate", verbosity=0)
        data = phone_photo()
        widths = settings.IMAGE_RENDITION_WIDTHS
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(
            f"Python {sys.version.split()[0]}, Pillow {PIL.__version__}, {os.cpu_count()} CPUs, "
            f"database {engine}"
        )
        print(
            f"Original: 4032 x 3024 JPEG (12.2 MP), {len(data) / 1e6:.1f} MB, EXIF orientation 6 "
            f"+ GPS; renditions {', '.join(map(str, widths))} px wide, WebP + JPEG"
        )

        timings = []
        for _ in range(args.images):
            started = time.perf_counter()
            check_upload(BytesIO(data), purpose="product")
            timings.append(time.perf_counter() - started)
        print(f"1. upload check (in the request)      {rate(timings)}")

        timings = []
        for _ in range(args.images):
            started = time.perf_counter()
            rendered = pipeline.render(data, widths=widths)
            timings.append(time.perf_counter() - started)
        sizes = ", ".join(
            f"{r.width}w {r.format} {len(r.data) // 1024} KB" for r in rendered.renditions
        )
        print(f"2. pipeline.render (pure CPU)         {rate(timings)}")
        print(f"   output: {sizes}")

        ids = create_originals(args.images, data)
        timings = []
        for image_id in ids:
            started = time.perf_counter()
            image_process(image_id=image_id, force=True)
            timings.append(time.perf_counter() - started)
        print(f"3. image_process, one process         {rate(timings)}")

        if not os.environ.get("REDIS_URL"):
            print("4. Celery worker: skipped (set REDIS_URL to measure through a real worker)")
            return
        # Start from scratch: no renditions on disk or in the rows, every image pending.
        shutil.rmtree(Path(settings.MEDIA_ROOT) / "img", ignore_errors=True)
        Image.objects.filter(pk__in=ids).update(
            status=Status.PENDING, renditions=[], processed_at=None
        )
        worker, log = start_worker(workdir)
        try:
            started = time.perf_counter()
            for image_id in ids:
                process_image.apply_async(kwargs={"image_id": str(image_id)}, queue=QUEUE)
            deadline = time.monotonic() + 60 + 10 * len(ids)
            while Image.objects.filter(pk__in=ids, status=Status.PENDING).exists():
                if time.monotonic() > deadline:
                    raise SystemExit(f"the worker is too slow or stuck; see {workdir}/worker.log")
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
        finally:
            stop_worker(worker, log)
        failed = Image.objects.filter(pk__in=ids, status=Status.FAILED).count()
        print(
            f"4. Celery worker, concurrency 1       {len(ids) / elapsed:5.2f} images/s  "
            f"({len(ids)} images in {elapsed:.1f} s, enqueue to last ready; {failed} failed)"
        )


if __name__ == "__main__":
    main()
