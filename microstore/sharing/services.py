"""Share links, visits, the referral rule, and share posters.

The rule (README, "Principles"): one level only. An order records the sharer of the link it
came through and nothing else; nobody gains from the people their referees refer. A buyer never
refers themselves, and a stall's own members sharing their stall get plain links.

Posters: ``poster_request`` compares the poster's fingerprint with what the product looks like
now and, if they differ, marks it pending and enqueues ``tasks.make_share_poster``, which calls
``poster_make`` to draw it (``poster.poster_render``) and store the PNG.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microstore.errors import DomainError
from microstore.notifications.services import absolute_url
from microstore.queue import enqueue_on_commit
from microstore.sharing.models import ShareLink, SharePoster, ShareVisit
from microstore.sharing.poster import PosterFacts, PosterFontMissing, poster_render, poster_size
from microstore.storage_sweep import sweep_orphans
from shops.selectors import shop_is_member

logger = logging.getLogger(__name__)

COOKIE_NAME = "ms_share"
COOKIE_SALT = "sharing"
CODE_BYTES = 6  # eight URL-safe characters
# A poster takes well under a second to draw: one still "being made" after this lost its task.
POSTER_TASK_LOST_AFTER = timedelta(minutes=2)
POSTERS_DIR = "posters"


def cookie_max_age() -> int:
    return settings.SHARE_ATTRIBUTION_DAYS * 24 * 60 * 60


@transaction.atomic
def share_link_for(*, user, shop, product=None) -> ShareLink:
    """The sharer's link for ``shop`` (or ``product`` of it), made on first use."""
    if not user.is_authenticated:
        raise DomainError(_("Log in to get a share link."))
    if product is not None and product.shop_id != shop.pk:
        raise DomainError(_("This product is not sold by this stall."))
    existing = ShareLink.objects.filter(user=user, shop=shop, product=product).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ShareLink.objects.create(
                    user=user, shop=shop, product=product, code=secrets.token_urlsafe(CODE_BYTES)
                )
        except IntegrityError:  # a code clash, or a parallel request made the same link
            existing = ShareLink.objects.filter(user=user, shop=shop, product=product).first()
            if existing is not None:
                return existing
    raise DomainError(_("Could not make a share link; please try again."))


def share_visit_record(*, link: ShareLink) -> str:
    """Count a visit (no personal data) and return the signed cookie value that attributes
    the visitor's next orders at the link's stall to the sharer for the window."""
    ShareVisit.objects.create(link=link)
    return signing.dumps({"code": link.code}, salt=COOKIE_SALT, compress=True)


def link_from_cookie(value: str | None) -> ShareLink | None:
    """The link a still-valid attribution cookie names; tampered or expired → None."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=COOKIE_SALT, max_age=cookie_max_age())
    except signing.BadSignature:  # includes SignatureExpired
        return None
    code = data.get("code") if isinstance(data, dict) else None
    if not isinstance(code, str):
        return None
    return ShareLink.objects.select_related("user").filter(code=code).first()


def referrer_for(*, link: ShareLink | None, buyer, shop):
    """The sharer credited with ``buyer``'s order at ``shop``, or None. One level: only the
    link's own sharer, never anyone behind them; never the buyer; never the stall's members."""
    if link is None or link.shop_id != shop.pk or link.user_id == buyer.pk:
        return None
    if shop_is_member(shop=shop, user=link.user):
        return None
    return link.user


# --- Share posters ----------------------------------------------------------------------------


def _cover_rendition(image) -> str:
    """The name of the cover's JPEG rendition that fills the poster's width (the widest when
    none is that wide); "" without a ready cover."""
    if image is None or not image.is_ready:
        return ""
    jpegs = image.renditions_of("jpeg")
    if not jpegs:
        return ""
    width = poster_size()[0]
    return next((r["name"] for r in jpegs if r["width"] >= width), jpegs[-1]["name"])


def _read(name: str) -> bytes | None:
    try:
        with default_storage.open(name, "rb") as file:
            return file.read()
    except OSError:  # gone from the storage: the placeholder instead of no poster
        logger.warning("Poster cover %s could not be read", name)
        return None


def poster_facts(link: ShareLink, *, with_cover: bool = False) -> PosterFacts:
    """What ``link``'s poster shows now. Product links only. ``with_cover`` reads the photo's
    bytes (for drawing); without it only its name is known (enough for the fingerprint).
    Expects the link with product, cover, stall and trust score joined (see selectors)."""
    product = link.product
    if product is None:
        raise DomainError(_("Posters are made for products: share a product to get one."))
    shop = link.shop
    if not product.is_published or shop.is_closed:
        raise DomainError(_("This product is not on sale now, so it has no poster."))
    trust = getattr(shop, "trust", None)
    cover_key = _cover_rendition(product.cover)
    return PosterFacts(
        title=product.title,
        price=product.price_min,
        price_from=product.variant_count > 1,
        stall_name=shop.name,
        badges=tuple(badge["kind"] for badge in shop.verified_badges()),
        trust_score=trust.score if trust is not None else None,
        share_url=absolute_url(link.get_absolute_url()),  # what the QR code carries
        cover_key=cover_key,
        cover=_read(cover_key) if with_cover and cover_key else None,
    )


def _loaded_poster(link: ShareLink) -> SharePoster | None:
    try:
        return link.poster
    except SharePoster.DoesNotExist:
        return None


def _settled(poster: SharePoster | None, fingerprint: str) -> bool:
    """Whether ``poster`` needs no new task: it shows ``fingerprint`` (or is being made with
    it, or failed with it) — unless it has been "being made" so long that its task was lost."""
    if poster is None or poster.fingerprint != fingerprint:
        return False
    if poster.status != SharePoster.Status.PENDING:
        return True
    return poster.requested_at > timezone.now() - POSTER_TASK_LOST_AFTER


def poster_request(*, link: ShareLink, actor, force: bool = False) -> SharePoster:
    """``link``'s poster, up to date: one that shows what the product looks like now is left
    alone (a failed one too, unless ``force``: the user asked to try again); otherwise it is
    marked pending and made by a task once the transaction commits. A poster pending for
    longer than ``POSTER_TASK_LOST_AFTER`` gets a new task (its first was lost)."""
    if actor is None or link.user_id != actor.pk:
        raise DomainError(_("Only the sharer can make a poster of this link."))
    fingerprint = poster_facts(link).fingerprint()
    current = _loaded_poster(link)
    if not force and _settled(current, fingerprint):
        return current  # the common case: no lock, no write
    with transaction.atomic():
        poster, created = SharePoster.objects.select_for_update().get_or_create(
            link=link, defaults={"fingerprint": fingerprint}
        )
        if not created:
            if not force and _settled(poster, fingerprint):
                return poster  # a parallel request got here first
            poster.fingerprint = fingerprint
            poster.status = SharePoster.Status.PENDING
            poster.error = ""
            poster.requested_at = timezone.now()
            poster.save(update_fields=["fingerprint", "status", "error", "requested_at"])
        from microstore.sharing.tasks import make_share_poster

        enqueue_on_commit(make_share_poster, poster_id=poster.pk)
    link.poster = poster
    return poster


def poster_make(*, poster_id: int) -> SharePoster | None:
    """Draw and store the poster, replacing (and deleting) the previous file. Idempotent: a
    poster already ready with what the product shows now is left alone. A task that finds the
    poster asked for again while it was drawing throws its work away: the newer request's
    task makes the newer poster."""
    from microstore.sharing.selectors import poster_with_link

    poster = poster_with_link(poster_id)
    if poster is None:
        return None  # its link was deleted meanwhile
    requested = poster.fingerprint
    try:
        facts = poster_facts(poster.link, with_cover=True)
    except DomainError as exc:
        return poster_fail(poster_id=poster_id, fingerprint=requested, error=exc.message)
    fingerprint = facts.fingerprint()
    if (
        poster.is_ready
        and poster.fingerprint == fingerprint
        and default_storage.exists(poster.image_name)
    ):
        return poster
    try:
        png = poster_render(facts=facts)
        name = default_storage.save(
            f"{POSTERS_DIR}/{poster.link.code}-{fingerprint[:12]}.png", ContentFile(png)
        )
    except PosterFontMissing as exc:
        logger.error("Share poster %s: %s", poster_id, exc.message)
        return poster_fail(poster_id=poster_id, fingerprint=requested, error=exc.message)
    except Exception:  # never leave the sharer waiting on a poster that will not come
        logger.exception("Share poster %s could not be made", poster_id)
        error = _("The poster could not be made. Please try again in a moment.")
        return poster_fail(poster_id=poster_id, fingerprint=requested, error=error)
    return poster_store(
        poster_id=poster_id, requested=requested, fingerprint=fingerprint, name=name
    )


def poster_store(
    *, poster_id: int, requested: str, fingerprint: str, name: str
) -> SharePoster | None:
    """Make the drawn file ``name`` (showing ``fingerprint``) the poster, if the poster is
    still the one asked for (``requested``) when the drawing started; the previous file is
    deleted after commit. Asked for again meanwhile (or deleted): the drawing is thrown away,
    since the newer request's task draws the newer poster."""
    with transaction.atomic():
        poster = SharePoster.objects.select_for_update().filter(pk=poster_id).first()
        stale = poster is None or poster.fingerprint != requested
        if not stale:
            previous = poster.image_name
            poster.status = SharePoster.Status.READY
            poster.fingerprint = fingerprint
            poster.image_name = name
            poster.error = ""
            poster.made_at = timezone.now()
            poster.save(update_fields=["status", "fingerprint", "image_name", "error", "made_at"])
            if previous and previous != name:
                transaction.on_commit(lambda: _delete(previous), robust=True)
    if stale:
        _delete(name)
    return poster


def _delete(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("Old share poster %s could not be deleted", name)


@transaction.atomic
def poster_fail(*, poster_id: int, fingerprint: str, error: str) -> SharePoster | None:
    """Record why the poster could not be made (shown to its sharer), unless it was asked for
    again meanwhile."""
    poster = SharePoster.objects.select_for_update().filter(pk=poster_id).first()
    if poster is None or poster.fingerprint != fingerprint:
        return poster
    poster.status = SharePoster.Status.FAILED
    poster.error = error
    poster.save(update_fields=["status", "error"])
    return poster


def posters_sweep_orphans(*, now=None) -> int:
    """Delete poster files no poster names any more (their link was deleted with its user or
    product); the number deleted. Nightly, by beat."""
    return sweep_orphans(
        storage=default_storage,
        directory=POSTERS_DIR,
        named=lambda names: SharePoster.objects.filter(image_name__in=names).values_list(
            "image_name", flat=True
        ),
        now=now,
    )
