"""Forms of the stall's order pages: tabs and search, shipping, reasons, the CSV export."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.selectors.orders import SELLER_TABS

EXPORT_DEFAULT_DAYS = 30
EXPORT_MAX_DAYS = 366


class SellerFilterForm(forms.Form):
    tab = forms.ChoiceField(
        label=_("Show"),
        choices=[(key, label) for key, (label, _q) in SELLER_TABS.items()],
        required=False,
    )
    q = forms.CharField(
        label=_("Order number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "enterkeyhint": "search"}),
    )

    def clean_q(self) -> str:
        return "".join(self.cleaned_data["q"].split())


class ShipForm(forms.Form):
    carrier = forms.CharField(
        label=_("Carrier"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("SF Express, ZTO, EMS…")}),
    )
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class ReasonForm(forms.Form):
    """Why the stall cancels or refunds: the buyer reads it on the timeline."""

    reason = forms.CharField(
        label=_("Reason (the buyer reads it)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExportForm(forms.Form):
    """A date range of orders placed, both days included."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def defaults(cls) -> dict:
        today = timezone.localdate()
        return {"start": today - timedelta(days=EXPORT_DEFAULT_DAYS - 1), "end": today}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The first day must come before the last one."))
            if (end - start).days + 1 > EXPORT_MAX_DAYS:
                raise forms.ValidationError(
                    _("Export at most %(days)s days at a time."), params={"days": EXPORT_MAX_DAYS}
                )
        return data
