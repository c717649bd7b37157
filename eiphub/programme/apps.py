from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "eiphub.programme"
    label = "programme"
    verbose_name = "Programme: readiness ranking and investors that create symbiosis"
