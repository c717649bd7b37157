"""The Celery application.  Configuration comes from Django settings (CELERY_* names,
see the "Background jobs" block of eiphub/settings.py); the worker is started with
`eiphub worker` (or `celery -A eiphub.jobs.celery_app worker`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eiphub.settings")

app = Celery("eiphub")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _setup_django():
    import django

    django.setup()
