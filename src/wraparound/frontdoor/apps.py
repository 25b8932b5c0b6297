from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    name = "wraparound.frontdoor"
    label = "frontdoor"
    verbose_name = "requests for help (the front door)"
