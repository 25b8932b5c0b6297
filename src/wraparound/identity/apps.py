from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "wraparound.identity"
    label = "identity"
