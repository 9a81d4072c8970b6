from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from catalog.models import Product, ProductPhoto, Status, StockMovement, Variant
from tests.catalog.factories import (
    ImageFactory,
    ProductFactory,
    ProvenanceFactory,
    VariantFactory,
    category,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def photo(colour=(200, 80, 40), size=(640, 640)) -> SimpleUploadedFile:
    buffer = BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(*, variants=(), photos=(), **product) -> dict:
    """POST data of the edit page: product fields, variant rows, photo rows, provenance."""
    data = {
        "title": "铁观音 Tieguanyin",
        "category": str(category("tea").pk),
        "description": "Hand-rolled.",
        "tags": "oolong, Anxi",
        "own_test_notes": "",
        "prov-manufacturer": "安溪县高山茶厂",
        "prov-manufacturer_address": "安溪县感德镇 1 号",
        "prov-origin": "Anxi",
        "prov-production_date": "",
        "prov-batch": "B7",
        "prov-shelf_life": "18 months",
        "prov-licence_number": "SC114",
        **product,
    }
    variants = variants or [{"price": "68.00", "stock": "10"}]
    data |= management("variants", len(variants), sum(1 for v in variants if v.get("id")))
    for index, row in enumerate(variants):
        row = {"low_stock_threshold": "5", **row}
        data |= {f"variants-{index}-{key}": value for key, value in row.items()}
    data |= management("photos", len(photos), len(photos))
    for index, row in enumerate(photos):
        data |= {f"photos-{index}-{key}": value for key, value in row.items()}
    return data


def goods_urls(shop, product) -> list[tuple[str, str]]:
    args = [shop.slug, product.slug]
    return [
        ("get", reverse("catalog:manage", args=[shop.slug])),
        ("get", reverse("catalog:create", args=[shop.slug])),
        ("post", reverse("catalog:create", args=[shop.slug])),
        ("get", reverse("catalog:low-stock", args=[shop.slug])),
        ("get", reverse("catalog:edit", args=args)),
        ("post", reverse("catalog:edit", args=args)),
        ("post", reverse("catalog:publish", args=args)),
        ("post", reverse("catalog:unpublish", args=args)),
        ("post", reverse("catalog:duplicate", args=args)),
        ("get", reverse("catalog:stock", args=args)),
        ("post", reverse("catalog:stock", args=args)),
    ]


URL_NAMES = [
    "manage get",
    "create get",
    "create post",
    "low-stock get",
    "edit get",
    "edit post",
    "publish",
    "unpublish",
    "duplicate",
    "stock get",
    "stock post",
]


# --- who may reach the goods pages -------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(URL_NAMES)), ids=URL_NAMES)
def test_a_stranger_with_a_stall_of_their_own_gets_404(
    client, stranger, other_shop, product, index
):
    client.force_login(stranger)
    method, url = goods_urls(product.shop, product)[index]

    data = form_data() | management("stock", 1, 1) | {"stock-0-id": "1", "stock-0-stock": "0"}
    response = getattr(client, method)(url, data)

    assert response.status_code == 404, url
    assert Product.objects.count() == 1
    product.refresh_from_db()
    assert product.status == Status.DRAFT
    assert product.variants.get().stock == 10


def test_the_owner_reaches_every_goods_page(client, owner, product):
    client.force_login(owner)

    for method, url in goods_urls(product.shop, product):
        if method == "get":
            assert client.get(url).status_code == 200, url


def test_anonymous_and_unconfirmed_visitors_are_kept_out(client, product):
    for method, url in goods_urls(product.shop, product):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login"))

    unconfirmed = UserFactory(verified=False)
    product.shop.members.update(user=unconfirmed)
    client.force_login(unconfirmed)
    for method, url in goods_urls(product.shop, product):
        assert getattr(client, method)(url).status_code == 403, url


# --- creating --------------------------------------------------------------------------------


def test_create_a_simple_product_with_a_photo(
    client, owner, shop, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    url = reverse("catalog:create", args=[shop.slug])

    page = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**form_data(), "new_photos": [photo(), photo((0, 90, 0))]})

    assert page.text.count('name="variants-0-price"') == 1
    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == "/stalls/lao-gao-de-cha-ye-pu/manage/goods/tie-guan-yin-tieguanyin/"
    assert product.status == Status.DRAFT
    assert product.tags == ["oolong", "Anxi"]
    assert product.variants.get().stock == 10
    assert product.provenance.licence_number == "SC114"
    photos = list(product.photos.select_related("image"))
    assert [p.position for p in photos] == [0, 1]
    assert product.cover == photos[0].image
    assert photos[0].image.status == "ready"
    assert photos[0].alt_text == "铁观音 Tieguanyin"


def test_bad_input_is_a_400_with_messages_and_nothing_saved(client, owner, shop):
    client.force_login(owner)
    bad = form_data(
        title=" ",
        category="999999",
        variants=[{"price": "-1", "stock": "many", "was_price": ""}],
        **{"prov-production_date": "last spring"},
    )

    response = client.post(
        reverse("catalog:create", args=[shop.slug]),
        {**bad, "new_photos": [SimpleUploadedFile("x.png", b"not a picture")]},
    )

    assert response.status_code == 400
    assert "This field is required." in response.text
    assert "Select a valid choice" in response.text
    assert "Ensure this value is greater than or equal to 0.01" in response.text
    assert "Enter a whole number." in response.text
    assert "Enter a valid date." in response.text
    assert 'id="id_new_photos_error"' in response.text
    assert not Product.objects.exists()


def test_a_was_price_below_the_price_is_refused(client, owner, shop):
    client.force_login(owner)

    response = client.post(
        reverse("catalog:create", args=[shop.slug]),
        form_data(variants=[{"price": "68", "stock": "1", "was_price": "50"}]),
    )

    assert response.status_code == 400
    assert "must be higher than the price" in response.text


def test_a_small_photo_is_refused_with_the_reason(client, owner, shop):
    client.force_login(owner)

    response = client.post(
        reverse("catalog:create", args=[shop.slug]),
        {**form_data(), "new_photos": [photo(size=(300, 300))]},
    )

    assert response.status_code == 400
    assert "at least 600 px" in response.text


# --- editing ---------------------------------------------------------------------------------


def test_edit_changes_variants_adds_one_and_updates_photo_order(client, owner, product):
    client.force_login(owner)
    variant = product.variants.get()
    first = ProductPhoto.objects.create(product=product, image=ImageFactory(), position=0)
    second = ProductPhoto.objects.create(product=product, image=ImageFactory(), position=1)
    data = form_data(
        variants=[
            {"id": str(variant.pk), "price": "70.00", "stock": "8", "size": "250 g"},
            {"price": "120.00", "stock": "4", "size": "500 g"},
        ],
        photos=[
            {"id": str(first.pk), "alt_text": "Leaves", "position": "2"},
            {"id": str(second.pk), "alt_text": "Tin", "position": "1"},
        ],
    )

    response = client.post(reverse("catalog:edit", args=[product.shop.slug, product.slug]), data)

    assert response.status_code == 302
    small, large = product.variants.order_by("position")
    assert (small.pk, small.price, small.stock, small.name) == (
        variant.pk,
        Decimal("70.00"),
        8,
        "250 g",
    )
    assert (large.price, large.stock) == (Decimal("120.00"), 4)
    product.refresh_from_db()
    assert product.cover == second.image
    assert StockMovement.objects.filter(variant=small, delta=-2).exists()


def test_another_stalls_variant_ids_in_your_own_form_are_a_404(client, owner, product, other_shop):
    client.force_login(owner)
    theirs = VariantFactory(product=ProductFactory(shop=other_shop), price=Decimal("9.00"))
    data = form_data(variants=[{"id": str(theirs.pk), "price": "0.01", "stock": "0"}])

    edit = client.post(reverse("catalog:edit", args=[product.shop.slug, product.slug]), data)
    create = client.post(reverse("catalog:create", args=[product.shop.slug]), data)
    stock = client.post(
        reverse("catalog:stock", args=[product.shop.slug, product.slug]),
        management("stock", 1, 1) | {"stock-0-id": str(theirs.pk), "stock-0-stock": "0"},
    )

    assert (edit.status_code, create.status_code, stock.status_code) == (404, 404, 404)
    theirs.refresh_from_db()
    assert (theirs.price, theirs.stock) == (Decimal("9.00"), 10)
    assert not StockMovement.objects.filter(variant=theirs).exists()
    assert Product.objects.filter(shop=product.shop).count() == 1


def test_another_stalls_photo_ids_are_a_404(client, owner, product, other_shop):
    client.force_login(owner)
    theirs = ProductPhoto.objects.create(
        product=ProductFactory(shop=other_shop), image=ImageFactory()
    )
    data = form_data(
        variants=[{"id": str(product.variants.get().pk), "price": "68", "stock": "10"}],
        photos=[{"id": str(theirs.pk), "alt_text": "", "position": "0", "DELETE": "on"}],
    )

    response = client.post(reverse("catalog:edit", args=[product.shop.slug, product.slug]), data)

    assert response.status_code == 404
    assert ProductPhoto.objects.filter(pk=theirs.pk).exists()


# --- publishing, duplicating, stock ------------------------------------------------------------


def test_publishing_with_an_incomplete_card_shows_what_is_missing(client, owner, shop):
    client.force_login(owner)
    product = ProductFactory(shop=shop, slug="honey", category=category("honey-preserves"))
    VariantFactory(product=product)
    ProvenanceFactory(product=product, licence_number="", shelf_life="")

    response = client.post(reverse("catalog:publish", args=[shop.slug, product.slug]))

    assert response.status_code == 400
    assert "Still missing: shelf life, licence or certificate number." in response.text
    assert response.text.count("Needed before this can be published in its category.") == 2
    product.refresh_from_db()
    assert product.status == Status.DRAFT


def test_publish_unpublish_and_duplicate(client, owner, product):
    client.force_login(owner)
    args = [product.shop.slug, product.slug]

    published = client.post(reverse("catalog:publish", args=args))
    product.refresh_from_db()
    assert (published.status_code, product.status) == (302, Status.PUBLISHED)

    client.post(reverse("catalog:unpublish", args=args))
    product.refresh_from_db()
    assert product.status == Status.DRAFT

    duplicated = client.post(reverse("catalog:duplicate", args=args))
    copy = Product.objects.exclude(pk=product.pk).get()
    assert duplicated.url == copy.get_manage_url()
    assert copy.variants.get().stock == 0


def test_stock_page_sets_every_variant(client, owner, published):
    client.force_login(owner)
    small, large = published.variants.order_by("position")
    url = reverse("catalog:stock", args=[published.shop.slug, published.slug])
    data = management("stock", 2, 2) | {
        "stock-0-id": str(small.pk),
        "stock-0-stock": "3",
        "stock-1-id": str(large.pk),
        "stock-1-stock": "12",
    }

    response = client.post(url, data)
    bad = client.post(url, {**data, "stock-1-stock": "-2"})

    assert response.status_code == 302
    assert bad.status_code == 400
    assert "greater than or equal to 0" in bad.text
    assert list(published.variants.order_by("position").values_list("stock", flat=True)) == [3, 12]


def test_low_stock_lists_only_variants_at_or_below_their_threshold(client, owner, published):
    client.force_login(owner)
    Variant.objects.filter(sku="SO-100").update(stock=2)
    VariantFactory(product=published, sku="SO-1000", stock=50)

    response = client.get(reverse("catalog:low-stock", args=[published.shop.slug]))

    assert "SO-100" in response.text and "SO-250" in response.text
    assert "SO-1000" not in response.text
    assert response.text.index("SO-250") < response.text.index("SO-100")  # sold out first


def test_manage_list_filters_by_status_and_searches_titles(client, owner, product, published):
    client.force_login(owner)
    url = reverse("catalog:manage", args=[product.shop.slug])

    drafts = client.get(url, {"status": "draft"})
    search = client.get(url, {"q": "oolong"})
    bad = client.get(url, {"status": "sold"})

    assert "Tieguanyin" in drafts.text and "Spring oolong" not in drafts.text
    assert "Spring oolong" in search.text and "Tieguanyin" not in search.text
    assert bad.status_code == 400
    assert "Tieguanyin" in bad.text and "Spring oolong" in bad.text


@pytest.mark.parametrize("count", [1, 30])
def test_the_goods_list_runs_a_bounded_number_of_queries(
    client, owner, shop, count, django_assert_max_num_queries
):
    for _ in range(count):
        VariantFactory(product=ProductFactory(shop=shop, cover=ImageFactory()))
    client.force_login(owner)

    # session, user, confirmed email?, the bell, the stall, status counts, page count, the page
    with django_assert_max_num_queries(8):
        response = client.get(reverse("catalog:manage", args=[shop.slug]))

    assert response.text.count('class="goods-list__item"') == min(count, 24)
