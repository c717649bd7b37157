from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "eiphub.networks"
    label = "networks"
    verbose_name = "Symbiosis networks"
