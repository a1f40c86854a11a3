"""The Celery application. Tasks live in each app's tasks.py; with no CELERY_BROKER_URL they run inline.

Start a worker with `celery -A deltaregio worker -l info` (and `celery -A deltaregio beat` for the
scheduled tasks) once CELERY_BROKER_URL points at Redis.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deltaregio.settings")

app = Celery("deltaregio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
