from django import forms
from django.utils.translation import gettext_lazy as _


class SandboxDecisionForm(forms.Form):
    """The sandbox gateway's page: the buyer pays or declines."""

    PAY, DECLINE = "pay", "decline"

    decision = forms.ChoiceField(choices=[(PAY, _("Pay")), (DECLINE, _("Decline"))])
