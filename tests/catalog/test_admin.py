import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from catalog.models import Product, Status
from microstore.notifications.models import Notification
from tests.catalog.factories import ProductFactory, ProvenanceFactory, category

pytestmark = pytest.mark.django_db


def test_hide_with_reason_asks_for_a_reason_then_hides_and_tells_the_seller(
    client, admin_user, owner, published
):
    client.force_login(admin_user)
    url = reverse("admin:catalog_product_changelist")
    chosen = {"action": "hide_with_reason", ACTION_CHECKBOX_NAME: [str(published.pk)]}

    ask = client.post(url, chosen)
    empty = client.post(url, {**chosen, "apply": "1", "reason": "  "})
    done = client.post(url, {**chosen, "apply": "1", "reason": "Counterfeit licence."})

    assert ask.status_code == 200
    assert "Spring oolong" in ask.text and 'name="reason"' in ask.text
    assert empty.status_code == 400
    assert done.status_code == 302
    published.refresh_from_db()
    assert (published.status, published.hidden_reason) == (Status.HIDDEN, "Counterfeit licence.")
    assert Notification.objects.get(recipient=owner).kind == "catalog.product_hidden"
    client.logout()
    assert client.get(published.get_absolute_url()).status_code == 404  # shoppers see nothing


def test_admins_search_and_filter_goods(client, admin_user, published, shop):
    honey = ProductFactory(shop=shop, title="Linden honey", category=category("honey-preserves"))
    ProvenanceFactory(product=honey, licence_number="")
    client.force_login(admin_user)
    url = reverse("admin:catalog_product_changelist")

    by_stall = client.get(url, {"q": "老高"})
    partial = client.get(url, {"provenance": "partial"})
    complete = client.get(url, {"provenance": "complete", "status__exact": "published"})
    not_given = client.get(url, {"provenance": "not_given"})

    assert "Spring oolong" in by_stall.text and "Linden honey" in by_stall.text
    assert "Linden honey" in partial.text and "Spring oolong" not in partial.text
    assert "Spring oolong" in complete.text and "Linden honey" not in complete.text
    assert "Spring oolong" not in not_given.text
    assert client.get(reverse("admin:catalog_product_change", args=[honey.pk])).status_code == 200
    assert client.get(reverse("admin:catalog_category_changelist")).status_code == 200
    assert Product.objects.count() == 2


def test_the_category_tree_has_two_levels(admin_user):
    from django.core.exceptions import ValidationError

    tea = category("tea")
    tea.parent = category("ceramics-tableware")
    with pytest.raises(ValidationError, match="top-level"):
        tea.full_clean()
    assert category("fresh-produce").returns_excluded
    assert category("skincare").requires_provenance
    assert str(category("tea")) == "Food & drink \u203a Tea"
