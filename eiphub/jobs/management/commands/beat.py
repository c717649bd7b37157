"""`eiphub beat`: Celery beat, the scheduler of periodic jobs (nightly re-matching,
nightly recomputation, daily reminders, the lost-job sweeper).  Run exactly one."""

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Celery beat (the periodic job scheduler); run one per deployment."

    def add_arguments(self, parser):
        parser.add_argument("--loglevel", "-l", default="info")

    def handle(self, *args, loglevel, **options):
        from eiphub.jobs.celery_app import app

        app.start(["beat", "-l", loglevel, "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME])
