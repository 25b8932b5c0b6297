from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "wraparound.plans"
    label = "plans"
