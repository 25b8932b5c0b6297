from django.apps import AppConfig


class SpcConfig(AppConfig):
    name = "wraparound.spc"
    label = "spc"
