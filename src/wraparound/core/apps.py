from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wraparound.core"
    label = "core"
