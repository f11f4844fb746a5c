from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opendtm.accounts"
    verbose_name = "Operations, users and audit"
