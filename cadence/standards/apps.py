from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "cadence.standards"
    label = "standards"
    verbose_name = _("Standards catalogue")

    def ready(self):
        from django.db.models.signals import post_save

        from cadence.standards import hooks
        from cadence.standards.flags import on_experiment_event
        from experiments.models import ExperimentEvent

        hooks.register()
        post_save.connect(on_experiment_event, sender=ExperimentEvent, dispatch_uid="standards-contradiction-flag")
