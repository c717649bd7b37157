from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "eiphub.accounts"
    label = "accounts"
