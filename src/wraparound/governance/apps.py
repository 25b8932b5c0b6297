from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "wraparound.governance"
    label = "governance"
