"""Forms of the cart, the address book and checkout. Shape only; the services enforce rules."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import Address, PaymentMethod
from orders.services.cart import MAX_LINE_QUANTITY

_NOT_DIGIT = re.compile(r"[\s\-()]+")


class AddToCartForm(forms.Form):
    variant = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_LINE_QUANTITY,
        initial=1,
        error_messages={
            "min_value": _("Choose at least one."),
            "max_value": _("At most %(limit_value)s of one item per order."),
            "invalid": _("Enter a whole number."),
            "required": _("Enter how many you want."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "quantity-input"}),
    )


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=0,
        max_value=MAX_LINE_QUANTITY,
        error_messages={
            "min_value": _("The quantity cannot be below zero."),
            "max_value": _("At most %(limit_value)s of one item per order."),
            "invalid": _("Enter a whole number."),
            "required": _("Enter how many you want."),
        },
    )


class AddressForm(forms.ModelForm):
    # Longer than the stored 11 digits: "138 1234 5678" and "+86 …" are cleaned to them.
    mobile = forms.CharField(
        label=_("mobile number"),
        max_length=20,
        help_text=_("11 digits, for the courier: 13812345678."),
        error_messages={"required": _("The courier needs a mobile number.")},
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel-national", "inputmode": "tel"}
        ),
    )
    make_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    class Meta:
        model = Address
        fields = ["recipient", "mobile", "province", "city", "district", "street", "postcode"]
        widgets = {
            "recipient": forms.TextInput(attrs={"autocomplete": "name"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "district": forms.TextInput(attrs={"autocomplete": "address-level3"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postcode": forms.TextInput(
                attrs={"autocomplete": "postal-code", "inputmode": "numeric"}
            ),
        }
        help_texts = {
            "city": _("For example 上海市 or 杭州市."),
            "district": _("For example 徐汇区 or 西湖区."),
            "postcode": _("Optional."),
        }
        error_messages = {
            "recipient": {"required": _("Who should receive the parcel?")},
            "province": {"required": _("Choose the province.")},
            "city": {"required": _("Enter the city.")},
            "district": {"required": _("Enter the district or county.")},
            "street": {"required": _("Enter the street, building and room.")},
        }

    def clean_mobile(self) -> str:
        value = _NOT_DIGIT.sub("", self.cleaned_data.get("mobile", ""))
        if value.startswith("+86"):
            value = value[3:]
        elif value.startswith("0086"):
            value = value[4:]
        if not re.fullmatch(r"1[3-9][0-9]{9}", value):
            raise forms.ValidationError(
                _(
                    "Enter an 11-digit mainland mobile number starting with 1, "
                    "for example 13812345678."
                )
            )
        return value

    def clean_recipient(self) -> str:
        value = " ".join(self.cleaned_data.get("recipient", "").split())
        if not value:
            raise forms.ValidationError(_("Who should receive the parcel?"))
        return value

    def fields_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


NEW_ADDRESS = "new"


class CheckoutForm(forms.Form):
    """The address, per stall a payment method and a note, and the idempotency token.

    ``groups`` are the cart's stall groups that can be bought (``orders.selectors.cart``);
    each gets the fields ``pay_<shop id>`` and ``note_<shop id>``.
    """

    token = forms.UUIDField(widget=forms.HiddenInput)
    address = forms.ChoiceField(
        label=_("Deliver to"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose where to deliver, or add an address."),
            "invalid_choice": _("Choose an address from your address book."),
        },
    )

    def __init__(self, *args, addresses, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = {str(a.pk): a for a in addresses}
        self.fields["address"].choices = [
            *((pk, str(a)) for pk, a in self.addresses.items()),
            (NEW_ADDRESS, _("A new address")),
        ]
        if not self.is_bound:
            default = next(iter(self.addresses), NEW_ADDRESS)
            self.initial.setdefault("address", default)
        self.groups = groups
        for group in groups:
            methods = [(PaymentMethod.SANDBOX.value, PaymentMethod.SANDBOX.label)]
            if group.accepts_direct:
                methods.append((PaymentMethod.DIRECT.value, PaymentMethod.DIRECT.label))
            self.fields[f"pay_{group.shop.pk}"] = forms.ChoiceField(
                label=_("Payment"),
                choices=methods,
                initial=PaymentMethod.SANDBOX.value,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose how to pay this stall."),
                    "invalid_choice": _("This stall does not take that way of paying."),
                },
            )
            self.fields[f"note_{group.shop.pk}"] = forms.CharField(
                label=_("Note to the seller (optional)"),
                max_length=200,
                required=False,
            )

    def stall_rows(self):
        """Per stall group: (group, payment field, note field), for the template."""
        return [
            (group, self[f"pay_{group.shop.pk}"], self[f"note_{group.shop.pk}"])
            for group in self.groups
        ]

    @property
    def wants_new_address(self) -> bool:
        return self.data.get(self.add_prefix("address")) == NEW_ADDRESS

    def chosen_address(self) -> Address | None:
        return self.addresses.get(self.cleaned_data["address"])

    def choices(self) -> dict:
        from orders.services.checkout import StallChoice

        return {
            group.shop.pk: StallChoice(
                payment_method=self.cleaned_data[f"pay_{group.shop.pk}"],
                note=self.cleaned_data[f"note_{group.shop.pk}"],
            )
            for group in self.groups
        }
