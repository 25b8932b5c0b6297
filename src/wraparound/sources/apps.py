from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "wraparound.sources"
    label = "sources"
