from django import forms
from django.utils.translation import gettext_lazy as _

from microstore.images.forms import ImageUploadField
from microstore.images.models import Purpose
from shops.models import Region, Shop, Status


class ShopForm(forms.ModelForm):
    """The stall profile. Shape only; the services enforce the rules."""

    shipping_regions = forms.MultipleChoiceField(
        label=_("Shipping regions"),
        choices=Region.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "region-choices"}),
        help_text=_("Where you send goods. Leave empty if you have not decided yet."),
    )
    logo = ImageUploadField(purpose=Purpose.SHOP_LOGO, label=_("Logo"), required=False)
    banner = ImageUploadField(purpose=Purpose.SHOP_BANNER, label=_("Banner"), required=False)

    class Meta:
        model = Shop
        fields = [
            "name",
            "tagline",
            "description",
            "region",
            "city",
            "wechat_id",
            "phone",
            "return_policy",
            "shipping_regions",
        ]
        labels = {"name": _("Stall name")}
        help_texts = {
            "name": _("Chinese names are welcome: the web address is made from the pinyin."),
            "tagline": _("One short line shoppers see on the square."),
            "wechat_id": _(
                "Only you see it for now; buyers with an order will, once orders exist."
            ),
            "phone": _("Optional."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "return_policy": forms.Textarea(attrs={"rows": 4}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter a name for your stall."))
        return name

    def profile(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, s) for s in (Status.OPEN, Status.PAUSED, Status.CLOSED)]
    )


class SquareFilterForm(forms.Form):
    region = forms.ChoiceField(
        label=_("Region"),
        choices=[("", _("All regions")), *Region.choices],
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[("newest", _("Newest")), ("followed", _("Most followed"))],
        required=False,
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"region": data.get("region") or "", "sort": data.get("sort") or "newest"}
