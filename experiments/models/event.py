"""Append-only record of every lifecycle transition: the experiment's timeline and audit log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy as _

from experiments.stats.phrases import worded

from .append_only import AppendOnlyModel
from .experiment import Experiment, Outcome, Status


class ExperimentEvent(AppendOnlyModel):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="experiment_events",
        help_text=_("Empty when the scheduler acted."),
    )
    reason = models.TextField(blank=True)
    # The scheduler's reason as a phrase (experiments.stats.phrases), worded for each reader.
    reason_said = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.experiment.key}: {self.from_status or '-'} -> {self.to_status}"

    @property
    def display_reason(self) -> str:
        """The reason in the reader's language when it was given as a phrase; else as written."""
        return worded(self.reason_said) if self.reason_said else self.reason

    @property
    def actor_label(self) -> str:
        if self.actor is None:
            return gettext("Pagar scheduler")
        return self.actor.get_full_name() or self.actor.get_username()
