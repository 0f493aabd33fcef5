"""A response item: a check stopped an experiment, found a sample-ratio mismatch or could not read
its data, and the touchpoint's response owner must act (roll back, fix the data, explain) by a due time."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from experiments.models import Check, Experiment


class ResponseItem(models.Model):
    class Kind(models.TextChoices):
        STOPPED = "stopped", _("Stopped by a check")
        SRM = "srm", _("Sample-ratio mismatch")
        DATA_ERROR = "data_error", _("Data error")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Action(models.TextChoices):
        ROLLED_BACK = "rolled_back", _("Rolled back the change")
        FIXED_DATA = "fixed_data", _("Fixed the data")
        EXPLAINED = "explained", _("Explained: no action needed")

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="response_items")
    check_record = models.ForeignKey(Check, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The event this item answers (e.g. "check:42"): one item per event, however often it is reported.
    event_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="response_items")
    what_happened = models.TextField()
    what_to_do = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    opened_at = models.DateTimeField(db_index=True)
    due_at = models.DateTimeField()
    # Claimed with a conditional UPDATE, as approval reminders are: each is sent once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices, blank=True)
    what_was_done = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("response item")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.experiment.key} ({self.state})"

    def get_absolute_url(self):
        return reverse("response-detail", kwargs={"pk": self.pk})
