from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    name = "wraparound.synthetic"
    label = "synthetic"
