"""Reads about people."""

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from microstore.accounts.models import User


def moderators_with_perm(perm: str) -> QuerySet[User]:
    """The active staff users who hold ``perm`` ("app_label.codename"): directly, through one
    of their groups, or as superusers. One query, however many moderators there are.

    Answers what ``user.has_perm(perm)`` would (model backend), for active staff only: the
    people who can act on the admin page a moderators' notification links to.
    """
    app_label, _dot, codename = perm.partition(".")
    if not app_label or not codename:
        raise ValueError(f"A permission is 'app_label.codename', not {perm!r}.")
    wanted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    direct = User.user_permissions.through.objects.filter(permission__in=wanted)
    through_group = User.groups.through.objects.filter(group__permissions__in=wanted)
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(pk__in=direct.values("user_id"))
            | Q(pk__in=through_group.values("user_id"))
        )
        .order_by("pk")
    )
