import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microstore.settings")

application = get_wsgi_application()

# The search's Chinese dictionary (about a second) loads now, not in a shopper's first search.
from catalog.search import load_dictionary  # noqa: E402  (needs the apps loaded)

load_dictionary()
