from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "eiphub.web"
    label = "web"
