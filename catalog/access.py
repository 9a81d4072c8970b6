"""Ownership look-ups: goods of a stall you do not run are a 404, exactly like missing ones.

Every look-up starts from ``shops.access.get_shop_for_member`` and stays inside that stall.
"""

from django.http import Http404

from catalog.models import OwnTestPhoto, Product, ProductPhoto, Variant
from shops.access import get_shop_for_member


def get_product_for_member(user, shop_slug: str, slug: str) -> Product:
    """The product at ``slug`` of the stall at ``shop_slug``, if ``user`` runs that stall."""
    shop = get_shop_for_member(user, shop_slug)
    product = Product.objects.select_related("shop", "category").filter(shop=shop, slug=slug)
    product = product.first()
    if product is None:
        raise Http404
    return product


def _scoped(model, product: Product, ids) -> dict:
    ids = {int(pk) for pk in ids if pk is not None}
    found = {obj.pk: obj for obj in model.objects.filter(product=product, pk__in=ids)}
    if len(found) != len(ids):
        raise Http404  # another product's (or another stall's) row: not yours
    return found


def get_variants_for_product(product: Product, ids) -> dict[int, Variant]:
    """The variants with these ids, all of which must belong to ``product``; else 404."""
    return _scoped(Variant, product, ids)


def get_photos_for_product(product: Product, ids) -> dict[int, ProductPhoto]:
    return _scoped(ProductPhoto, product, ids)


def get_own_test_photos_for_product(product: Product, ids) -> dict[int, OwnTestPhoto]:
    return _scoped(OwnTestPhoto, product, ids)
