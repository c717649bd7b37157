from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "eiphub.notices"
    label = "notices"

    def ready(self):
        from . import jobs  # noqa: F401  (registers the job kind)
