"""Forms for returns and complaints. They check the shape of the input; the services in
``orders.services.aftersales`` enforce the rules (window, excluded goods, who may act)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.forms import MultipleImageUploadField
from orders.models import Dispute
from orders.services.aftersales import MAX_RETURN_PHOTOS, RETURN_PHOTO_PURPOSE


class ReturnRequestForm(forms.Form):
    """How many of each returnable line to send back (``line_<id>``), a reason, photos."""

    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No reason is needed within the return window, but it helps the seller."),
    )
    photos = MultipleImageUploadField(
        purpose=RETURN_PHOTO_PURPOSE,
        max_files=MAX_RETURN_PHOTOS,
        label=_("Photos (optional)"),
        required=False,
    )

    def __init__(self, *args, lines=(), returnable: dict[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        returnable = returnable or {}
        self.line_rows = []
        fields = {}
        for line in lines:
            left = returnable.get(line.pk, 0)
            name = f"line_{line.pk}"
            if left:
                fields[name] = forms.TypedChoiceField(
                    label=line.title + (f" ({line.variant_name})" if line.variant_name else ""),
                    choices=[(n, str(n)) for n in range(left + 1)],
                    coerce=int,
                    empty_value=0,
                    required=False,
                    initial=0,
                )
            self.line_rows.append((line, name if left else None, left))
        # The quantities first, then the reason and the photos.
        self.fields = {**fields, **self.fields}

    def line_fields(self):
        return [(line, self[name] if name else None, left) for line, name, left in self.line_rows]

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for _line, name, _left in self.line_rows if name):
            raise forms.ValidationError(_("Choose at least one item to return."))
        return data

    def quantities(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data.get(name) or 0
            for line, name, _left in self.line_rows
            if name
        }


class ReturnShipForm(forms.Form):
    carrier = forms.CharField(
        label=_("Carrier"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. SF Express")}),
    )
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)


class ReturnRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you refuse"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The buyer reads this and can open a complaint."),
    )


class ReturnReceivedForm(forms.Form):
    restock = forms.BooleanField(
        label=_("Put the returned goods back in stock"), required=False, initial=True
    )


class DisputeOpenForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is wrong"), choices=Dispute.Kind.choices, widget=forms.RadioSelect
    )
    statement = forms.CharField(
        label=_("What happened"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The seller and, if it comes to that, microstore's moderators read this."),
    )


class DisputeAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The buyer and, if it comes to that, microstore's moderators read this."),
    )


class DisputeEscalateForm(forms.Form):
    note = forms.CharField(
        label=_("Why microstore should decide"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DisputeRulingForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Ruling"), choices=Dispute.Outcome.choices, widget=forms.RadioSelect
    )
    amount = forms.DecimalField(
        label=_("Amount to refund (¥)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Only for a refund in part."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Both the buyer and the seller read this."),
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Dispute.Outcome.REFUND_PART and not data.get("amount"):
            self.add_error("amount", _("Give the amount to refund."))
        return data
