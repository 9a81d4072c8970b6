"""A made-up catalogue for benchmarks: N stalls and M products with variants, loaded fast.

``generate_catalog(stalls=2000, products=1_000_000)`` adds stalls (each with an owner, the
owner's membership and a confirmed email address; some identity- or business-verified, a few
on holiday, closed or suspended) and goods spread over them unevenly, as on a real square:
a few big stalls, many small ones. Each product has one to three variants, most have a
provenance card (complete or partial), and all derived columns (``price_min``, ``stock_total``,
``provenance_complete``, ``search_title``/``search_body``…) are filled as the services would.

Titles and descriptions are composed from word lists (Chinese goods words, places, selling
phrases and English names) drawn with a Zipf-like distribution, so some terms are in a third of
all goods (``COMMON_TERM``) and some in a few hundred (``RARE_TERM``).

Speed: on PostgreSQL products, variants and provenance cards go in with ``COPY`` (an in-memory
buffer per batch), while a second thread composes the next batch; indexes and constraints stay
in place. jieba is far too slow to run a million times, but every title and description is
made of known pieces separated by spaces or punctuation, and jieba never looks across those,
so each piece is segmented once and the tokens are merged exactly as ``index_text`` merges
them. A sample of every run is checked against ``index_text`` itself; if they ever disagree,
the loader falls back to ``index_text`` in a process pool. Then ``VACUUM ANALYZE``.

On SQLite (tests, small N) the same rows go in with ``bulk_create``.

No stock movements, photos or verification requests are made: the goods are for measuring
listing and search, not for following a stall's history.
"""

# Chinese punctuation is meant (RUF001); random numbers make up data, not secrets (S311).
# ruff: noqa: RUF001, S311

import bisect
import io
import json
import math
import multiprocessing
import os
import random
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from catalog import search
from catalog.models import Category, Product, ProvenanceCard, Status, Variant
from microstore.accounts.models import User
from microstore.money import CNY
from shops.models import CODE_ALPHABET, CODE_LENGTH, Region, Shop, ShopMember
from shops.services import slug_base

# --- word lists -------------------------------------------------------------------------------
# Lists are in rank order: the first word of each is drawn most often (weight 1/rank**s).


@dataclass(frozen=True)
class Kind:
    """A kind of goods: the category it goes in and the words its titles are made of."""

    category: str  # slug in the default tree (catalog migration 0002)
    weight: int
    word: tuple[str, str]  # the category's own word, Chinese and English
    nouns: tuple[tuple[str, str], ...]
    origins: tuple[tuple[str, str], ...]
    features: tuple[str, ...]
    sizes: tuple[str, ...]
    option: str  # "size" or "style"
    price: tuple[int, int]  # yuan, for the smallest size
    grams: int


# fmt: off
KINDS = (
    Kind(
        "tea", 30, ("茶叶", "tea"),
        (("铁观音", "Tieguanyin"), ("龙井", "Longjing"), ("普洱", "Puer"),
         ("大红袍", "Da Hong Pao"), ("白茶", "white tea"), ("红茶", "black tea"),
         ("绿茶", "green tea"), ("乌龙茶", "oolong"), ("碧螺春", "Biluochun"),
         ("茉莉花茶", "jasmine tea"), ("金骏眉", "Jin Jun Mei"), ("正山小种", "Lapsang souchong"),
         ("毛峰", "Maofeng"), ("六安瓜片", "Lu'an Guapian"), ("岩茶", "rock tea"),
         ("单丛", "Dancong"), ("白毫银针", "Silver Needle"), ("寿眉", "Shou Mei"),
         ("滇红", "Dianhong"), ("猴魁", "Houkui"), ("毛尖", "Maojian"), ("竹叶青", "Zhuyeqing"),
         ("古树茶", "old-tree tea"), ("熟普", "ripe Puer"), ("生普", "raw Puer"),
         ("黄茶", "yellow tea"), ("黑茶", "dark tea"), ("茯砖", "Fu brick")),
        (("安溪", "Anxi"), ("杭州", "Hangzhou"), ("西湖", "West Lake"), ("云南", "Yunnan"),
         ("武夷山", "Wuyishan"), ("福鼎", "Fuding"), ("黄山", "Huangshan"), ("信阳", "Xinyang"),
         ("勐海", "Menghai"), ("祁门", "Qimen"), ("潮州", "Chaozhou"), ("雅安", "Ya'an")),
        ("手工采摘", "一芽一叶", "清香回甘", "耐冲泡", "传统炭焙", "高山云雾", "条索紧结",
         "汤色明亮", "兰花香", "口感醇厚"),
        ("50g", "100g", "250g", "500g"), "size", (38, 680), 100,
    ),
    Kind(
        "honey-preserves", 12, ("蜂蜜", "honey"),
        (("土蜂蜜", "wild honey"), ("槐花蜜", "acacia honey"), ("枣花蜜", "jujube honey"),
         ("百花蜜", "wildflower honey"), ("椴树蜜", "linden honey"), ("蜂巢蜜", "honeycomb"),
         ("桂花酱", "osmanthus jam"), ("草莓酱", "strawberry jam"), ("蓝莓酱", "blueberry jam"),
         ("枇杷膏", "loquat syrup"), ("玫瑰酱", "rose jam"), ("荆条蜜", "vitex honey")),
        (("秦岭", "Qinling"), ("长白山", "Changbaishan"), ("神农架", "Shennongjia"),
         ("伏牛山", "Funiu"), ("大别山", "Dabie"), ("东北", "Northeast"), ("新疆", "Xinjiang")),
        ("自然成熟", "不加糖", "原蜜无添加", "结晶是正常现象", "深山散养", "冲水即饮",
         "温水冲调", "浓稠拉丝"),
        ("250g", "500g", "1kg"), "size", (29, 198), 250,
    ),
    Kind(
        "fresh-produce", 8, ("生鲜", "fresh"),
        (("猕猴桃", "kiwi"), ("脐橙", "navel orange"), ("荔枝", "lychee"), ("芒果", "mango"),
         ("香菇", "shiitake"), ("春笋", "bamboo shoots"), ("红薯", "sweet potato"),
         ("苹果", "apple"), ("石榴", "pomegranate"), ("杨梅", "bayberry"), ("樱桃", "cherry"),
         ("土鸡蛋", "free-range eggs")),
        (("赣南", "Gannan"), ("烟台", "Yantai"), ("周至", "Zhouzhi"), ("攀枝花", "Panzhihua"),
         ("增城", "Zengcheng"), ("仙居", "Xianju"), ("会理", "Huili")),
        ("现摘现发", "坏果包赔", "顺丰冷链", "自然成熟", "个大饱满", "酸甜多汁"),
        ("2.5kg", "5kg", "10kg"), "size", (35, 168), 2500,
    ),
    Kind(
        "snacks", 10, ("零食", "snack"),
        (("核桃", "walnut"), ("红枣", "jujube"), ("枸杞", "goji"), ("牛肉干", "beef jerky"),
         ("瓜子", "sunflower seeds"), ("板栗", "chestnut"), ("花生", "peanut"),
         ("腊肉", "cured pork"), ("米糕", "rice cake"), ("麻花", "dough twist"),
         ("芝麻糖", "sesame candy"), ("桃酥", "walnut cookie")),
        (("新疆", "Xinjiang"), ("宁夏", "Ningxia"), ("内蒙古", "Inner Mongolia"),
         ("湖南", "Hunan"), ("四川", "Sichuan"), ("天津", "Tianjin"), ("云南", "Yunnan")),
        ("现做现发", "无添加", "独立小包装", "香脆可口", "老人小孩都爱吃", "办公室零食"),
        ("250g", "500g", "1kg"), "size", (15, 120), 250,
    ),
    Kind(
        "skincare", 5, ("护肤", "skincare"),
        (("手工皂", "handmade soap"), ("面霜", "face cream"), ("护手霜", "hand cream"),
         ("精油", "essential oil"), ("面膜", "face mask"), ("润唇膏", "lip balm"),
         ("洗发皂", "shampoo bar")),
        (("云南", "Yunnan"), ("新疆", "Xinjiang"), ("海南", "Hainan"), ("广西", "Guangxi")),
        ("植物配方", "温和不刺激", "孕妇可用", "冷制工艺", "滋润保湿"),
        ("30g", "50g", "100g"), "size", (25, 260), 60,
    ),
    Kind(
        "mother-baby", 3, ("母婴", "baby"),
        (("口水巾", "bib"), ("婴儿袜", "baby socks"), ("米粉", "rice cereal"),
         ("抱被", "swaddle"), ("棉尿布", "cloth nappy")),
        (("南通", "Nantong"), ("杭州", "Hangzhou"), ("广州", "Guangzhou")),
        ("纯棉", "柔软透气", "A类标准", "可机洗"),
        ("3件装", "5件装", "10件装"), "size", (19, 99), 150,
    ),
    Kind(
        "health", 3, ("保健", "health"),
        (("灵芝", "lingzhi"), ("人参", "ginseng"), ("石斛", "dendrobium"), ("阿胶", "ejiao"),
         ("燕窝", "bird's nest"), ("三七", "notoginseng")),
        (("长白山", "Changbaishan"), ("霍山", "Huoshan"), ("文山", "Wenshan"),
         ("东阿", "Dong'e")),
        ("正品保证", "可溯源", "送礼佳品", "切片即食"),
        ("50g", "100g", "250g"), "size", (88, 1280), 100,
    ),
    Kind(
        "ceramics-tableware", 12, ("陶瓷", "porcelain"),
        (("茶杯", "teacup"), ("茶壶", "teapot"), ("盖碗", "gaiwan"),
         ("青花瓷", "blue and white"), ("茶具", "tea set"), ("花瓶", "vase"),
         ("饭碗", "rice bowl"), ("盘子", "plate"), ("公道杯", "fair cup"),
         ("建盏", "tenmoku bowl"), ("粗陶", "stoneware"), ("马克杯", "mug")),
        (("景德镇", "Jingdezhen"), ("德化", "Dehua"), ("龙泉", "Longquan"),
         ("建阳", "Jianyang"), ("醴陵", "Liling")),
        ("手工拉坯", "柴窑烧制", "釉色温润", "可进洗碗机", "一窑一色", "手绘图案"),
        ("单只", "一对", "四件套"), "style", (28, 880), 300,
    ),
    Kind(
        "textiles", 5, ("家纺", "textiles"),
        (("扎染", "tie-dye"), ("真丝围巾", "silk scarf"), ("桌布", "tablecloth"),
         ("枕套", "pillowcase"), ("蜀绣", "Shu embroidery"), ("苏绣", "Suzhou embroidery"),
         ("蓝印花布", "indigo print"), ("棉麻", "linen")),
        (("大理", "Dali"), ("苏州", "Suzhou"), ("成都", "Chengdu"), ("南通", "Nantong")),
        ("植物染色", "手工缝制", "不起球", "亲肤透气"),
        ("小号", "中号", "大号"), "size", (39, 560), 200,
    ),
    Kind(
        "handmade", 7, ("手工", "handmade"),
        (("竹编", "bamboo weaving"), ("木雕", "wood carving"), ("剪纸", "paper cut"),
         ("紫砂壶", "Yixing teapot"), ("银饰", "silver jewellery"),
         ("油纸伞", "paper umbrella"), ("香囊", "sachet"), ("漆器", "lacquerware")),
        (("宜兴", "Yixing"), ("东阳", "Dongyang"), ("泸州", "Luzhou"), ("苗寨", "Miao village"),
         ("平遥", "Pingyao")),
        ("非遗手艺", "可定制刻字", "每件略有不同", "匠人手作"),
        ("标准款", "定制款"), "style", (48, 1680), 400,
    ),
)

# Selling words that go with any kind; "包邮" (free shipping) is on a third of all goods.
MODIFIERS = (
    ("包邮", "free shipping"), ("特级", "premium"), ("新品", "new"), ("正宗", "authentic"),
    ("手工", "handmade"), ("农家自产", "farm grown"), ("有机", "organic"), ("野生", "wild"),
    ("礼盒装", "gift box"), ("原产地直发", "from origin"), ("高山", "highland"),
    ("古法", "traditional"), ("散装", "loose"), ("精选", "selected"),
    ("老字号", "heritage brand"), ("非遗", "intangible heritage"), ("小罐装", "small tin"),
    ("家用", "everyday"), ("送礼", "gift"), ("限量", "limited"),
)

# Provinces, prefectures and counties, the long tail: the last ones name a few hundred goods
# in a million.
PLACES = (
    "福建", "浙江", "云南", "四川", "江西", "湖南", "陕西", "广东", "贵州", "安徽", "湖北",
    "广西", "河南", "山东", "江苏", "甘肃", "宁夏", "吉林", "黑龙江", "辽宁", "河北", "山西",
    "海南", "重庆", "临沧", "普洱市", "西双版纳", "大理", "丽江", "保山", "德宏", "泉州",
    "南平", "宁德", "龙岩", "漳州", "三明", "莆田", "温州", "丽水", "金华", "湖州", "绍兴",
    "衢州", "台州", "舟山", "宜宾", "乐山", "眉山", "广元", "巴中", "达州", "凉山", "阿坝",
    "甘孜", "赣州", "上饶", "九江", "吉安", "抚州", "宜春", "萍乡", "怀化", "湘西", "张家界",
    "常德", "益阳", "郴州", "永州", "邵阳", "汉中", "安康", "商洛", "宝鸡", "延安", "榆林",
    "梅州", "清远", "韶关", "河源", "揭阳", "汕头", "肇庆", "遵义", "铜仁", "毕节", "黔东南",
    "黔南", "六盘水", "安顺", "黄冈", "恩施", "宜昌", "襄阳", "十堰", "咸宁", "孝感", "荆州",
    "桂林", "柳州", "百色", "河池", "梧州", "玉林", "钦州", "南阳", "洛阳", "三门峡", "驻马店",
    "周口", "商丘", "开封", "临沂", "潍坊", "泰安", "日照", "威海", "济宁", "聊城", "徐州",
    "盐城", "连云港", "淮安", "宿迁", "扬州", "泰州", "镇江", "天水", "陇南", "定西", "平凉",
    "庆阳", "张掖", "武威", "酒泉", "固原", "中卫", "吴忠", "延边", "通化", "白山", "牡丹江",
    "佳木斯", "伊春", "黑河", "丹东", "本溪", "承德", "张家口", "保定", "邯郸", "大同", "忻州",
    "吕梁", "晋城", "长治", "三亚", "琼海", "万宁", "五指山", "黔江", "巫山", "奉节", "酉阳",
)

SERVICE_SENTENCES = (
    ("顺丰包邮", "七天无理由退换"), ("当天发货", "支持开票"), ("坏了包赔", "售后无忧"),
    ("一件代发", "量大从优"),
)
ENGLISH_FEATURES = (
    "Shipped within 48 hours.", "Packed by hand.", "Small batch.", "From our own farm.",
    "Ask us anything before you buy.", "Gift wrapping on request.",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀英", "华", "慧", "建国", "春花", "小燕", "志强", "文", "玲")
STALL_PATTERNS = ("{person}的{word}铺", "{origin}{noun}坊", "{person}师傅{word}",
                  "{origin}{word}合作社", "{person}家{noun}", "{origin}{noun}小店")
CITIES = ("县城", "镇上", "山里", "村里")

# Provinces of each kind's origins, for the stall's region (roughly right is enough).
KIND_REGIONS = {
    "tea": ("fujian", "zhejiang", "yunnan", "anhui", "guangdong", "sichuan"),
    "honey-preserves": ("shaanxi", "jilin", "hubei", "henan", "xinjiang"),
    "fresh-produce": ("jiangxi", "shandong", "shaanxi", "sichuan", "guangdong", "zhejiang"),
    "snacks": ("xinjiang", "ningxia", "inner_mongolia", "hunan", "sichuan", "tianjin"),
    "ceramics-tableware": ("jiangxi", "fujian", "zhejiang", "hunan"),
    "handmade": ("jiangsu", "zhejiang", "sichuan", "guizhou", "shanxi"),
}
# fmt: on

COMMON_TERM = MODIFIERS[0][0]  # "包邮": in about a third of all goods
COMMON_KIND_TERM = KINDS[0].word[0]  # "茶叶": in about a fifth
RARE_TERM = PLACES[-1]  # "酉阳": in a few hundred goods per million


# --- the rows --------------------------------------------------------------------------------


class Zipf:
    """Items drawn with weight 1 / rank**s (rank from 1)."""

    def __init__(self, items, s: float = 1.0, weights=None):
        self.items = tuple(items)
        weights = weights or [1 / (rank**s) for rank in range(1, len(self.items) + 1)]
        total, self.cumulative = 0.0, []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass
class Piece:
    """A run of text that no other piece touches (spaces or punctuation around it)."""

    text: str
    sep: str = " "


@dataclass
class GeneratedProduct:
    values: dict  # Product columns by attname
    variants: list[dict]
    provenance: dict | None
    title: list[Piece] = field(repr=False)
    description: list[Piece] = field(repr=False)


@dataclass
class Result:
    stalls: int = 0
    products: int = 0
    variants: int = 0
    provenance_cards: int = 0
    seconds: float = 0.0
    index_check: str = ""


def _text(pieces: list[Piece]) -> str:
    return "".join(piece.text + piece.sep for piece in pieces).rstrip()


class Catalogue:
    """Makes stalls and products from one seed; knows nothing about the database."""

    def __init__(self, *, seed: int, categories: dict[str, tuple[int, int]], now: datetime):
        """``categories``: slug → (id, top-level id) of the leaves of the category tree."""
        self.seed = seed
        self.now = now
        self.kinds = Zipf(KINDS, weights=[kind.weight for kind in KINDS])
        self.nouns = {kind.category: Zipf(kind.nouns, s=1.0) for kind in KINDS}
        self.origins = {kind.category: Zipf(kind.origins, s=0.8) for kind in KINDS}
        self.modifiers = Zipf(MODIFIERS, s=1.1)
        self.places = Zipf(PLACES, s=1.1)
        # A kind whose category is missing (an admin edited the tree) goes in any leaf.
        leaves = sorted(categories.values())
        self.category_of = {
            kind.category: categories.get(kind.category, leaves[i % len(leaves)])
            for i, kind in enumerate(KINDS)
        }
        self._slugs: dict[str, str] = {}

    # --- stalls ---

    def stalls(self, count: int, *, taken_codes: set[str], taken_slugs: set[str]) -> list[dict]:
        rng = random.Random(f"{self.seed}-stalls")
        stalls = []
        while len(stalls) < count:
            code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code in taken_codes:
                continue
            taken_codes.add(code)
            kind = self.kinds.pick(rng)
            person = rng.choice(SURNAMES) + rng.choice(GIVEN)
            name = rng.choice(STALL_PATTERNS).format(
                person=person,
                word=kind.word[0],
                noun=self.nouns[kind.category].pick(rng)[0],
                origin=self.origins[kind.category].pick(rng)[0],
            )[:60]
            slug = f"{slug_base(name)[:50]}-{code}"
            if slug in taken_slugs:
                continue
            taken_slugs.add(slug)
            opened = self.now - timedelta(days=rng.uniform(30, 1500))
            roll = rng.random()
            status = (
                Shop.Status.OPEN
                if roll < 0.88
                else Shop.Status.PAUSED
                if roll < 0.95
                else Shop.Status.CLOSED
                if roll < 0.99
                else Shop.Status.SUSPENDED
            )
            stall = {
                "kind": kind,
                "weight": 1 / (len(stalls) + 1) ** 0.8,  # a few big stalls, many small ones
                "person": person,
                "email": f"seller-{code}@example.com",
                "opened": opened,
                "shop": {
                    "name": name,
                    "slug": slug,
                    "code": code,
                    "tagline": f"{rng.choice(kind.features)}，{rng.choice(kind.features)}",
                    "region": rng.choice(KIND_REGIONS.get(kind.category, Region.values)),
                    "city": rng.choice(CITIES),
                    "status": status,
                    "suspended_reason": "批量测试数据" if status == Shop.Status.SUSPENDED else "",
                    "shipping_regions": rng.sample(Region.values, rng.randint(0, 6)),
                    "followers_count": int(rng.paretovariate(1.2)) - 1,
                },
            }
            roll = rng.random()
            if roll < 0.35:  # verified, and still valid
                at = self.now - timedelta(days=rng.uniform(1, 300))
                stall["shop"] |= {
                    "identity_verified_at": at,
                    "identity_verified_until": at + timedelta(days=365),
                }
                if rng.random() < 0.3:
                    stall["shop"] |= {
                        "business_verified_at": at,
                        "business_verified_until": at + timedelta(days=365),
                    }
            elif roll < 0.40:  # verified once, expired
                at = self.now - timedelta(days=rng.uniform(370, 700))
                stall["shop"] |= {
                    "identity_verified_at": at,
                    "identity_verified_until": at + timedelta(days=365),
                }
            stalls.append(stall)
        rng.shuffle(stalls)  # big stalls are not all the oldest codes
        return stalls

    # --- products ---

    def _slug(self, piece: str) -> str:
        slug = self._slugs.get(piece)
        if slug is None:
            slug = self._slugs[piece] = slug_base(piece)
        return slug

    def products(self, ids: list[int], stalls: list[dict], *, batch_no: int):
        """One batch: products for ``ids`` (reserved by the caller), with variants and cards."""
        rng = random.Random(f"{self.seed}-products-{batch_no}")
        shops = Zipf(stalls, weights=[stall["weight"] for stall in stalls])
        for product_id in ids:
            stall = shops.pick(rng)
            kind = stall["kind"] if rng.random() < 0.8 else self.kinds.pick(rng)
            yield self._product(rng, product_id, stall, kind)

    def _product(self, rng: random.Random, product_id: int, stall: dict, kind: Kind):
        noun_zh, noun_en = self.nouns[kind.category].pick(rng)
        origin_zh, origin_en = self.origins[kind.category].pick(rng)
        modifiers = {self.modifiers.pick(rng) for _ in range(rng.choice((1, 1, 2, 2, 3)))}
        sizes = kind.sizes[: rng.choice((1, 1, 1, 2, 2, 3))]
        variant_count = len(sizes)

        title = []
        if rng.random() < 0.3:
            title.append(Piece(self.places.pick(rng)))
        # "西湖龙井茶叶": origin, noun and the category's word run together half the time.
        head = origin_zh + noun_zh + (kind.word[0] if rng.random() < 0.3 else "")
        title.append(Piece(head))
        title += [Piece(zh) for zh, _en in sorted(modifiers)]
        if rng.random() < 0.4:
            title.append(Piece(kind.word[0]))
        title.append(Piece(sizes[0]))
        english = [noun_en, kind.word[1]] if kind.word[1] not in noun_en else [noun_en]
        title.append(Piece(" ".join(english).capitalize()))

        features = rng.sample(kind.features, 2)
        description = [
            Piece(origin_zh + noun_zh, "，"),
            Piece(features[0], "，"),
            Piece(features[1], "。"),
        ]
        if rng.random() < 0.5:
            description += [Piece("产地", "："), Piece(self.places.pick(rng), "。")]
        if rng.random() < 0.6:
            first, second = rng.choice(SERVICE_SENTENCES)
            description += [Piece(first, "，"), Piece(second, "。")]
        if rng.random() < 0.4:
            description += [
                Piece(f"{noun_en.capitalize()} from {origin_en}."),
                Piece(rng.choice(ENGLISH_FEATURES)),
            ]
        tags = list(dict.fromkeys([kind.word[0], *(zh for zh, _en in sorted(modifiers))]))
        tags = tags[: rng.randint(0, 3)]

        created = self.now - timedelta(seconds=rng.uniform(3600, 730 * 86400))
        roll = rng.random()
        status = Status.PUBLISHED if roll < 0.90 else Status.DRAFT if roll < 0.97 else Status.HIDDEN
        published = (
            created + timedelta(seconds=rng.uniform(60, 3 * 86400))
            if status != Status.DRAFT
            else None
        )
        variants = self._variants(rng, product_id, stall, kind, sizes, created)
        cheapest = min(variants, key=lambda v: (v["price"], v["position"]))
        provenance, complete = self._provenance(rng, product_id, origin_zh, kind, created)
        values = {
            "id": product_id,
            "shop_id": stall["id"],
            "title": _text(title),
            "slug": f"{self._slug(head)[:60].strip('-') or 'item'}-{product_id}",
            "description": _text(description),
            "category_id": self.category_of[kind.category][0],
            "top_category_id": self.category_of[kind.category][1],
            "status": status,
            "hidden_reason": "批量测试：隐藏的商品" if status == Status.HIDDEN else "",
            "tags": tags,
            "own_test_notes": "",
            "cover_id": None,
            "published_at": published,
            "created_at": created,
            "updated_at": published or created,
            "price_min": cheapest["price"],
            "was_price_min": cheapest["was_price"],
            "stock_total": sum(v["stock"] for v in variants),
            "variant_count": variant_count,
            "provenance_complete": complete,
        }
        return GeneratedProduct(values, variants, provenance, title, description)

    def _variants(self, rng, product_id: int, stall: dict, kind: Kind, sizes, created):
        low, high = kind.price
        price = Decimal(math.exp(rng.uniform(math.log(low), math.log(high)))).quantize(Decimal(1))
        variants = []
        for position, size in enumerate(sizes):
            step = Decimal(2) ** position
            variant_price = (price * step * Decimal("0.9") ** position).quantize(Decimal("0.01"))
            was = (
                (variant_price * Decimal("1.25")).quantize(Decimal(1))
                if rng.random() < 0.2
                else None
            )
            stock = 0 if rng.random() < 0.12 else int(rng.paretovariate(1.1) * 5)
            variants.append(
                {
                    "shop_id": stall["id"],
                    "product_id": product_id,
                    "options": {kind.option: size},
                    "name": size,
                    "sku": f"G{product_id}-{position + 1}",
                    "price": variant_price,
                    "was_price": was if was and was > variant_price else None,
                    "currency": CNY,
                    "stock": min(stock, 100_000),
                    "low_stock_threshold": 5,
                    "weight_grams": kind.grams * int(step),
                    "position": position,
                    "created_at": created,
                    "updated_at": created,
                }
            )
        return variants

    def _provenance(self, rng, product_id: int, origin: str, kind: Kind, created):
        roll = rng.random()
        if roll >= 0.8:
            return None, False  # "not given by the seller"
        card = {
            "product_id": product_id,
            "manufacturer": f"{origin}{kind.word[0]}专业合作社",
            "manufacturer_address": f"{origin}{rng.choice(PLACES)}路 {rng.randint(1, 300)} 号",
            "origin": origin,
            "production_date": (created - timedelta(days=rng.randint(1, 200))).date(),
            "batch": "",
            "shelf_life": rng.choice(("12个月", "18个月", "24个月", "36个月")),
            "licence_number": f"SC{rng.randrange(10**13, 10**14)}",
            "certificate_id": None,
            "updated_at": created,
        }
        if roll < 0.6:
            return card, True
        for name in rng.sample(("manufacturer_address", "shelf_life", "licence_number"), 2):
            card[name] = ""  # partial: the seller left some out
        return card, False


# --- search columns ---------------------------------------------------------------------------


class SearchColumns:
    """``index_text`` for text made of ``Piece``s, each segmented once.

    Mirrors ``catalog.search._tokens``: a field's tokens are jieba's search-mode words of the
    whole text, then full-mode words not seen yet, then (titles and tags) Chinese characters
    not seen yet. jieba cuts blocks of letters, digits and Chinese characters independently,
    so the first list is the pieces' lists end to end and the other two are the pieces' lists
    with the same "not seen yet" filter. ``matches`` checks that against ``index_text``.
    """

    def __init__(self):
        self._pieces: dict[str, tuple[list[str], list[str], list[str]]] = {}
        self._runs = re.compile(f"{search._CJK.pattern}{{2,}}")

    def _piece(self, text: str):
        found = self._pieces.get(text)
        if found is None:
            seg = search._segmenter()
            normal = search._normalise(text)
            words = [t.strip() for t in seg.cut_for_search(normal)]
            words = [t for t in words if t and search._is_token(t)]
            full = [
                w
                for run in self._runs.findall(normal)
                for w in seg.cut(run, cut_all=True)
                if search._is_token(w)
            ]
            found = self._pieces[text] = (words, full, search._CJK.findall(normal))
        return found

    def _tokens(self, texts: list[str], *, characters: bool) -> str:
        parts = [self._piece(text) for text in texts]
        words = [w for part in parts for w in part[0]]
        seen = set(words)
        for part in parts:
            for word in part[1]:
                if word not in seen:
                    seen.add(word)
                    words.append(word)
        if characters:
            for part in parts:
                for ch in part[2]:
                    if ch not in seen:
                        seen.add(ch)
                        words.append(ch)
        return " ".join(words)

    def __call__(self, product: GeneratedProduct) -> dict[str, str]:
        tags = product.values["tags"]
        body = self._tokens([p.text for p in product.description], characters=False)
        tag_tokens = self._tokens(tags, characters=True)
        return {
            "search_title": self._tokens([p.text for p in product.title], characters=True),
            "search_body": f"{body} {tag_tokens}" if body and tag_tokens else body or tag_tokens,
        }

    @staticmethod
    def matches(products: list[GeneratedProduct]) -> bool:
        return all(
            search.index_text(
                title=p.values["title"], description=p.values["description"], tags=p.values["tags"]
            )
            == {k: p.values[k] for k in ("search_title", "search_body")}
            for p in products
        )


def _index_row(row: tuple[str, str, list[str]]) -> dict[str, str]:
    title, description, tags = row
    return search.index_text(title=title, description=description, tags=tags)


# --- loading ------------------------------------------------------------------------------------


class Progress:
    """One line on stderr, rewritten in place: done/total, rate and time left."""

    def __init__(self, label: str, total: int, stream=None):
        self.label, self.total = label, total
        self.stream = stream if stream is not None else sys.stderr
        self.started = self.shown = time.monotonic()
        self.done = 0

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.shown >= 0.25 or self.done >= self.total:
            self.shown = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        share = self.done / self.total if self.total else 1
        bar = ("#" * int(share * 30)).ljust(30, ".")
        left = (self.total - self.done) / rate if rate else 0
        self.stream.write(
            f"\r{self.label} [{bar}] {self.done:,}/{self.total:,} {share:4.0%} "
            f"{rate:,.0f}/s  {elapsed:4.0f}s elapsed, {left:4.0f}s left "
        )
        self.stream.flush()

    def close(self, note: str = "") -> None:
        self._draw(time.monotonic())
        self.stream.write(f"{note}\n")
        self.stream.flush()


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _escape(value: str) -> str:
    return value.translate(_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def _json(value) -> str:
    return _escape(json.dumps(value, ensure_ascii=False))


def _bool(value: bool) -> str:
    return "t" if value else "f"


def _iso(value: date) -> str:
    return value.isoformat()


def _formatter(f) -> Callable:
    """How a value of model field ``f`` is written in COPY's text format."""
    if isinstance(f, models.JSONField):
        convert = _json
    elif isinstance(f, models.BooleanField):
        convert = _bool
    elif isinstance(f, models.DateField):  # and DateTimeField
        convert = _iso
    elif isinstance(f, models.CharField | models.TextField):
        convert = _escape
    else:
        convert = str
    if f.null:
        return lambda value: "\\N" if value is None else convert(value)
    return convert


def _columns(model, produced: list[str]) -> tuple[list[str], dict]:
    """COPY columns for ``model``: those we produce, plus any other column that has a default.
    A column added later without one stops the loader (even a nullable one: derived columns
    are nullable too, and a NULL there would quietly hide goods)."""
    columns, defaults = list(produced), {}
    for f in model._meta.concrete_fields:
        if f.attname in produced or f.db_returning:  # an identity column fills itself
            continue
        if not f.has_default():
            raise RuntimeError(
                f"catalog.generate does not know how to fill {model._meta.db_table}.{f.column}"
            )
        defaults[f.attname] = f.get_default()
        columns.append(f.attname)
    return columns, defaults


class PostgresWriter:
    def __init__(self):
        self.tables = {}
        for key, model, produced in (
            ("product", Product, PRODUCT_COLUMNS),
            ("variant", Variant, VARIANT_COLUMNS),
            ("provenance", ProvenanceCard, PROVENANCE_COLUMNS),
        ):
            columns, defaults = _columns(model, produced)
            fields = [model._meta.get_field(name) for name in columns]
            sql = (
                f"COPY {model._meta.db_table} ({', '.join(f.column for f in fields)}) "
                "FROM STDIN WITH (FORMAT text)"
            )
            plan = [(f.attname, _formatter(f), defaults.get(f.attname)) for f in fields]
            self.tables[key] = (plan, sql)

    def reserve_ids(self, n: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Product._meta.db_table, n],
            )
            return [row[0] for row in cursor.fetchall()]

    def encode(self, key: str, rows: list[dict]) -> io.StringIO:
        plan, _sql = self.tables[key]
        lines = [
            "\t".join([write(row.get(name, default)) for name, write, default in plan])
            for row in rows
        ]
        return io.StringIO("\n".join(lines) + "\n" if lines else "")

    def write(self, buffers: dict[str, io.StringIO]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for key in ("product", "variant", "provenance"):
                # Big reads: each one needs the GIL, which the composing thread holds.
                cursor.copy_expert(self.tables[key][1], buffers[key], COPY_READ_SIZE)

    def finish(self) -> None:
        # VACUUM also merges the GIN index's pending list and sets the visibility map; it
        # cannot run inside a transaction (a test's), where ANALYZE alone does.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (Product, Variant, ProvenanceCard, Shop, ShopMember, User, EmailAddress):
                cursor.execute(f"{command} {model._meta.db_table}")


class SQLiteWriter:
    def __init__(self):
        self.next_id = None

    def reserve_ids(self, n: int) -> list[int]:
        # One writer at a time on SQLite: the ids after the highest are free.
        if self.next_id is None:
            top = Product.objects.order_by("-pk").values_list("pk", flat=True).first()
            self.next_id = (top or 0) + 1
        ids = list(range(self.next_id, self.next_id + n))
        self.next_id += n
        return ids

    def encode(self, key: str, rows: list[dict]) -> list[dict]:
        return rows

    @transaction.atomic
    def write(self, rows: dict[str, list[dict]]) -> None:
        products = [Product(**row) for row in rows["product"]]
        Product.objects.bulk_create(products)
        # bulk_create stamps auto_now(_add) fields with "now": put the made-up dates back.
        for product, row in zip(products, rows["product"], strict=True):
            product.created_at, product.updated_at = row["created_at"], row["updated_at"]
        Product.objects.bulk_update(products, ["created_at", "updated_at"])
        Variant.objects.bulk_create(Variant(**row) for row in rows["variant"])
        ProvenanceCard.objects.bulk_create(ProvenanceCard(**row) for row in rows["provenance"])

    def finish(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


COPY_READ_SIZE = 4 << 20
PRODUCT_COLUMNS = [
    "id", "shop_id", "title", "slug", "description", "category_id", "top_category_id", "status",
    "hidden_reason", "tags", "own_test_notes", "cover_id", "published_at", "created_at",
    "updated_at",
    "price_min", "was_price_min", "stock_total", "variant_count", "provenance_complete",
    "search_title", "search_body",
]  # fmt: skip
VARIANT_COLUMNS = [
    "shop_id", "product_id", "options", "name", "sku", "price", "was_price", "currency", "stock",
    "low_stock_threshold", "weight_grams", "position", "created_at", "updated_at",
]  # fmt: skip
PROVENANCE_COLUMNS = [
    "product_id", "manufacturer", "manufacturer_address", "origin", "production_date", "batch",
    "shelf_life", "licence_number", "certificate_id", "updated_at",
]  # fmt: skip


def _create_stalls(catalogue: Catalogue, count: int, progress: Progress) -> list[dict]:
    """Owners (confirmed, no usable password), their email addresses, stalls, memberships."""
    taken_codes = set(Shop.objects.values_list("code", flat=True))
    taken_codes |= {
        email.split("@")[0].removeprefix("seller-")
        for email in User.objects.filter(email__startswith="seller-").values_list(
            "email", flat=True
        )
    }
    taken_slugs = set(Shop.objects.values_list("slug", flat=True))
    stalls = catalogue.stalls(count, taken_codes=taken_codes, taken_slugs=taken_slugs)
    for start in range(0, len(stalls), 500):
        chunk = stalls[start : start + 500]
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    email=stall["email"],
                    display_name=stall["person"],
                    password=make_password(None),
                    date_joined=stall["opened"],
                    email_confirmed_at=stall["opened"],
                )
                for stall in chunk
            )
            EmailAddress.objects.bulk_create(
                EmailAddress(user=user, email=user.email, primary=True, verified=True)
                for user in users
            )
            shops = Shop.objects.bulk_create(Shop(**stall["shop"]) for stall in chunk)
            for shop, stall in zip(shops, chunk, strict=True):
                shop.created_at = shop.updated_at = stall["opened"]
                stall["id"] = shop.pk
            Shop.objects.bulk_update(shops, ["created_at", "updated_at"])
            ShopMember.objects.bulk_create(
                ShopMember(shop=shop, user=user, role=ShopMember.Role.OWNER)
                for shop, user in zip(shops, users, strict=True)
            )
        progress.add(len(chunk))
    return stalls


def generate_catalog(
    *,
    stalls: int,
    products: int,
    seed: int = 1,
    batch: int = 20_000,
    stream=None,
    check_sample: int = 200,
) -> Result:
    """Add ``stalls`` stalls and ``products`` goods spread over them (see the module's doc)."""
    if stalls < 1 or products < 0 or batch < 1:
        raise ValueError("stalls must be at least 1, products and batch not negative")
    started = time.perf_counter()
    result = Result()
    categories = {
        slug: (pk, parent_id or pk)
        for slug, pk, parent_id in Category.objects.filter(children__isnull=True)
        .values_list("slug", "pk", "parent_id")
        .distinct()
    }
    if not categories:
        raise RuntimeError("no categories: run migrate (catalog 0002 seeds the default tree)")
    catalogue = Catalogue(seed=seed, categories=categories, now=timezone.now())
    writer = PostgresWriter() if connection.vendor == "postgresql" else SQLiteWriter()

    progress = Progress("stalls", stalls, stream)
    made = _create_stalls(catalogue, stalls, progress)
    progress.close()
    result.stalls = len(made)

    columns = SearchColumns()
    pool = None
    progress = Progress("goods ", products, stream)

    def build(batch_no: int, ids: list[int]):
        rows = list(catalogue.products(ids, made, batch_no=batch_no))
        if pool is None:
            for row in rows:
                row.values |= columns(row)
        else:
            triples = [(r.values["title"], r.values["description"], r.values["tags"]) for r in rows]
            for row, values in zip(rows, pool.map(_index_row, triples, chunksize=500), strict=True):
                row.values |= values
        return rows

    def encode(rows: list[GeneratedProduct]) -> tuple[dict, int, int]:
        variants = [v for r in rows for v in r.variants]
        cards = [r.provenance for r in rows if r.provenance]
        buffers = {
            "product": writer.encode("product", [r.values for r in rows]),
            "variant": writer.encode("variant", variants),
            "provenance": writer.encode("provenance", cards),
        }
        return buffers, len(variants), len(cards)

    sizes = [min(batch, products - start) for start in range(0, products, batch)]
    try:
        if sizes:
            first = build(0, writer.reserve_ids(sizes[0]))
            sample = first[:: max(1, len(first) // check_sample)][:check_sample]
            if SearchColumns.matches(sample):
                result.index_check = f"piece-wise segmentation matches index_text on {len(sample)}"
            else:
                # index_text changed shape: call it for every row, on every core. The forked
                # workers inherit our database socket but never touch it, and leave with
                # os._exit, so the connection stays ours.
                pool = multiprocessing.get_context("fork").Pool(os.cpu_count() or 1)
                result.index_check = "index_text in a process pool (piece-wise did not match)"
                first = build(0, [r.values["id"] for r in first])
            with ThreadPoolExecutor(max_workers=1) as composer:
                pending = composer.submit(lambda: encode(first))
                for batch_no in range(len(sizes)):
                    buffers, variants, cards = pending.result()
                    if batch_no + 1 < len(sizes):
                        ids = writer.reserve_ids(sizes[batch_no + 1])
                        pending = composer.submit(
                            lambda n=batch_no + 1, ids=ids: encode(build(n, ids))
                        )
                    writer.write(buffers)
                    result.variants += variants
                    result.provenance_cards += cards
                    progress.add(sizes[batch_no])
        progress.close(" analysing…")
        writer.finish()
    finally:
        if pool is not None:
            pool.close()
    result.products = products
    result.seconds = time.perf_counter() - started
    return result
