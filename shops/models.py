"""Stalls in the square: the stall itself, who runs it, its old slugs, and who follows it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from microstore.images.models import Image


class Region(models.TextChoices):
    """China's 34 provincial-level divisions."""

    BEIJING = "beijing", _("Beijing")
    TIANJIN = "tianjin", _("Tianjin")
    HEBEI = "hebei", _("Hebei")
    SHANXI = "shanxi", _("Shanxi")
    INNER_MONGOLIA = "inner_mongolia", _("Inner Mongolia")
    LIAONING = "liaoning", _("Liaoning")
    JILIN = "jilin", _("Jilin")
    HEILONGJIANG = "heilongjiang", _("Heilongjiang")
    SHANGHAI = "shanghai", _("Shanghai")
    JIANGSU = "jiangsu", _("Jiangsu")
    ZHEJIANG = "zhejiang", _("Zhejiang")
    ANHUI = "anhui", _("Anhui")
    FUJIAN = "fujian", _("Fujian")
    JIANGXI = "jiangxi", _("Jiangxi")
    SHANDONG = "shandong", _("Shandong")
    HENAN = "henan", _("Henan")
    HUBEI = "hubei", _("Hubei")
    HUNAN = "hunan", _("Hunan")
    GUANGDONG = "guangdong", _("Guangdong")
    GUANGXI = "guangxi", _("Guangxi")
    HAINAN = "hainan", _("Hainan")
    CHONGQING = "chongqing", _("Chongqing")
    SICHUAN = "sichuan", _("Sichuan")
    GUIZHOU = "guizhou", _("Guizhou")
    YUNNAN = "yunnan", _("Yunnan")
    TIBET = "tibet", _("Tibet")
    SHAANXI = "shaanxi", _("Shaanxi")
    GANSU = "gansu", _("Gansu")
    QINGHAI = "qinghai", _("Qinghai")
    NINGXIA = "ningxia", _("Ningxia")
    XINJIANG = "xinjiang", _("Xinjiang")
    HONG_KONG = "hong_kong", _("Hong Kong")
    MACAO = "macao", _("Macao")
    TAIWAN = "taiwan", _("Taiwan")


class Status(models.TextChoices):
    OPEN = "open", _("open")
    PAUSED = "paused", _("on holiday")
    CLOSED = "closed", _("closed")
    SUSPENDED = "suspended", _("suspended")  # reserved for the admins (later increment)


# Allowed moves, owner side. CLOSED is final for the owner; SUSPENDED is the admins' business.
TRANSITIONS = {
    Status.OPEN: {Status.PAUSED, Status.CLOSED},
    Status.PAUSED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
    Status.SUSPENDED: set(),
}

# Unambiguous: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 6

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 \-()]{5,22}$",
    _("Enter a phone number with digits, spaces, dashes or a leading +."),
)


def validate_regions(value) -> None:
    if not isinstance(value, list) or any(item not in Region.values for item in value):
        raise ValidationError(_("Choose shipping regions from the list."), code="invalid_region")


class Shop(models.Model):
    Status = Status
    Region = Region

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    code = models.CharField(_("short code"), max_length=CODE_LENGTH, unique=True, editable=False)
    tagline = models.CharField(_("tagline"), max_length=120, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    logo = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    banner = models.ForeignKey(
        Image,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("banner"),
    )
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    city = models.CharField(_("city"), max_length=60, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=24, blank=True, validators=[phone_validator])
    return_policy = models.TextField(_("return policy"), max_length=2000, blank=True)
    shipping_regions = models.JSONField(
        _("shipping regions"), default=list, blank=True, validators=[validate_regions]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    followers_count = models.PositiveIntegerField(_("followers"), default=0)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("stall")
        verbose_name_plural = _("stalls")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["status", "-followers_count"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="shops_shop_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(region__in=Region.values), name="shops_shop_region_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shops:detail", kwargs={"slug": self.slug})

    def get_short_url(self) -> str:
        return reverse("shops:short", kwargs={"code": self.code})

    def can_transition_to(self, to: Status) -> bool:
        return to in TRANSITIONS.get(Status(self.status), set())

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def is_paused(self) -> bool:
        return self.status == Status.PAUSED

    @property
    def is_closed(self) -> bool:
        return self.status in (Status.CLOSED, Status.SUSPENDED)

    def shipping_region_labels(self) -> list[str]:
        labels = dict(Region.choices)
        return [labels[code] for code in self.shipping_regions if code in labels]


class ShopMember(models.Model):
    """Who runs a stall. One owner now; staff later without rework."""

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        STAFF = "staff", _("staff")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="members", verbose_name=_("stall")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shop_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("stall member")
        verbose_name_plural = _("stall members")
        constraints = [
            models.UniqueConstraint(fields=["shop", "user"], name="shops_member_once_per_shop"),
            # "One stall per user": a user owns at most one stall.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(role="owner"),
                name="shops_member_one_owned_shop_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) @ {self.shop}"


class ShopSlug(models.Model):
    """A slug a stall used to have; its links redirect (301) to the current one."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(_("old slug"), max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("old stall slug")
        verbose_name_plural = _("old stall slugs")

    def __str__(self) -> str:
        return self.slug


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("user"),
    )
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="follows", verbose_name=_("stall")
    )
    created_at = models.DateTimeField(_("followed"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "shop"], name="shops_follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.shop}"
