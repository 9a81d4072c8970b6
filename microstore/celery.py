"""The Celery app. Settings come from Django's (``CELERY_*``); tasks are found in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microstore.settings")

app = Celery("microstore")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
