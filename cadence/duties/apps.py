from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    """Roles with duties: the roles page and the response items opened when a signal fires."""

    name = "cadence.duties"
    label = "duties"
    verbose_name = _("Roles and responses")

    def ready(self):
        from cadence.duties import hooks

        hooks.register()
