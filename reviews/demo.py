"""Demo reviews for `make run`, written through the real services on orders the demo shoppers
really received (cart → checkout → sandbox payment → shipping → receipt, see orders/demo.py):

- 小美 reviews her completed 老高 order: 5★, Chinese and English, one photo; 老高 replies;
- 陈露 (Chen Lu) reviews two teas from 老高 (one with a follow-up after three weeks of use,
  which 老高 answers), comes back for more tea, and reviews a cup from 景德镇 (2★, the stall
  replies);
- 王强 (Wang Qiang) reviews honey, honeycomb and a gaiwan; 小美 finds one review helpful and
  reports another, which waits in the admin's report queue.

Seven reviews in all. Idempotent: nothing happens once a demo shopper has written a review.
Reviews and orders are moved back in time (a demo-only backdate) so the dates read naturally
and the follow-up window is open.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from catalog.demo import draw_product_photo
from microstore.accounts.models import User
from orders.demo import _age, _pay_online, _place, _ship, _variant
from orders.models import Order, PaymentMethod, Role, Status
from orders.services import cart, lifecycle
from reviews import services, trust
from reviews.models import Review

XIAOMEI = "xiaomei@example.com"
CHENLU = "chenlu@example.com"
WANGQIANG = "wangqiang@example.com"
LAOGAO = "laogao@example.com"
QINLING = "qinling@example.com"
JINGDEZHEN = "jingdezhen@example.com"
REVIEWERS = (XIAOMEI, CHENLU, WANGQIANG)

ADDRESSES = {
    CHENLU: {
        "recipient": "陈露",
        "mobile": "13912345678",
        "province": "zhejiang",
        "city": "杭州市",
        "district": "西湖区",
        "street": "文三路 259 号 2 单元 502 室",
        "postcode": "310012",
    },
    WANGQIANG: {
        "recipient": "王强",
        "mobile": "13698765432",
        "province": "beijing",
        "city": "北京市",
        "district": "海淀区",
        "street": "中关村南大街 5 号 1 号楼 803 室",
        "postcode": "100081",
    },
}


def _photo(kind: str, ground, colour, seed: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "photo.png", draw_product_photo(kind, ground, colour, seed=seed), "image/png"
    )


def _received(buyer, items, *, days_ago: int, number: str) -> Order:
    """One order of ``items`` from one stall, paid in the sandbox, shipped and received
    ``days_ago`` days ago (completed once its 7-day return window is over)."""
    address = buyer.addresses.filter(is_default=True).first()
    if address is None:
        address = cart.address_create(user=buyer, fields=ADDRESSES[buyer.email], make_default=True)
    shop_id = items[0][0].shop_id
    (order,) = _place(buyer, address, items, {shop_id: PaymentMethod.SANDBOX})
    _ship(_pay_online(order, buyer), "顺丰速运 SF Express", number)
    lifecycle.order_confirm_receipt(order=order, role=Role.BUYER, actor=buyer)
    _age(order, days_ago)
    if days_ago > 7:
        lifecycle.order_complete(order=order)
    order.refresh_from_db()
    return order


def _review(order: Order, variant, *, rating: int, text: str, days_ago: int, photos=()):
    line = order.lines.get(variant=variant)
    return services.review_create(
        order_line=line,
        actor=order.buyer,
        rating=rating,
        text=text,
        photos=photos,
        now=timezone.now() - timedelta(days=days_ago),
    )


def _xiaomei_review(xiaomei, laogao) -> list[Review]:
    """小美's completed order from 老高 (made by orders/demo.py): 5★ with a photo, and a reply."""
    done = (
        Order.objects.filter(buyer=xiaomei, shop__members__user=laogao, status=Status.COMPLETED)
        .order_by("placed_at")
        .first()
    )
    if done is None:
        return []
    line = done.lines.order_by("pk").first()
    review = _review(
        done,
        line.variant,
        rating=5,
        text=(
            "兰花香很明显 第七泡还是甜的。包装是密封的铁罐 标签上写着采摘的山坡和日期。\n"
            "A clear orchid aroma, still sweet at the seventh infusion. The tin is sealed and "
            "the label says which slope and which week the leaves came from."
        ),
        days_ago=18,
        photos=[_photo("tin", (13, 92, 87), (240, 160, 75), seed=3)],
    )
    services.review_reply(
        review=review,
        actor=laogao,
        text="谢谢小美。秋茶十月到 到时候给你留一罐。Thank you! The autumn picking comes in "
        "October; we will keep a tin for you.",
    )
    return [review]


def _chenlu_reviews(chenlu, owners) -> list[Review]:
    laogao, tao = owners[LAOGAO], owners[JINGDEZHEN]
    tea, huangjingui, cup = _variant(laogao), _variant(laogao, 1), _variant(tao)
    if not all((tea, huangjingui, cup)):
        return []
    teas = _received(chenlu, [(tea, 1), (huangjingui, 1)], days_ago=25, number="SF1402938471001")
    held_up = _review(
        teas,
        tea,
        rating=4,
        text="香气很好 就是比我想的稍微淡一点。Lovely aroma, a little lighter than I expected.",
        days_ago=20,
    )
    services.follow_up_add(
        review=held_up,
        actor=chenlu,
        text=(
            "喝了三个星期 罐子密封得很好 最后几泡也不走味。Three weeks on, the tin keeps it "
            "fresh: the last scoops taste like the first."
        ),
    )
    services.follow_up_reply(
        review=held_up,
        actor=laogao,
        text="谢谢回访。试试 100 °C 的水 香气会更足。Thanks for coming back! Try water at "
        "100 °C for a fuller aroma.",
    )
    _review(
        teas,
        huangjingui,
        rating=5,
        text="黄金桂的桂花香太好闻了 办公室同事都来要。The osmanthus scent filled the office.",
        days_ago=19,
    )
    # She came back for more (a repeat customer, which the trust card counts); no review yet.
    _received(chenlu, [(huangjingui, 2)], days_ago=12, number="SF1402938471003")
    cups = _received(chenlu, [(cup, 1)], days_ago=10, number="SF1402938471002")
    chipped = _review(
        cups,
        cup,
        rating=2,
        text=(
            "杯子很美 但是杯口有一个小缺口 包装只有一层纸。The cup is beautiful but arrived "
            "with a small chip on the rim; it was wrapped in a single sheet of paper."
        ),
        days_ago=8,
        photos=[_photo("cup", (235, 240, 250), (30, 70, 160), seed=5)],
    )
    services.review_reply(
        review=chipped,
        actor=tao,
        text=(
            "非常抱歉。已经给您补寄一只新杯子 以后都用气泡膜和纸盒包装。We are sorry: a new "
            "cup is on its way, and from now on every cup ships in bubble wrap and a box."
        ),
    )
    return [held_up, chipped]


def _wangqiang_reviews(wangqiang, owners) -> list[Review]:
    honey_stall, tao = owners[QINLING], owners[JINGDEZHEN]
    honey, comb, gaiwan = _variant(honey_stall), _variant(honey_stall, 2), _variant(tao, 1)
    tea = _variant(owners[LAOGAO])
    if not all((honey, comb, gaiwan, tea)):
        return []
    # Not reviewed: enough orders for 老高's trust card to show a score.
    _received(wangqiang, [(tea, 1)], days_ago=9, number="SF1402938472003")
    jars = _received(wangqiang, [(honey, 1), (comb, 1)], days_ago=6, number="SF1402938472001")
    sweet = _review(
        jars,
        honey,
        rating=5,
        text=(
            "天冷了就结晶了 说明是真的没加热过。It crystallised as soon as it got cold: "
            "raw, as promised. Tastes of chestnut flowers."
        ),
        days_ago=5,
        photos=[_photo("jar", (250, 240, 220), (225, 150, 30), seed=7)],
    )
    spammy = _review(
        jars,
        comb,
        rating=3,
        text=(
            "还行 蜡有点多。加我微信 wq-honey-deals 买更便宜的蜂巢。OK, a lot of wax. "
            "Add me on WeChat for cheaper honeycomb!"
        ),
        days_ago=5,
    )
    bowl = _received(wangqiang, [(gaiwan, 1)], days_ago=4, number="SF1402938472002")
    _review(
        bowl,
        gaiwan,
        rating=4,
        text="釉色很温润 盖子稍微有点紧。A gentle glaze; the lid fits a little tightly.",
        days_ago=3,
    )
    return [sweet, spammy]


@transaction.atomic
def seed_reviews() -> int:
    """Create the demo reviews (and the extra shoppers' orders); return how many were made."""
    people = {user.email: user for user in User.objects.filter(email__in=REVIEWERS)}
    owners = {
        user.email: user for user in User.objects.filter(email__in=(LAOGAO, QINLING, JINGDEZHEN))
    }
    if len(owners) < 3 or Review.objects.filter(author__email__in=REVIEWERS).exists():
        return 0
    made = 0
    if XIAOMEI in people:
        made += len(_xiaomei_review(people[XIAOMEI], owners[LAOGAO]))
    chenlu, wangqiang = [], []
    if CHENLU in people and not people[CHENLU].orders.exists():
        chenlu = _chenlu_reviews(people[CHENLU], owners)
    if WANGQIANG in people and not people[WANGQIANG].orders.exists():
        wangqiang = _wangqiang_reviews(people[WANGQIANG], owners)
    made += Review.objects.filter(author__email__in=(CHENLU, WANGQIANG)).count()
    xiaomei = people.get(XIAOMEI)
    if xiaomei is not None and chenlu:
        services.vote_set(review=chenlu[0], actor=xiaomei, helpful=True)
    if xiaomei is not None and wangqiang:
        services.review_report(
            review=wangqiang[1],
            actor=xiaomei,
            reason="spam",
            note="这条评价在拉人加微信买别家的货。It asks people to buy elsewhere on WeChat.",
        )
    trust.trust_recompute_all()
    return made
