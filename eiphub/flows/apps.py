from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "eiphub.flows"
    label = "flows"
