from django.apps import AppConfig


class DemandConfig(AppConfig):
    name = "wraparound.demand"
    label = "demand"
    verbose_name = "what demand teaches the team"
