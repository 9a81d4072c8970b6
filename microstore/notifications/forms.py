from django import forms
from django.utils.translation import gettext_lazy as _

from microstore.notifications.kinds import Channel, Kind


def field_name(kind: Kind, channel: str) -> str:
    return f"{kind.key}:{channel}"


class PreferencesForm(forms.Form):
    """One checkbox per kind and channel. Essential kinds show checked and disabled: a disabled
    field keeps its initial value whatever is posted, and the service skips them anyway."""

    def __init__(self, *args, table: list[tuple[Kind, dict[str, bool]]], **kwargs):
        super().__init__(*args, **kwargs)
        self.table = table
        for kind, settings in table:
            for channel, enabled in settings.items():
                self.fields[field_name(kind, channel)] = forms.BooleanField(
                    label=_("%(kind)s: %(channel)s")
                    % {"kind": kind.label, "channel": Channel(channel).label},
                    required=False,
                    initial=enabled,
                    disabled=kind.essential,
                )

    def rows(self):
        """For the template: each kind with its channel checkboxes, in the order of Channel."""
        for kind, settings in self.table:
            cells = [
                (channel, self[field_name(kind, channel)] if channel in settings else None)
                for channel in Channel.values
            ]
            yield kind, cells

    def enabled(self) -> set[tuple[str, str]]:
        return {
            (kind.key, channel)
            for kind, settings in self.table
            for channel in settings
            if self.cleaned_data.get(field_name(kind, channel))
        }
