from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "eiphub.reports"
    label = "reports"
