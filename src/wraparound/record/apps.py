from django.apps import AppConfig


class RecordConfig(AppConfig):
    name = "wraparound.record"
    label = "record"
