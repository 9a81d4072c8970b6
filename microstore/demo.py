"""Demo data for `make run`: realistic people and stalls now; goods, orders and reviews later.

Idempotent: running it again changes nothing that is already there.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from microstore.accounts.models import User
from microstore.accounts.services import email_mark_verified, user_ban, user_upload_avatar
from microstore.notifications.models import Notification
from microstore.notifications.services import preference_set

DEMO_PASSWORD = "microstore-demo"  # noqa: S105 -- printed for the demo on purpose


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    role: str
    is_staff: bool = False


PEOPLE = [
    DemoPerson("admin@example.com", "广场管理员 Admin", "admin (Django admin at /admin/)", True),
    DemoPerson("laogao@example.com", "老高的茶叶铺 Lao Gao", "seller-to-be: tea from Anxi"),
    DemoPerson("xiaomei@example.com", "小美 Xiao Mei", "shopper"),
    DemoPerson("ahua@example.com", "阿华 A-Hua", "shopper who has not confirmed their email"),
    DemoPerson("qinling@example.com", "张蜜 Zhang Mi", "seller: Qinling honey (Shaanxi)"),
    DemoPerson("jingdezhen@example.com", "陶师傅 Master Tao", "seller: Jingdezhen ceramics"),
    DemoPerson("puer@example.com", "岩帕 Yan Pa", "seller: Pu'er tea (stall on holiday)"),
    DemoPerson("chenlu@example.com", "陈露 Chen Lu", "shopper who writes reviews"),
    DemoPerson("wangqiang@example.com", "王强 Wang Qiang", "shopper (one review reported)"),
    DemoPerson("spam@example.com", "刷单小王 Xiao Wang", "banned for fake-order spam"),
]

# Accounts the demo admin banned (through the real service: history row, email), by email.
DEMO_BANS = {
    "spam@example.com": "Placed dozens of fake orders to push stalls up the square "
    "(刷单) and did not stop after a warning.",
}


@dataclass(frozen=True)
class DemoStall:
    owner_email: str
    name: str
    tagline: str
    description: str
    region: str
    city: str
    shipping_regions: tuple[str, ...]
    paused: bool = False


STALLS = [
    DemoStall(
        "laogao@example.com",
        "老高的茶叶铺",
        "Anxi Tieguanyin from our family garden",
        "Three generations of tea makers in Anxi. We pick, roll and roast by hand; every tin "
        "says which slope and which week the leaves came from.",
        "fujian",
        "Anxi",
        ("fujian", "zhejiang", "shanghai", "guangdong"),
    ),
    DemoStall(
        "qinling@example.com",
        "秦岭土蜂蜜",
        "Wild honey from the Qinling mountains",
        "Our bees forage chestnut and linden blossom above 1,000 m. Raw, unfiltered, never heated.",
        "shaanxi",
        "Zhashui",
        ("shaanxi", "beijing", "sichuan"),
    ),
    DemoStall(
        "jingdezhen@example.com",
        "景德镇陶师傅",
        "Hand-thrown porcelain teaware",
        "Cups, pots and bowls thrown and glazed in our Jingdezhen workshop, fired in a "
        "shared kiln. Each piece is a little different.",
        "jiangxi",
        "Jingdezhen",
        ("jiangxi", "shanghai", "jiangsu", "zhejiang"),
    ),
    DemoStall(
        "puer@example.com",
        "岩帕普洱",
        "Old-tree Pu'er from Xishuangbanna",
        "Pressed cakes from old tea trees in Bulang Mountain.",
        "yunnan",
        "Menghai",
        ("yunnan",),
        paused=True,
    ),
]


@transaction.atomic
def seed() -> list[tuple[DemoPerson, bool]]:
    """Create the demo people; return each with whether it was created just now."""
    results = []
    for index, person in enumerate(PEOPLE):
        user = User.objects.filter(email=person.email).first()
        created = user is None
        if created:
            maker = User.objects.create_superuser if person.is_staff else User.objects.create_user
            user = maker(person.email, DEMO_PASSWORD, display_name=person.display_name)
            if "not confirmed" not in person.role:
                email_mark_verified(user=user)
        if user.avatar_id is None:
            # Through the real upload checks and pipeline (processed once this commits).
            upload = SimpleUploadedFile(
                "avatar.jpg", draw_avatar(person.display_name, variant=index)
            )
            user_upload_avatar(user=user, upload=upload)
        results.append((person, created))
    seed_notifications()
    seed_stalls()
    from catalog.demo import seed_goods

    seed_goods()
    from orders.demo import seed_orders

    seed_orders()
    from reviews.demo import seed_reviews

    seed_reviews()
    from microstore.sharing.demo import seed_sharing

    seed_sharing()
    seed_bans()
    return results


def seed_bans() -> None:
    """The demo admin bans the spammer once; an account with any history is left as it is."""
    admin = User.objects.filter(email="admin@example.com").first()
    if admin is None:
        return
    for email, reason in DEMO_BANS.items():
        user = User.objects.filter(email=email, account_events__isnull=True).first()
        if user is not None:
            user_ban(user=user, actor=admin, reason=reason)


def seed_stalls() -> None:
    """The demo stalls, opened through the real services (logo and banner through the image
    pipeline); one is on holiday, and 小美 follows two of them. Stalls already there are kept."""
    from shops import selectors as shop_selectors
    from shops import services as shop_services
    from shops.models import Status

    for index, stall in enumerate(STALLS):
        owner = User.objects.filter(email=stall.owner_email).first()
        if owner is None or shop_selectors.shop_owned_by(owner) is not None:
            continue
        shop = shop_services.shop_open(
            actor=owner,
            name=stall.name,
            tagline=stall.tagline,
            description=stall.description,
            region=stall.region,
            city=stall.city,
            wechat_id=stall.owner_email.split("@")[0],
            phone="",
            return_policy="7-day returns for anything unopened; write to us first.",
            shipping_regions=list(stall.shipping_regions),
            logo=SimpleUploadedFile("logo.png", draw_stall_picture(stall.name, index, 512, 512)),
            banner=SimpleUploadedFile(
                "banner.png", draw_stall_picture(stall.name, index, 1440, 480)
            ),
        )
        if stall.paused:
            shop_services.shop_transition(shop=shop, to=Status.PAUSED, actor=owner)
    xiaomei = User.objects.filter(email="xiaomei@example.com").first()
    if xiaomei and not xiaomei.follows.exists():
        for email in ("laogao@example.com", "qinling@example.com"):
            owner = User.objects.filter(email=email).first()
            shop = shop_selectors.shop_owned_by(owner) if owner else None
            if shop:
                shop_services.follow(user=xiaomei, shop=shop)
    from shops.demo import seed_digest, seed_updates, seed_verifications

    seed_verifications()
    seed_updates()
    seed_digest()


def draw_stall_picture(name: str, variant: int, width: int, height: int) -> bytes:
    """A PNG logo or banner drawn with Pillow: the awning stripes and the stall's first
    character (drawn as a simple shape, since the default font has no Chinese glyphs)."""
    dark, light = AVATAR_COLOURS[variant % len(AVATAR_COLOURS)]
    gradient = Image.linear_gradient("L").rotate(90).resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), dark), Image.new("RGB", (width, height), light), gradient
    )
    draw = ImageDraw.Draw(image)
    stripe = max(width // 12, 1)
    for index in range(12):
        colour = (255, 255, 255) if index % 2 else light
        draw.rectangle((index * stripe, 0, (index + 1) * stripe, height // 6), fill=colour)
    side = min(width, height) // 2
    left, top = (width - side) // 2, height // 3
    draw.rounded_rectangle(
        (left, top, left + side, top + side * 3 // 4), radius=side // 8, outline="white", width=8
    )
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


AVATAR_COLOURS = [((13, 92, 87), (240, 160, 75)), ((120, 60, 140), (250, 210, 120))]
AVATAR_COLOURS += [((30, 90, 170), (150, 220, 200)), ((170, 50, 40), (250, 190, 150))]


def draw_avatar(name: str, variant: int = 0, size: int = 512) -> bytes:
    """A JPEG drawn with Pillow (nothing downloaded): a gradient, a stall awning, initials."""
    latin = [word for word in re.split(r"[\s-]+", name) if word.isascii() and word[:1].isalpha()]
    initials = "".join(word[0] for word in latin)[:2].upper() or "?"
    dark, light = AVATAR_COLOURS[variant % len(AVATAR_COLOURS)]
    gradient = Image.linear_gradient("L").resize((size, size))
    image = Image.composite(
        Image.new("RGB", (size, size), dark), Image.new("RGB", (size, size), light), gradient
    )
    draw = ImageDraw.Draw(image)
    stripe = size // 8
    for index in range(8):  # the striped awning of a market stall
        colour = (255, 255, 255) if index % 2 else light
        draw.rectangle((index * stripe, 0, (index + 1) * stripe, size // 7), fill=colour)
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size * 0.58), initials, fill=(255, 255, 255), font=font, anchor="mm")
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


# (email, kind, context, hours ago, read)
DEMO_NOTIFICATIONS = [
    ("laogao@example.com", "account.welcome", {}, 72, True),
    (
        "laogao@example.com",
        "images.failed",
        {
            "purpose_label": "Stall logo",
            "reason": "The file ended early; it may not have finished uploading.",
        },
        2,
        False,
    ),
    ("xiaomei@example.com", "account.welcome", {}, 48, True),
    (
        "xiaomei@example.com",
        "square.news",
        {
            "headline": "Spring tea season opens on the square",
            "summary": "First-flush tea from Anxi and Wuyi stalls, with the garden on every tin.",
        },
        5,
        False,
    ),
]


def seed_notifications() -> None:
    """A few notifications, read and unread, for people who have none yet; 小美 has opted in
    to news from the square. Written as past events: seeding sends no mail."""
    people = {user.email: user for user in User.objects.filter(notifications__isnull=True)}
    now = timezone.now()
    for email, kind, context, hours_ago, read in DEMO_NOTIFICATIONS:
        if email in people:
            created_at = now - timedelta(hours=hours_ago)
            Notification.objects.create(
                recipient=people[email],
                kind=kind,
                context=context,
                created_at=created_at,
                read_at=created_at + timedelta(minutes=30) if read else None,
            )
    xiaomei = User.objects.filter(email="xiaomei@example.com").first()
    if xiaomei:
        for channel in ("web", "email"):
            preference_set(
                user=xiaomei, kind="square.news", channel=channel, enabled=True, actor=None
            )
