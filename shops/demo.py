"""Demo verifications for `make run`: the badges in every state a newcomer should see.

老高 is identity- and business-verified, 张蜜 identity-verified, 陶师傅's request waits in the
admin, and 岩帕's business request was turned down with a reason. Decisions go through the real
services, made by the demo admin, so the audit trail and the notifications are there too.
"""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from microstore.accounts.models import User
from shops import selectors, services
from shops.models import Verification
from shops.validators import id_number_check_char, uscc_check_char

ADMIN = "admin@example.com"


def demo_id_number(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def demo_licence_number(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def draw_licence(title: str) -> bytes:
    """A Pillow-drawn stand-in for a photographed business licence (no real document)."""
    image = Image.new("RGB", (1200, 850), (250, 246, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, 1170, 820), outline=(170, 50, 40), width=12)
    draw.ellipse((960, 600, 1120, 760), outline=(200, 40, 40), width=10)
    draw.text((80, 80), f"DEMO LICENCE: {title}", fill=(40, 40, 40))
    for row in range(8):
        draw.line((80, 200 + row * 60, 900, 200 + row * 60), fill=(180, 170, 150), width=4)
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


DEMO = [
    # owner email, kind, fields, decision ("approve", "reject: reason" or None = waiting)
    (
        "laogao@example.com",
        "identity",
        {"real_name": "高建国", "id_number": demo_id_number("35052419700101123")},
        "approve",
    ),
    (
        "laogao@example.com",
        "business",
        {
            "business_name": "安溪县老高茶叶专业合作社",
            "licence_number": demo_licence_number("93350524MA2Y0L0G1"),
        },
        "approve",
    ),
    (
        "qinling@example.com",
        "identity",
        {"real_name": "张蜜", "id_number": demo_id_number("61102619850315242")},
        "approve",
    ),
    (
        "jingdezhen@example.com",
        "identity",
        {"real_name": "陶文", "id_number": demo_id_number("36020219780808301")},
        None,
    ),
    (
        "puer@example.com",
        "business",
        {
            "business_name": "勐海岩帕茶厂",
            "licence_number": demo_licence_number("91532822MA6K1P2X0"),
        },
        "reject: The photo of the licence is too blurry to read the registration number. "
        "Please photograph it in daylight, flat on a table.",
    ),
]


def seed_verifications() -> None:
    """Idempotent: a stall that already has a request of that kind is left as it is."""
    admin = User.objects.filter(email=ADMIN).first()
    for email, kind, fields, decision in DEMO:
        owner = User.objects.filter(email=email).first()
        shop = selectors.shop_owned_by(owner) if owner else None
        if shop is None or shop.verifications.filter(kind=kind).exists():
            continue
        document = None
        if kind == Verification.Kind.BUSINESS:
            document = SimpleUploadedFile("licence.png", draw_licence(fields["business_name"]))
        verification = services.verification_request(
            shop=shop, actor=owner, kind=kind, document=document, **fields
        )
        if decision == "approve":
            services.verification_approve(verification=verification, actor=admin)
        elif decision:
            services.verification_reject(
                verification=verification, actor=admin, reason=decision.removeprefix("reject: ")
            )


# --- Stall updates: news in 小美's "My square" ------------------------------------------------

DEMO_UPDATES = [
    # owner email, text, hours ago, photo colours (one Pillow photo per colour)
    (
        "laogao@example.com",
        "春茶开采了。今年的铁观音头春茶已经上架。欢迎品尝。\n"
        "The spring harvest of Tieguanyin has begun: the first picking is in the shop now.",
        50,
        [(96, 140, 60), (150, 180, 90)],
    ),
    (
        "laogao@example.com",
        "Restocked: 2021 aged oolong, 20 tins. 陈年乌龙补货了。",
        6,
        [],
    ),
    (
        "qinling@example.com",
        "秦岭的槐花蜜摇好了。这周发货。\n"
        "Acacia honey from the Qinling mountains is extracted; it ships this week.",
        30,
        [(230, 180, 60)],
    ),
    (
        "qinling@example.com",
        "Rain in the mountains: the bees stay home, so the next batch comes a few days later.",
        3,
        [],
    ),
]


def draw_update_photo(colour: tuple[int, int, int], size: int = 800) -> bytes:
    """A Pillow-drawn stand-in for a harvest photo: rows of leaves (or honeycomb) in a field."""
    image = Image.new("RGB", (size, size), (245, 240, 225))
    draw = ImageDraw.Draw(image)
    step = size // 8
    for row in range(8):
        for col in range(8):
            x, y = col * step + (step // 2 if row % 2 else 0), row * step
            draw.ellipse((x + 8, y + 8, x + step - 8, y + step - 8), fill=colour)
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def seed_updates() -> None:
    """Idempotent: a stall that has posted any update already is left as it is."""
    from datetime import timedelta

    from django.utils import timezone

    from shops.models import StallUpdate
    from shops.updates import update_post

    now = timezone.now()
    done = set()
    for email, text, hours_ago, colours in DEMO_UPDATES:
        owner = User.objects.filter(email=email).first()
        shop = selectors.shop_owned_by(owner) if owner else None
        if shop is None or (shop.pk not in done and shop.updates.exists()):
            continue
        done.add(shop.pk)
        photos = [
            SimpleUploadedFile(f"update-{n}.png", draw_update_photo(colour))
            for n, colour in enumerate(colours)
        ]
        update = update_post(shop=shop, actor=owner, text=text, photos=photos)
        StallUpdate.objects.filter(pk=update.pk).update(created_at=now - timedelta(hours=hours_ago))


# --- The weekly digest: 小美 has opted in -----------------------------------------------------


def seed_digest() -> None:
    """小美 gets the weekly digest of the stalls she follows (see it with ``manage.py
    send_digests``). Seeding sends nothing, and a choice she made since is kept."""
    from microstore.notifications.selectors import stored_preferences
    from microstore.notifications.services import preference_set
    from shops.digest import KIND

    xiaomei = User.objects.filter(email="xiaomei@example.com").first()
    if xiaomei and (KIND, "email") not in stored_preferences(user=xiaomei):
        preference_set(user=xiaomei, kind=KIND, channel="email", enabled=True, actor=None)
