from django.apps import AppConfig


class RecpConfig(AppConfig):
    name = "eiphub.recp"
    label = "recp"
