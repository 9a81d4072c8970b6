"""The seller's forms. They check the shape of what was typed; the services enforce the rules."""

import re

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product, ProvenanceCard, Status
from catalog.services import (
    MAX_OWN_TEST_PHOTOS,
    MAX_PHOTOS,
    MIN_PRICE,
    PROVENANCE_FIELDS,
    PhotoChange,
    VariantRow,
)
from microstore.images.forms import ImageUploadField
from microstore.images.models import Purpose

TAG_SEPARATORS = re.compile("[,;\uff0c\uff1b\u3001]+")  # also full-width comma, semicolon, 、


def category_choices() -> list:
    """Leaf categories grouped under their parents, for a ``<select>`` with ``<optgroup>``."""
    from catalog.selectors import category_tree

    choices: list = [("", _("Choose a category"))]
    for top, children in category_tree():
        if children:
            choices.append((top.label, [(child.pk, child.label) for child in children]))
        else:
            choices.append((top.pk, top.label))
    return choices


class ProductForm(forms.ModelForm):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(children__isnull=True),
        help_text=_("Some categories (food, cosmetics, baby, health) need a provenance card."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=300,
        help_text=_("Separated by commas, for example: oolong, Anxi, spring harvest."),
    )

    class Meta:
        model = Product
        fields = ["title", "category", "description", "tags", "own_test_notes"]
        labels = {"title": _("Title"), "description": _("Description")}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "own_test_notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = self.instance.tags_text

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Please give the product a title."))
        return title

    def clean_tags(self) -> list[str]:
        parts = TAG_SEPARATORS.split(self.cleaned_data.get("tags") or "")
        tags = [" ".join(part.split()) for part in parts if part.strip()]
        if any(len(tag) > 30 for tag in tags):
            raise forms.ValidationError(_("Keep each tag under 30 characters."))
        if len(tags) > 10:
            raise forms.ValidationError(_("Ten tags at most."))
        return tags

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class VariantForm(forms.Form):
    """One row: what it is (size, colour), its price and stock."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    size = forms.CharField(
        label=_("Size or weight"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 250 g")}),
    )
    style = forms.CharField(
        label=_("Colour or style"),
        required=False,
        max_length=40,
    )
    price = forms.DecimalField(
        label=_("Price (¥)"),
        max_digits=12,
        decimal_places=2,
        min_value=MIN_PRICE,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    was_price = forms.DecimalField(
        label=_("Was (¥)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=MIN_PRICE,
        help_text=_("Optional: the old price, shown crossed out."),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    stock = forms.IntegerField(label=_("In stock"), min_value=0, max_value=1_000_000)
    low_stock_threshold = forms.IntegerField(
        label=_("Warn me at"),
        min_value=0,
        max_value=100_000,
        initial=5,
        help_text=_("Listed under “low stock” at or below this many."),
    )
    sku = forms.CharField(
        label=_("SKU"),
        required=False,
        max_length=40,
        help_text=_("Your own code; made for you if left empty."),
    )
    weight_grams = forms.IntegerField(
        label=_("Weight (g)"), required=False, min_value=1, max_value=1_000_000
    )

    def clean(self):
        data = super().clean()
        price, was = data.get("price"), data.get("was_price")
        if price is not None and was is not None and was <= price:
            self.add_error("was_price", _("The “was” price must be higher than the price."))
        return data

    def row(self) -> VariantRow:
        data = self.cleaned_data
        return VariantRow(
            id=data.get("id"),
            options={"size": data.get("size", ""), "style": data.get("style", "")},
            sku=data.get("sku", ""),
            price=data["price"],
            was_price=data.get("was_price"),
            stock=data["stock"],
            low_stock_threshold=data["low_stock_threshold"],
            weight_grams=data.get("weight_grams"),
            delete=bool(data.get("DELETE")),
        )

    @classmethod
    def initial_for(cls, variant) -> dict:
        return {
            "id": variant.pk,
            "size": variant.options.get("size", ""),
            "style": variant.options.get("style", ""),
            "price": variant.price,
            "was_price": variant.was_price,
            "stock": variant.stock,
            "low_stock_threshold": variant.low_stock_threshold,
            "sku": variant.sku,
            "weight_grams": variant.weight_grams,
        }


class BaseVariantFormSet(forms.BaseFormSet):
    def rows(self) -> list[VariantRow]:
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if self._should_delete_form(form):
                if data.get("id"):
                    rows.append(VariantRow(id=data["id"], delete=True))
            elif data:
                rows.append(form.row())
        return rows

    def ids(self) -> list[int]:
        return [row.id for row in self.rows() if row.id]


VariantFormSet = forms.formset_factory(
    VariantForm,
    formset=BaseVariantFormSet,
    extra=1,
    min_num=1,
    validate_min=True,
    max_num=30,
    validate_max=True,
    can_delete=True,
    can_delete_extra=False,
)


class ProvenanceForm(forms.ModelForm):
    certificate_upload = ImageUploadField(
        purpose=Purpose.PRODUCT, label=_("Certificate photo"), required=False
    )
    remove_certificate = forms.BooleanField(label=_("Remove the certificate photo"), required=False)

    class Meta:
        model = ProvenanceCard
        fields = list(PROVENANCE_FIELDS)
        widgets = {"production_date": forms.DateInput(attrs={"type": "date"})}

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def show_missing(self, missing: list[str]) -> None:
        """Mark the fields a publish needs (``ProvenanceIncomplete.missing``)."""
        if not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}  # an unbound form shown again with the publish errors
        for requirement in missing:
            name = "production_date" if requirement == "date_or_batch" else requirement
            self.add_error(name, _("Needed before this can be published in its category."))


class MultipleImageInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleImageUploadField(ImageUploadField):
    """Several photos in one ``<input type="file" multiple>``, each checked on its own."""

    widget = MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def __init__(self, *, max_files: int, **kwargs):
        self.max_files = max_files
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > self.max_files:
            raise forms.ValidationError(
                _("Choose at most %(max)s photos at a time.") % {"max": self.max_files}
            )
        if not files:
            return []
        errors, cleaned = [], []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class PhotoForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    alt_text = forms.CharField(label=_("What the photo shows"), required=False, max_length=200)
    position = forms.IntegerField(label=_("Order"), min_value=0, max_value=99)

    def change(self) -> PhotoChange:
        data = self.cleaned_data
        return PhotoChange(
            id=data["id"],
            alt_text=data.get("alt_text", ""),
            position=data["position"],
            delete=bool(data.get("DELETE")),
        )


PhotoFormSet = forms.formset_factory(
    PhotoForm, extra=0, max_num=MAX_PHOTOS, validate_max=True, can_delete=True
)


class UploadsForm(forms.Form):
    new_photos = MultipleImageUploadField(
        purpose=Purpose.PRODUCT,
        max_files=MAX_PHOTOS,
        label=_("Add photos"),
        required=False,
    )
    own_test_new = MultipleImageUploadField(
        purpose=Purpose.PRODUCT,
        max_files=MAX_OWN_TEST_PHOTOS,
        label=_("Add photos of your own test"),
        required=False,
    )
    own_test_remove = forms.ModelMultipleChoiceField(
        label=_("Remove own-test photos"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        from catalog.models import OwnTestPhoto

        # Only this product's own-test photos can be chosen: anything else is "not a choice".
        queryset = (
            OwnTestPhoto.objects.filter(product=product) if product else OwnTestPhoto.objects.none()
        )
        self.fields["own_test_remove"].queryset = queryset
        self.fields["own_test_remove"].label_from_instance = lambda p: (
            _("Photo %(n)s") % {"n": p.position + 1}
        )


class ManageFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Status.choices], required=False
    )
    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)


class StockForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    stock = forms.IntegerField(label=_("In stock"), min_value=0, max_value=1_000_000)


StockFormSet = forms.formset_factory(StockForm, extra=0, max_num=30, validate_max=True)


class HideForm(forms.Form):
    """The admins' "hide with reason" step."""

    reason = forms.CharField(
        label=_("Reason (the seller is told)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class GridFilterForm(forms.Form):
    """The shopper's filters on /goods/, category pages and search results (a GET form)."""

    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    price_from = forms.DecimalField(
        label=_("Price from (¥)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    price_to = forms.DecimalField(
        label=_("Price up to (¥)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    in_stock = forms.BooleanField(label=_("In stock"), required=False)
    verified = forms.BooleanField(label=_("Verified sellers only"), required=False)
    provenance = forms.BooleanField(label=_("Provenance complete"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data=None, *, categories, with_category=True, max_page: int):
        """``categories``: ``selectors.category_tree()``; ``with_category=False`` on a
        category's own page (its URL says which)."""
        from catalog.search import QUERY_MAX_CHARS
        from catalog.selectors import GridSort

        super().__init__(data)
        self.query_max = QUERY_MAX_CHARS
        self.fields["page"].max_value = max_page
        self.fields["page"].validators.append(MaxValueValidator(max_page))
        if with_category:
            choices: list = [("", _("All categories"))]
            for top, children in categories:
                choices.append((top.slug, top.label))
                choices += [(child.slug, f"\u2003{child.label}") for child in children]
            self.fields["category"].choices = choices
        else:
            del self.fields["category"]
        query = (data or {}).get("q", "").strip() if data else ""
        sorts = [(value, label) for value, label in GridSort.choices]
        if not query:
            sorts = [(v, label) for v, label in sorts if v != GridSort.RELEVANCE]
        self.fields["sort"].choices = sorts  # the first is the default

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())[: self.query_max]

    def clean(self):
        data = super().clean()
        low, high = data.get("price_from"), data.get("price_to")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(_("The lowest price is above the highest price."))
        return data
