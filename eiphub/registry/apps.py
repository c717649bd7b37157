from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "eiphub.registry"
    label = "registry"
