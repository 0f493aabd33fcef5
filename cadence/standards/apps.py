from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "cadence.standards"
    label = "standards"
    verbose_name = "Standards catalogue"
