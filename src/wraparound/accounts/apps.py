from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wraparound.accounts"
    label = "accounts"
    verbose_name = "Staff accounts"
