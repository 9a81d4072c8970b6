"""Notification targets that are a page rather than an object with ``get_absolute_url()``."""

from django.urls import reverse


class Link:
    """The page at a URL name: ``Link("shops:square-mine")``, ``Link("admin:x_y_change", pk)``,
    or a list with its filters (``query="status__exact=open"``). Reversed when used, so a
    module-level ``Link`` is fine before the URLconf is loaded."""

    def __init__(self, url_name: str, *args, query: str = ""):
        self.url_name, self.args, self.query = url_name, args, query

    def get_absolute_url(self) -> str:
        url = reverse(self.url_name, args=self.args)
        return f"{url}?{self.query}" if self.query else url
