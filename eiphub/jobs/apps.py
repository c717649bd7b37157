from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "eiphub.jobs"
    label = "jobs"

    def ready(self):
        # The Celery app and its one task, then every app's job kinds (<app>/jobs.py).
        from django.utils.module_loading import autodiscover_modules

        from . import celery_app, checks, tasks  # noqa: F401

        autodiscover_modules("jobs")
