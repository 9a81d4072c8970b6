"""Demo data for `make run`: realistic people now; stalls, goods, orders and reviews later.

Idempotent: running it again changes nothing that is already there.
"""

from dataclasses import dataclass

from django.db import transaction

from microstore.accounts.models import User
from microstore.accounts.services import email_mark_verified

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
]


@transaction.atomic
def seed() -> list[tuple[DemoPerson, bool]]:
    """Create the demo people; return each with whether it was created just now."""
    results = []
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        created = user is None
        if created:
            maker = User.objects.create_superuser if person.is_staff else User.objects.create_user
            user = maker(person.email, DEMO_PASSWORD, display_name=person.display_name)
            if "not confirmed" not in person.role:
                email_mark_verified(user=user)
        results.append((person, created))
    return results
