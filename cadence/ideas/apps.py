from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "cadence.ideas"
    label = "ideas"
    verbose_name = "Ideas and the weekly ideas slot"
