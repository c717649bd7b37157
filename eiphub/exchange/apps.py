from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "eiphub.exchange"
    label = "exchange"
