from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "wraparound.notes"
    label = "notes"
    verbose_name = "contact notes"
