from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "eiphub.finance"
    label = "finance"
    verbose_name = "Project finance and programme pipeline"
