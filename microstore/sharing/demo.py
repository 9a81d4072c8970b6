"""Demo sharing for `make run`, through the real services: 陈露 shares 秦岭's honey with her
friends; her link has four visits and brought 王强's order, which 秦岭 sees attributed to her
(orders page, "Orders through shares"), and she sees counted on "My share links", with its
poster ready to post. 小美 has a link to 老高's stall that nobody has opened yet.

Idempotent: nothing happens once 陈露 has a share link.
"""

from django.db import transaction

from microstore.accounts.models import User
from microstore.sharing.models import ShareLink
from microstore.sharing.services import poster_request, share_link_for, share_visit_record
from orders.demo import _pay_online, _place, _variant
from orders.models import PaymentMethod
from orders.services import cart
from reviews.demo import ADDRESSES, WANGQIANG
from shops.selectors import shop_owned_by

CHENLU = "chenlu@example.com"
XIAOMEI = "xiaomei@example.com"
QINLING = "qinling@example.com"
LAOGAO = "laogao@example.com"
VISITS = 4


@transaction.atomic
def seed_sharing() -> list[ShareLink]:
    """Create the demo share links and the order one brought; return the links made now."""
    people = {
        email: User.objects.filter(email=email).first()
        for email in (CHENLU, WANGQIANG, XIAOMEI, QINLING, LAOGAO)
    }
    if not all(people.values()) or ShareLink.objects.filter(user=people[CHENLU]).exists():
        return []
    honey = _variant(people[QINLING])
    if honey is None:
        return []
    shop = honey.product.shop
    honey_link = share_link_for(user=people[CHENLU], shop=shop, product=honey.product)
    poster_request(link=honey_link, actor=people[CHENLU])  # drawn by a task after commit
    for _ in range(VISITS):
        share_visit_record(link=honey_link)
    buyer = people[WANGQIANG]
    address = buyer.addresses.filter(is_default=True).first() or cart.address_create(
        user=buyer, fields=ADDRESSES[WANGQIANG], make_default=True
    )
    (order,) = _place(
        buyer, address, [(honey, 2)], {shop.pk: PaymentMethod.SANDBOX}, share_link=honey_link
    )
    _pay_online(order, buyer)
    stall_link = share_link_for(user=people[XIAOMEI], shop=shop_owned_by(people[LAOGAO]))
    return [honey_link, stall_link]
