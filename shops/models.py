"""Stalls in the square: the stall itself, who runs it, its old slugs, and who follows it."""

import uuid
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microstore.images.models import Image
from microstore.images.storage import get_private_storage
from shops.validators import validate_id_number, validate_licence_number


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


# Allowed moves. The owner pauses, resumes and closes (closing is final for them); only the
# moderators suspend a stall and reinstate it to what it was.
TRANSITIONS = {
    Status.OPEN: {Status.PAUSED, Status.CLOSED},
    Status.PAUSED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
    Status.SUSPENDED: set(),
}
MODERATOR_TRANSITIONS = {
    Status.OPEN: {Status.SUSPENDED},
    Status.PAUSED: {Status.SUSPENDED},
    Status.CLOSED: set(),
    Status.SUSPENDED: {Status.OPEN, Status.PAUSED},
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
    # What an order from this stall pays for delivery: a flat fee, free from an amount on.
    shipping_fee = models.DecimalField(
        _("shipping fee"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    free_shipping_over = models.DecimalField(
        _("free shipping from"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Orders of at least this much ship free. Empty: never free."),
    )
    payment_instructions = models.TextField(
        _("how to pay you directly"),
        max_length=1000,
        blank=True,
        help_text=_(
            "Shown to buyers who choose to pay you directly: bank transfer details, "
            "cash on delivery… Empty: buyers can only pay online."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    followers_count = models.PositiveIntegerField(_("followers"), default=0)
    # Kept by the verification services: the latest approval of each kind and its expiry. A
    # rejection clears them; an expired date simply fails the "until > now" test, so a stale
    # badge can never show.
    identity_verified_at = models.DateTimeField(_("identity verified"), null=True, blank=True)
    identity_verified_until = models.DateTimeField(null=True, blank=True)
    business_verified_at = models.DateTimeField(_("business verified"), null=True, blank=True)
    business_verified_until = models.DateTimeField(null=True, blank=True)
    suspended_reason = models.TextField(_("reason for suspension"), blank=True)
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
            models.CheckConstraint(
                condition=models.Q(shipping_fee__gte=0)
                & (models.Q(free_shipping_over__isnull=True) | models.Q(free_shipping_over__gte=0)),
                name="shops_shop_shipping_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shops:detail", kwargs={"slug": self.slug})

    def get_short_url(self) -> str:
        return reverse("shops:short", kwargs={"code": self.code})

    def can_transition_to(self, to: Status, *, moderator: bool = False) -> bool:
        table = MODERATOR_TRANSITIONS if moderator else TRANSITIONS
        return to in table.get(Status(self.status), set())

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def is_paused(self) -> bool:
        return self.status == Status.PAUSED

    @property
    def is_closed(self) -> bool:
        return self.status in (Status.CLOSED, Status.SUSPENDED)

    @property
    def is_suspended(self) -> bool:
        return self.status == Status.SUSPENDED

    def identity_badge(self, now: datetime | None = None) -> datetime | None:
        """When the identity was verified, if that verification is still valid."""
        now = now or timezone.now()
        until = self.identity_verified_until
        return self.identity_verified_at if until and until > now else None

    def business_badge(self, now: datetime | None = None) -> datetime | None:
        now = now or timezone.now()
        until = self.business_verified_until
        return self.business_verified_at if until and until > now else None

    def badges(self) -> list[dict]:
        """What the stall page shows: kind, label and date, valid ones only.

        The owner's email date comes from ``selectors`` (``owner_email_confirmed_at``).
        """
        email = getattr(self, "owner_email_confirmed_at", None)
        found = [{"kind": "email", "label": _("Email confirmed"), "since": email}] if email else []
        return found + self.verified_badges()

    def verified_badges(self) -> list[dict]:
        """Identity and business badges that are valid now (the square's cards show these)."""
        now = timezone.now()
        found = [
            ("identity", _("Identity verified"), self.identity_badge(now)),
            ("business", _("Business verified"), self.business_badge(now)),
        ]
        return [
            {"kind": kind, "label": label, "since": since} for kind, label, since in found if since
        ]

    def shipping_for(self, subtotal: Decimal) -> Decimal:
        """The shipping fee of an order of ``subtotal`` from this stall."""
        if self.free_shipping_over is not None and subtotal >= self.free_shipping_over:
            return Decimal("0.00")
        return self.shipping_fee

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


def _verification_upload_to(instance, filename: str) -> str:
    # The name a seller gave the file is never used: it may carry their ID number.
    return f"verification/{instance.shop_id}/{uuid.uuid4().hex}"


class Verification(models.Model):
    """A seller's request to be verified, and the admins' decision on it.

    The document (a photo of the business licence) lives in the private storage: no URL
    serves it; admins see it through the admin's own view. A badge shows only while an approved
    request is unexpired and no later decision of the same kind replaced it (see ``Shop``'s
    ``*_verified_at`` / ``*_verified_until`` columns, kept by the services).
    """

    class Kind(models.TextChoices):
        IDENTITY = "identity", _("identity")
        BUSINESS = "business", _("business")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="verifications", verbose_name=_("stall")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    real_name = models.CharField(_("real name"), max_length=60, blank=True)
    id_number = models.CharField(
        _("ID card number"), max_length=18, blank=True, validators=[validate_id_number]
    )
    business_name = models.CharField(_("business name"), max_length=100, blank=True)
    licence_number = models.CharField(
        _("licence number"), max_length=18, blank=True, validators=[validate_licence_number]
    )
    document = models.FileField(
        _("document"),
        storage=get_private_storage,
        upload_to=_verification_upload_to,
        blank=True,
        max_length=200,
    )
    document_format = models.CharField(max_length=10, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification request")
        verbose_name_plural = _("verification requests")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "kind"],
                condition=models.Q(status="pending"),
                name="shops_verification_one_pending_per_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["identity", "business"]),
                name="shops_verification_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop} · {self.get_kind_display()} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        """The seller's verification page (where a notification about it leads)."""
        return reverse("shops:verification")

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def masked_id_number(self) -> str:
        """Enough for the seller to recognise it, not enough to steal it."""
        if len(self.id_number) < 8:
            return self.id_number
        return f"{self.id_number[:3]}{'*' * (len(self.id_number) - 7)}{self.id_number[-4:]}"


class ShopEvent(models.Model):
    """The audit trail of a stall: who changed its status or verification, when, and why."""

    class Action(models.TextChoices):
        OPENED = "opened", _("opened")
        PAUSED = "paused", _("went on holiday")
        RESUMED = "resumed", _("opened again")
        CLOSED = "closed", _("closed")
        SUSPENDED = "suspended", _("suspended")
        REINSTATED = "reinstated", _("reinstated")
        VERIFICATION_REQUESTED = "verification_requested", _("asked to be verified")
        VERIFICATION_APPROVED = "verification_approved", _("verification approved")
        VERIFICATION_REJECTED = "verification_rejected", _("verification rejected")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="events", verbose_name=_("stall")
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    old_status = models.CharField(
        _("old status"), max_length=10, choices=Status.choices, blank=True
    )
    new_status = models.CharField(
        _("new status"), max_length=10, choices=Status.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("stall event")
        verbose_name_plural = _("stall events")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.shop} {self.get_action_display()}"


# --- Stall updates and the followers' feed ------------------------------------------------------


class StallUpdate(models.Model):
    """A short post by a stall (new arrivals, harvest news, restocks) shown to its followers."""

    TEXT_MAX = 1000
    PHOTOS_MAX = 9

    class Status(models.TextChoices):
        VISIBLE = "visible", _("visible")
        HIDDEN = "hidden", _("hidden by moderators")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="updates", verbose_name=_("stall")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VISIBLE
    )
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("stall update")
        verbose_name_plural = _("stall updates")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["shop", "status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["visible", "hidden"]),
                name="shops_update_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop}: {self.text[:40]}"

    def get_absolute_url(self) -> str:
        """Where its seller manages it (the link of the "hidden" notification)."""
        return reverse("shops:updates-manage", kwargs={"slug": self.shop.slug})

    @property
    def is_visible(self) -> bool:
        return self.status == self.Status.VISIBLE


class StallUpdatePhoto(models.Model):
    update = models.ForeignKey(
        StallUpdate, on_delete=models.CASCADE, related_name="photos", verbose_name=_("update")
    )
    image = models.ForeignKey(
        Image, on_delete=models.CASCADE, related_name="+", verbose_name=_("photo")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("update photo")
        verbose_name_plural = _("update photos")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["update", "position"], name="shops_update_photo_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.update_id} #{self.position}"


class Mute(models.Model):
    """A follower who no longer wants a stall's updates in "My square", still following it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mutes",
        verbose_name=_("user"),
    )
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="mutes", verbose_name=_("stall")
    )
    created_at = models.DateTimeField(_("muted"), auto_now_add=True)

    class Meta:
        verbose_name = _("mute")
        verbose_name_plural = _("mutes")
        constraints = [
            models.UniqueConstraint(fields=["user", "shop"], name="shops_mute_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} mutes {self.shop}"


class UpdateReport(models.Model):
    """A user's report of a stall update; the moderators' queue in the admin."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("spam or advertising")
        MISLEADING = "misleading", _("misleading or fraudulent")
        OFFENSIVE = "offensive", _("offensive or inappropriate")
        OTHER = "other", _("something else")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        HIDDEN = "hidden", _("update hidden")
        KEPT = "kept", _("update kept")

    update = models.ForeignKey(
        StallUpdate, on_delete=models.CASCADE, related_name="reports", verbose_name=_("update")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reporter"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("moderator's note"), blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("update report")
        verbose_name_plural = _("update reports")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["update", "reporter"], name="shops_update_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.update}"


class DigestState(models.Model):
    """Where a user's weekly digest stands (shops/digest.py): the next digest covers what the
    stalls they follow did since ``last_sent_at`` (at most a week back). Its row is locked while
    a digest is put together, so two runs at once cannot both send one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digest_state",
        verbose_name=_("user"),
    )
    last_sent_at = models.DateTimeField(_("last digest sent"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("weekly digest state")
        verbose_name_plural = _("weekly digest states")

    def __str__(self) -> str:
        return f"digest of {self.user_id}: {self.last_sent_at or 'never sent'}"
