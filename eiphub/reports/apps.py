from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "eiphub.reports"
    label = "reports"

    def ready(self):
        from . import signals  # noqa: F401 - inputs' changes mark stored results stale
