from decimal import Decimal

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from microstore.images.forms import ImageUploadField
from microstore.images.models import Purpose
from shops.models import Region, Shop, Status
from shops.validators import normalise_code, validate_id_number, validate_licence_number


class ShopForm(forms.ModelForm):
    """The stall profile. Shape only; the services enforce the rules."""

    shipping_regions = forms.MultipleChoiceField(
        label=_("Shipping regions"),
        choices=Region.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "region-choices"}),
        help_text=_("Where you send goods. Leave empty if you have not decided yet."),
    )
    shipping_fee = forms.DecimalField(
        label=_("Shipping fee"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("A flat fee per order, in yuan. Empty or 0: shipping is free."),
        error_messages={
            "min_value": _("The shipping fee cannot be negative."),
            "max_decimal_places": _("Use at most two decimal places (fen)."),
            "invalid": _("Enter an amount in yuan, for example 10 or 12.50."),
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    free_shipping_over = forms.DecimalField(
        label=_("Free shipping from"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Orders of at least this much ship free. Empty: never free."),
        error_messages={
            "min_value": _("The free-shipping amount cannot be negative."),
            "max_decimal_places": _("Use at most two decimal places (fen)."),
            "invalid": _("Enter an amount in yuan, for example 199 or 99.90."),
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
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
            "shipping_fee",
            "free_shipping_over",
            "payment_instructions",
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
            "payment_instructions": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter a name for your stall."))
        return name

    def clean_shipping_fee(self):
        fee = self.cleaned_data.get("shipping_fee")
        return Decimal("0.00") if fee is None else fee

    def clean_payment_instructions(self) -> str:
        return self.cleaned_data.get("payment_instructions", "").strip()

    def profile(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, s) for s in (Status.OPEN, Status.PAUSED, Status.CLOSED)]
    )


def _trust_at_least(score: int) -> str:
    return gettext("%(score)s or more") % {"score": score}


# "60 or more", translated when shown (not when the module is imported).
_at_least = lazy(_trust_at_least, str)


class SquareFilterForm(forms.Form):
    region = forms.ChoiceField(
        label=_("Region"),
        choices=[("", _("All regions")), *Region.choices],
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("trust", _("Most trusted")),
            ("newest", _("Newest")),
            ("followed", _("Most followed")),
        ],
        required=False,
    )
    verified = forms.BooleanField(label=_("Verified sellers only"), required=False)
    min_trust = forms.TypedChoiceField(
        label=_("Trust score"),
        choices=[
            ("", _("Any trust score")),
            *[(n, _at_least(n)) for n in (50, 60, 70, 80, 90)],
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "region": data.get("region") or "",
            "sort": data.get("sort") or "trust",
            "verified": bool(data.get("verified")),
            "min_trust": data.get("min_trust"),
        }


class IdentityVerificationForm(forms.Form):
    """Who runs the stall. Only the moderators ever see the ID card number."""

    real_name = forms.CharField(
        label=_("Real name"),
        max_length=60,
        help_text=_("As printed on your ID card."),
    )
    id_number = forms.CharField(
        label=_("ID card number"),
        max_length=24,
        help_text=_("18 characters. Only the moderators see it; it is never shown on the square."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )

    def clean_id_number(self) -> str:
        value = normalise_code(self.cleaned_data["id_number"])
        validate_id_number(value)
        return value


class BusinessVerificationForm(forms.Form):
    """The business behind the stall: its licence number and a photo of the licence."""

    business_name = forms.CharField(
        label=_("Business name"),
        max_length=100,
        help_text=_("As printed on your business licence."),
    )
    licence_number = forms.CharField(
        label=_("Licence number"),
        max_length=24,
        help_text=_("The 18-character unified social credit code on your business licence."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    document = ImageUploadField(
        purpose="document",
        label=_("Photo of the licence"),
        help_text=_(
            "A sharp JPEG, PNG or WebP photo, at least 600 px on the short side. Only the "
            "moderators can open it."
        ),
    )

    def clean_licence_number(self) -> str:
        value = normalise_code(self.cleaned_data["licence_number"])
        validate_licence_number(value)
        return value
