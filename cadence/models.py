from django.db import models


class SchedulerHeartbeat(models.Model):
    """Written by a periodic task: proves that beat, broker and worker all work together."""

    name = models.CharField(max_length=60, unique=True)
    last_run_at = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M:%S}"
