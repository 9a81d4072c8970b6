from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import access, selectors, services
from catalog.forms import (
    GridFilterForm,
    ManageFilterForm,
    PhotoFormSet,
    ProductForm,
    ProvenanceForm,
    StockFormSet,
    UploadsForm,
    VariantForm,
    VariantFormSet,
)
from catalog.models import Product, ProvenanceCard
from microstore.accounts.access import verified_email_required
from microstore.errors import DomainError
from reviews import selectors as review_selectors
from shops import selectors as shop_selectors
from shops.access import get_shop_for_member

MANAGE_PER_PAGE = 24
SCHEMA_AVAILABILITY = {
    True: "https://schema.org/InStock",
    False: "https://schema.org/OutOfStock",
}


# --- the seller's side ------------------------------------------------------------------------


@verified_email_required
@require_GET
def product_manage_list(request, shop_slug):
    """ "My goods": every product of the stall, filtered by status, searched by title."""
    shop = get_shop_for_member(request.user, shop_slug)
    form = ManageFilterForm(request.GET or None)
    filters = form.cleaned_data if request.GET and form.is_valid() else {}
    products = selectors.product_list_manage(
        shop=shop, status=filters.get("status", ""), query=filters.get("q", "").strip()
    )
    page = Paginator(products, MANAGE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "shop": shop,
        "form": form,
        "page": page,
        "page_query": query.urlencode(),
        "counts": selectors.product_counts_by_status(shop=shop),
        "filtered": bool(filters.get("status") or filters.get("q")),
    }
    status = 400 if request.GET and not form.is_valid() else 200
    return render(request, "catalog/product_manage.html", context, status=status)


def _card_for(product: Product | None) -> ProvenanceCard:
    if product is not None:
        card = ProvenanceCard.objects.filter(product=product).first()
        if card:
            return card
    return ProvenanceCard(product=product)


def _edit_forms(product: Product | None, data=None, files=None) -> dict:
    variants = list(product.variants.order_by("position", "pk")) if product else []
    photos = (
        list(product.photos.select_related("image").order_by("position", "pk")) if product else []
    )
    own_test = (
        list(product.own_test_photos.select_related("image").order_by("position", "pk"))
        if product
        else []
    )
    variant_formset = VariantFormSet(
        data,
        initial=[VariantForm.initial_for(v) for v in variants],
        prefix="variants",
    )
    photo_formset = PhotoFormSet(
        data,
        initial=[{"id": p.pk, "alt_text": p.alt_text, "position": p.position} for p in photos],
        prefix="photos",
    )
    for form, photo in zip(photo_formset.forms, photos, strict=False):
        form.photo = photo
    return {
        "product_form": ProductForm(data, instance=product),
        "variant_formset": variant_formset,
        "visible_variant_rows": max(1, len(variants)),
        "provenance_form": ProvenanceForm(data, files, instance=_card_for(product), prefix="prov"),
        "photo_formset": photo_formset,
        "uploads_form": UploadsForm(data, files, product=product),
        "own_test_photos": own_test,
    }


def _forms_valid(forms: dict) -> bool:
    keys = ("product_form", "variant_formset", "provenance_form", "photo_formset", "uploads_form")
    valid = [forms[key].is_valid() for key in keys]  # every form, so every error shows
    return all(valid)


def _save_from_forms(request, shop, product: Product | None, forms: dict) -> Product:
    """Check that every posted row is this product's own (404 otherwise), then save."""
    variant_ids = forms["variant_formset"].ids()
    photo_changes = [form.change() for form in forms["photo_formset"].forms]
    if product is None and (variant_ids or photo_changes):
        raise Http404
    if product is not None:
        access.get_variants_for_product(product, variant_ids)
        access.get_photos_for_product(product, [change.id for change in photo_changes])
    provenance = forms["provenance_form"]
    uploads = forms["uploads_form"].cleaned_data
    return services.product_save(
        shop=shop,
        actor=request.user,
        product=product,
        fields=forms["product_form"].values(),
        variants=forms["variant_formset"].rows(),
        provenance=provenance.values(),
        certificate=provenance.cleaned_data.get("certificate_upload"),
        remove_certificate=provenance.cleaned_data.get("remove_certificate", False),
        new_photos=uploads.get("new_photos") or [],
        photo_changes=photo_changes,
        new_own_test_photos=uploads.get("own_test_new") or [],
        own_test_removed=[photo.pk for photo in uploads.get("own_test_remove") or []],
    )


def _render_form(request, shop, product, forms, *, status=200):
    context = {"shop": shop, "product": product, **forms}
    return render(request, "catalog/product_form.html", context, status=status)


@verified_email_required
@require_http_methods(["GET", "POST"])
def product_create(request, shop_slug):
    """A new product, saved as a draft: title, category, one price-and-stock row, photos."""
    shop = get_shop_for_member(request.user, shop_slug)
    if request.method == "POST":
        forms = _edit_forms(None, request.POST, request.FILES)
        if _forms_valid(forms):
            try:
                product = _save_from_forms(request, shop, None, forms)
            except DomainError as exc:
                forms["product_form"].add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Saved as a draft. Publish it when everything looks right.")
                )
                return redirect(product.get_manage_url())
        return _render_form(request, shop, None, forms, status=400)
    return _render_form(request, shop, None, _edit_forms(None))


@verified_email_required
@require_http_methods(["GET", "POST"])
def product_edit(request, shop_slug, slug):
    """Everything about one product on one page: details, variants, photos, provenance."""
    product = access.get_product_for_member(request.user, shop_slug, slug)
    shop = product.shop
    if request.method == "POST":
        forms = _edit_forms(product, request.POST, request.FILES)
        if _forms_valid(forms):
            try:
                product = _save_from_forms(request, shop, product, forms)
            except DomainError as exc:
                forms["product_form"].add_error(None, exc.message)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(product.get_manage_url())
        product.refresh_from_db()  # the header shows what is saved, not what was typed
        return _render_form(request, shop, product, forms, status=400)
    return _render_form(request, shop, product, _edit_forms(product))


@verified_email_required
@require_POST
def product_publish(request, shop_slug, slug):
    product = access.get_product_for_member(request.user, shop_slug, slug)
    try:
        services.product_publish(product=product, actor=request.user)
    except services.ProvenanceIncomplete as exc:
        forms = _edit_forms(product)
        forms["provenance_form"].show_missing(exc.missing)
        messages.error(request, exc.message)
        return _render_form(request, product.shop, product, forms, status=400)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _render_form(request, product.shop, product, _edit_forms(product), status=400)
    messages.success(request, _("Published: shoppers can see it now."))
    return redirect(product.get_manage_url())


@verified_email_required
@require_POST
def product_unpublish(request, shop_slug, slug):
    product = access.get_product_for_member(request.user, shop_slug, slug)
    try:
        services.product_unpublish(product=product, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Back to draft: shoppers no longer see it."))
    return redirect(product.get_manage_url())


@verified_email_required
@require_POST
def product_duplicate(request, shop_slug, slug):
    product = access.get_product_for_member(request.user, shop_slug, slug)
    try:
        copy = services.product_duplicate(product=product, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(product.get_manage_url())
    messages.success(request, _("A draft copy was made, without stock. Adjust it and publish."))
    return redirect(copy.get_manage_url())


@verified_email_required
@require_http_methods(["GET", "POST"])
def product_stock(request, shop_slug, slug):
    """How many of each variant are in stock, in one form."""
    product = access.get_product_for_member(request.user, shop_slug, slug)
    variants = list(product.variants.order_by("position", "pk"))
    initial = [{"id": v.pk, "stock": v.stock} for v in variants]
    formset = StockFormSet(request.POST or None, initial=initial, prefix="stock")
    if request.method == "POST":
        if formset.is_valid():
            stocks = {form.cleaned_data["id"]: form.cleaned_data["stock"] for form in formset}
            access.get_variants_for_product(product, stocks)  # another product's row: 404
            try:
                services.variants_stock_set(product=product, stocks=stocks, actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Stock saved."))
                return redirect("catalog:stock", shop_slug=product.shop.slug, slug=product.slug)
        status = 400
    else:
        status = 200
    by_id = {v.pk: v for v in variants}
    rows = [(form, by_id.get(form.initial.get("id"))) for form in formset.forms]
    context = {"shop": product.shop, "product": product, "formset": formset, "rows": rows}
    return render(request, "catalog/product_stock.html", context, status=status)


@verified_email_required
@require_GET
def variant_low_stock(request, shop_slug):
    """Variants at or below their low-stock threshold, sold out first."""
    shop = get_shop_for_member(request.user, shop_slug)
    variants = selectors.variants_low_stock(shop=shop)[:200]
    return render(request, "catalog/variant_low_stock.html", {"shop": shop, "variants": variants})


# --- the shopper's side -----------------------------------------------------------------------


def _rendition_url(request, image, width: int = 800) -> str:
    name = image.jpeg_up_to(width) if image is not None else ""
    return request.build_absolute_uri(default_storage.url(name)) if name else ""


def _structured_data(request, product: Product, variants, canonical: str) -> dict:
    images = [_rendition_url(request, photo.image) for photo in product.photos.all()]
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "description": Truncator(product.description).chars(500),
        "url": canonical,
        "category": str(product.category),
        "brand": {"@type": "Brand", "name": product.shop.name},
        "image": [url for url in images if url],
        "offers": [
            {
                "@type": "Offer",
                "sku": variant.sku,
                "name": variant.name or product.title,
                "price": f"{variant.price:.2f}",
                "priceCurrency": variant.currency,
                "availability": SCHEMA_AVAILABILITY[variant.stock > 0],
                "url": f"{canonical}?sku={variant.sku}",
            }
            for variant in variants
        ],
    }
    if len(variants) == 1:
        data["sku"] = variants[0].sku
    return data


@require_GET
def product_detail(request, shop_slug, slug):
    """The product page. Drafts and hidden goods are a 404 for shoppers; the stall's members
    see them with a notice (a preview)."""
    shop = shop_selectors.shop_by_slug(shop_slug)
    if shop is None:
        moved = shop_selectors.shop_slug_redirect(slug=shop_slug)
        if moved is None:
            raise Http404
        return redirect(
            reverse("catalog:product", kwargs={"shop_slug": moved.slug, "slug": slug}),
            permanent=True,
        )
    product = selectors.product_for_page(shop=shop, slug=slug)
    if product is None:
        raise Http404
    visible = product.is_published and not shop.is_closed
    is_member = shop_selectors.shop_is_member(shop=shop, user=request.user)
    if not visible and not is_member:
        raise Http404
    variants = list(product.variants.all())
    chosen = next((v for v in variants if v.sku == request.GET.get("sku")), None)
    if chosen is None:
        chosen = next((v for v in variants if v.stock > 0), variants[0] if variants else None)
    canonical = request.build_absolute_uri(product.get_absolute_url())
    photos = list(product.photos.all())
    context = {
        "shop": shop,
        "product": product,
        "variants": variants,
        "chosen": chosen,
        "photos": photos,
        "cover": photos[0] if photos else None,
        "is_member": is_member,
        "is_preview": not visible,
        "canonical_url": canonical,
        "og_image": _rendition_url(request, photos[0].image, 1600) if photos else "",
        "structured_data": _structured_data(request, product, variants, canonical),
        "card": _card_of(product),
        "requirement_labels": ProvenanceCard.requirement_labels(),
        **review_selectors.product_reviews_block(
            product=product,
            viewer=request.user,
            sort=request.GET.get("reviews", ""),
            page=request.GET.get("rpage"),
        ),
    }
    return render(request, "catalog/product_detail.html", context)


def _card_of(product: Product) -> ProvenanceCard | None:
    try:
        return product.provenance  # joined by the selector: no query
    except ProvenanceCard.DoesNotExist:
        return None


# --- the shopper's grid: all goods, category pages, search ------------------------------------


def _grid(
    request,
    *,
    template: str,
    category_slug: str | None = None,
    search: bool = False,
    shop=None,
):
    """Filters from the GET form; a hand-made URL with a value we cannot use gets a 400, a
    note, and the grid without its filters (the query and the category page stay)."""
    categories = selectors.category_tree()
    category, category_ids = None, ()
    if category_slug is not None:
        category, category_ids = selectors.category_with_children(categories, category_slug)
        if category is None:
            raise Http404
    form = GridFilterForm(
        request.GET or None,
        categories=categories,
        with_category=category is None,
        max_page=selectors.GRID_MAX_PAGE,
    )
    valid = form.is_valid() if request.GET else True
    data = form.cleaned_data if request.GET and valid else {}
    query = data.get("q", "") if valid else " ".join(request.GET.get("q", "").split())[:100]
    if data.get("category"):
        category, category_ids = selectors.category_with_children(categories, data["category"])
    filters = selectors.GridFilters(
        query=query,
        shop_id=shop.pk if shop is not None else None,
        category_ids=category_ids,
        price_from=data.get("price_from"),
        price_to=data.get("price_to"),
        in_stock=bool(data.get("in_stock")),
        verified=bool(data.get("verified")),
        provenance_complete=bool(data.get("provenance")),
        sort=data.get("sort") or "",
    )
    page = selectors.product_grid(filters=filters, page=data.get("page") or 1)
    narrowed = bool(
        data.get("price_from") is not None
        or data.get("price_to") is not None
        or filters.in_stock
        or filters.verified
        or filters.provenance_complete
        or (data.get("category") and category_slug is None)
    )
    suggestion = ""
    if search and query and not page.products and not narrowed:
        from catalog.search import suggest

        suggestion = suggest(query)
    page_query = request.GET.copy()
    page_query.pop("page", None)
    context = {
        "form": form,
        "invalid": not valid,
        "page": page,
        "page_query": page_query.urlencode(),
        "categories": categories,
        "category": category,
        "category_page": category_slug is not None,
        "query": query,
        "narrowed": narrowed,
        "suggestion": suggestion,
        "search": search,
        "shop": shop,
    }
    return render(request, template, context, status=200 if valid else 400)


@require_GET
def goods(request, category_slug=None):
    """All goods on the square, or one category's (a top-level one includes its children)."""
    return _grid(request, template="catalog/product_list.html", category_slug=category_slug)


@require_GET
def shop_goods(request, shop_slug):
    """One stall's goods with the square's filters and sorting (its page shows the newest)."""
    shop = shop_selectors.shop_by_slug(shop_slug)
    if shop is None or shop.is_closed:
        raise Http404
    return _grid(request, template="catalog/product_list.html", shop=shop)


@require_GET
def search(request):
    """The header's search box: goods matching every word, best match first."""
    return _grid(request, template="catalog/product_search.html", search=True)
