"""A stall's trust score: 0 to 100 from named parts, with the facts behind each part."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shops.models import Shop


class TrustScore(models.Model):
    """Recomputed by Celery (debounced after the events that change it, and nightly in full).
    ``score`` is None while the stall has too little history for a fair number; ``parts``
    holds each part's points, weight and the facts a shopper reads (see reviews.trust)."""

    shop = models.OneToOneField(
        Shop, on_delete=models.CASCADE, related_name="trust", verbose_name=_("stall")
    )
    score = models.PositiveSmallIntegerField(_("trust score"), null=True, blank=True)
    parts = models.JSONField(_("parts"), default=list)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("trust score")
        verbose_name_plural = _("trust scores")
        indexes = [models.Index(fields=["-score"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="reviews_trust_score_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop}: {self.score}"
