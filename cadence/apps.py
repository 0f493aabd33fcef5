from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CadenceConfig(AppConfig):
    name = "cadence"
    verbose_name = "Cadence"

    def ready(self):
        from cadence.heartbeat import record_sweep
        from cadence.schedule import ensure_periodic_tasks_after_migrate
        from experiments.hooks import registry

        post_migrate.connect(ensure_periodic_tasks_after_migrate, sender=self)
        registry.add("after_sweep", self.label, record_sweep)
