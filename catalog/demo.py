"""Demo goods for `make run`: a few realistic products on each demo stall, created through the
real services (photos through the real upload checks and image pipeline).

Idempotent: a product whose title is already on its stall is left alone.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from catalog import services
from catalog.models import Category, Product
from catalog.services import VariantRow

PHOTO_SIZE = 800  # above IMAGE_MIN_SHORT_SIDE["product"] (600)


@dataclass(frozen=True)
class DemoVariant:
    size: str
    price: str
    stock: int
    was: str = ""
    style: str = ""
    weight: int | None = None


@dataclass(frozen=True)
class DemoProduct:
    title: str
    category: str
    description: str
    variants: tuple[DemoVariant, ...]
    pictures: tuple[tuple[str, tuple[int, int, int], tuple[int, int, int]], ...]
    provenance: dict = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    own_test: str = ""
    draft: bool = False


ANXI = {
    "manufacturer": "安溪县感德镇老高茶叶专业合作社",
    "manufacturer_address": "福建省泉州市安溪县感德镇槐植村 18 号",
    "origin": "Gande, Anxi, Fujian (alt. 800 m)",
    "shelf_life": "18 months, sealed, cool and dry",
    "licence_number": "SC11435052400318",
}
QINLING = {
    "manufacturer": "柞水县秦岭土蜂蜜养殖场",
    "manufacturer_address": "陕西省商洛市柞水县营盘镇朱家湾村 3 组",
    "origin": "Qinling mountains above 1,000 m, Zhashui, Shaanxi",
    "shelf_life": "24 months",
    "licence_number": "SC12661102600452",
}
JINGDEZHEN = {
    "manufacturer": "景德镇陶师傅手作工作室",
    "manufacturer_address": "江西省景德镇市珠山区陶溪川创意园 B 区 12 号",
    "origin": "Jingdezhen, Jiangxi",
    "shelf_life": "Does not expire (fired porcelain)",
    "licence_number": "JDZ-HANDMADE-2021-0318",
}

GOODS = {
    "laogao@example.com": [
        DemoProduct(
            "安溪铁观音 清香型 Tieguanyin, light roast",
            "tea",
            "Spring-picked Tieguanyin from our own slope in Gande, rolled by hand and lightly "
            "roasted. Orchid aroma, a sweet finish; brews seven times.",
            (
                DemoVariant("100 g tin", "68.00", 40, weight=180),
                DemoVariant("250 g tin", "158.00", 3, was="178.00", weight=380),
            ),
            (("tin", (13, 92, 87), (240, 160, 75)), ("leaves", (214, 230, 200), (60, 120, 60))),
            {**ANXI, "batch": "2025-SPRING-07", "production_date": date(2025, 4, 18)},
            ("oolong", "Anxi", "spring harvest"),
            "I brew it every morning at 95 °C, 7 g in a 110 ml gaiwan: the seventh infusion is "
            "still sweet.",
        ),
        DemoProduct(
            "安溪黄金桂 Huangjingui",
            "tea",
            "The 'golden osmanthus' oolong: floral and bright, the first tea picked each spring.",
            (DemoVariant("125 g pouch", "48.00", 25, weight=150),),
            (("leaves", (250, 230, 160), (160, 120, 30)),),
            {**ANXI, "batch": "2025-SPRING-02"},
            ("oolong", "Anxi"),
        ),
        DemoProduct(
            "炭焙铁观音 Charcoal-roasted Tieguanyin",
            "tea",
            "Roasted three times over longan charcoal. Back in autumn, once the roast has rested.",
            (DemoVariant("250 g tin", "188.00", 0, weight=380),),
            (("tin", (70, 40, 30), (200, 120, 60)),),
            {**ANXI, "production_date": date(2025, 10, 2)},
            ("oolong", "roasted"),
            draft=True,
        ),
    ],
    "qinling@example.com": [
        DemoProduct(
            "秦岭百花蜜 Wildflower honey",
            "honey-preserves",
            "Raw, unfiltered honey from chestnut, linden and wild flowers; never heated, so it "
            "crystallises in winter: that is how you know.",
            (
                DemoVariant("500 g jar", "88.00", 30, weight=700),
                DemoVariant("1 kg jar", "158.00", 12, weight=1300),
            ),
            (("jar", (250, 240, 220), (225, 150, 30)), ("comb", (240, 200, 90), (200, 130, 20))),
            {**QINLING, "batch": "QL-2025-06", "production_date": date(2025, 6, 20)},
            ("raw honey", "Qinling"),
            "A spoon in warm (not hot) water every evening; my children eat it on steamed buns.",
        ),
        DemoProduct(
            "椴树蜜 Linden honey",
            "honey-preserves",
            "Pale, fragrant honey from linden blossom in July. This year's harvest sold out; "
            "the next comes in summer.",
            (DemoVariant("500 g jar", "98.00", 0, weight=700),),
            (("jar", (245, 245, 230), (240, 210, 120)),),
            {**QINLING, "batch": "QL-2025-07"},
            ("raw honey", "linden"),
        ),
        DemoProduct(
            "秦岭蜂巢蜜 Honeycomb",
            "honey-preserves",
            "A whole frame of capped comb, cut into a box. Chew the wax or spread it on toast.",
            (DemoVariant("400 g box", "128.00", 12, weight=550),),
            (("comb", (250, 220, 120), (180, 110, 10)),),
            {**QINLING, "batch": "QL-2025-08", "production_date": date(2025, 8, 9)},
            ("honeycomb",),
        ),
    ],
    "jingdezhen@example.com": [
        DemoProduct(
            "青花手绘主人杯 Blue-and-white master cup",
            "ceramics-tableware",
            "Thrown, painted and fired in our workshop. 80 ml. Each cup is a little different.",
            (
                DemoVariant("80 ml", "168.00", 6, style="lotus"),
                DemoVariant("80 ml", "168.00", 2, style="carp"),
            ),
            (("cup", (235, 240, 250), (30, 70, 160)), ("cup", (250, 250, 250), (60, 110, 190))),
            {**JINGDEZHEN, "batch": "KILN-2025-11"},
            ("porcelain", "teaware", "handmade"),
            "Poured boiling water straight in, twenty times over a week: no crackle, no smell.",
        ),
        DemoProduct(
            "影青盖碗 Qingbai gaiwan",
            "ceramics-tableware",
            "The pale blue-white glaze of the Song dynasty, on a 120 ml lidded bowl for tea.",
            (DemoVariant("120 ml", "238.00", 8),),
            (("bowl", (220, 235, 235), (120, 170, 170)),),
            # Partial on purpose: the workshop and town, nothing else yet.
            {"manufacturer": JINGDEZHEN["manufacturer"], "origin": JINGDEZHEN["origin"]},
            ("porcelain", "gaiwan"),
        ),
        DemoProduct(
            "柴烧茶壶 Wood-fired teapot",
            "ceramics-tableware",
            "Fired for three days in a wood kiln; the ash glaze lands where the flame decides.",
            (DemoVariant("200 ml", "680.00", 1),),
            (("pot", (200, 180, 160), (110, 70, 40)),),
            {**JINGDEZHEN, "production_date": date(2025, 9, 1)},
            ("wood-fired", "teapot"),
        ),
    ],
}


@transaction.atomic
def seed_goods() -> int:
    """Create the demo goods; return how many were created now."""
    from microstore.accounts.models import User
    from shops.selectors import shop_owned_by

    created = 0
    categories = {c.slug: c for c in Category.objects.all()}
    for email, goods in GOODS.items():
        owner = User.objects.filter(email=email).first()
        shop = shop_owned_by(owner) if owner else None
        if shop is None or shop.is_closed:
            continue
        for index, item in enumerate(goods):
            if Product.objects.filter(shop=shop, title=item.title).exists():
                continue
            product = services.product_save(
                shop=shop,
                actor=owner,
                fields={
                    "title": item.title,
                    "description": item.description,
                    "category": categories[item.category],
                    "tags": list(item.tags),
                    "own_test_notes": item.own_test,
                },
                variants=[
                    VariantRow(
                        options={"size": v.size, "style": v.style},
                        price=Decimal(v.price),
                        was_price=Decimal(v.was) if v.was else None,
                        stock=v.stock,
                        weight_grams=v.weight,
                    )
                    for v in item.variants
                ],
                provenance={"production_date": None, "batch": "", **item.provenance},
                new_photos=[
                    SimpleUploadedFile(
                        f"photo-{n}.png", draw_product_photo(kind, ground, colour, seed=index + n)
                    )
                    for n, (kind, ground, colour) in enumerate(item.pictures)
                ],
            )
            if not item.draft:
                services.product_publish(product=product, actor=owner)
            created += 1
    return created


def draw_product_photo(
    kind: str, ground, colour, *, seed: int = 0, size: int = PHOTO_SIZE
) -> bytes:
    """A PNG "photo" drawn with Pillow: a soft backdrop and a simple shape per kind of goods
    (tin, leaves, jar, comb, cup, bowl, pot), so every product looks different."""
    image = Image.new("RGB", (size, size), ground)
    draw = ImageDraw.Draw(image)
    shade = tuple(max(c - 40, 0) for c in ground)
    draw.rectangle((0, size * 0.72, size, size), fill=shade)  # the table
    cx, s = size / 2, size / 8
    if kind == "tin":
        draw.rounded_rectangle(
            (cx - 1.6 * s, 2 * s, cx + 1.6 * s, 6 * s), radius=s / 3, fill=colour
        )
        draw.rectangle((cx - 1.7 * s, 1.6 * s, cx + 1.7 * s, 2.3 * s), fill=shade)
        draw.ellipse((cx - 0.8 * s, 3.2 * s, cx + 0.8 * s, 4.8 * s), outline="white", width=8)
    elif kind == "leaves":
        for n in range(9):
            angle = (n + seed) * 2 * math.pi / 9
            x, y = cx + math.cos(angle) * 2 * s, size * 0.45 + math.sin(angle) * 2 * s
            draw.ellipse((x - s, y - s / 2.5, x + s, y + s / 2.5), fill=colour, outline=shade)
    elif kind == "jar":
        draw.rounded_rectangle(
            (cx - 1.8 * s, 2.4 * s, cx + 1.8 * s, 6 * s), radius=s / 2, fill=colour
        )
        draw.rectangle((cx - 1.4 * s, 1.6 * s, cx + 1.4 * s, 2.4 * s), fill=(180, 40, 40))
        draw.rectangle((cx - s, 3.4 * s, cx + s, 4.6 * s), fill=ground)
    elif kind == "comb":
        r = s * 0.7
        for row in range(5):
            for col in range(5):
                x = s * 1.6 + col * r * 1.8 + (row % 2) * r * 0.9
                y = s * 1.5 + row * r * 1.55
                points = [
                    (
                        x + r * math.cos(math.pi / 3 * k + math.pi / 6),
                        y + r * math.sin(math.pi / 3 * k + math.pi / 6),
                    )
                    for k in range(6)
                ]
                draw.polygon(points, fill=colour, outline=shade, width=6)
    elif kind == "cup":
        draw.polygon(
            [
                (cx - 1.8 * s, 2.8 * s),
                (cx + 1.8 * s, 2.8 * s),
                (cx + 1.1 * s, 5.6 * s),
                (cx - 1.1 * s, 5.6 * s),
            ],
            fill="white",
            outline=colour,
        )
        for n in range(3):
            y = 3.4 * s + n * 0.7 * s
            draw.arc(
                (cx - 1.2 * s, y - 0.4 * s, cx + 1.2 * s, y + 0.4 * s),
                0,
                180,
                fill=colour,
                width=10,
            )
    elif kind == "bowl":
        draw.pieslice((cx - 2.2 * s, 1.6 * s, cx + 2.2 * s, 5.8 * s), 0, 180, fill=colour)
        draw.ellipse((cx - 1.8 * s, 2.2 * s, cx + 1.8 * s, 3.4 * s), fill=shade)
        draw.ellipse((cx - 0.3 * s, 1.7 * s, cx + 0.3 * s, 2.3 * s), fill=colour)
    else:  # pot
        draw.ellipse((cx - 1.8 * s, 2.6 * s, cx + 1.8 * s, 5.8 * s), fill=colour)
        draw.polygon(
            [(cx + 1.6 * s, 3.6 * s), (cx + 3 * s, 2.8 * s), (cx + 1.6 * s, 4.4 * s)], fill=colour
        )
        draw.arc((cx - 2.8 * s, 3 * s, cx - 1.2 * s, 5 * s), 90, 270, fill=colour, width=16)
        draw.ellipse((cx - 0.4 * s, 2.1 * s, cx + 0.4 * s, 2.8 * s), fill=shade)
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
