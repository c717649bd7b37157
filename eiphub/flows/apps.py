from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "eiphub.flows"
    label = "flows"

    def ready(self):
        from . import signals  # noqa: F401 - tenancy changes re-park flow rows
