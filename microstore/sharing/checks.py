"""``manage.py check`` warns when share posters have no font to draw Chinese with."""

from django.conf import settings
from django.core import checks

from microstore.sharing.poster import available_fonts


@checks.register()
def poster_fonts_check(app_configs=None, **kwargs):
    if available_fonts():
        return []
    return [
        checks.Warning(
            "No font for share posters: none of the files in SHARE_POSTER_FONTS exists ("
            + (", ".join(str(p) for p in settings.SHARE_POSTER_FONTS) or "empty")
            + "). Posters will fail until one does.",
            hint="Restore microstore/sharing/fonts/ or run: apt-get install fonts-wqy-microhei",
            id="sharing.W001",
        )
    ]
