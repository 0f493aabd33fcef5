"""An override: a person disagrees with the check that stopped an experiment and asks to conclude
it otherwise; a standards keeper (not the requester, not an author) agrees or declines.

The rule that uses it is experiments.verdicts; the moves on it are experiments.overrides.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .experiment import Experiment, Outcome
from .live import Check


class Override(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for a standards keeper")
        AGREED = "agreed", _("Agreed")
        DECLINED = "declined", _("Declined")

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="overrides")
    # The check disagreed with: an override answers one check. If the experiment is restarted and
    # a later check stops it again, that check decides afresh.
    disputed_check = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="overrides")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, help_text=_("The outcome the requester wants."))
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="overrides_requested"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="overrides_answered"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_reason = models.TextField(blank=True, help_text=_("Required when declining."))

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            # One question at a time: a second request waits until the first is answered.
            models.UniqueConstraint(
                fields=["experiment"], condition=models.Q(status="requested"), name="one_open_override_per_experiment"
            ),
            # Two people: the database refuses a requester answering their own override.
            models.CheckConstraint(
                condition=models.Q(answered_by__isnull=True) | ~models.Q(answered_by=models.F("requested_by")),
                name="override_answered_by_another_person",
            ),
        ]

    def __str__(self):
        return f"{self.experiment.key}: override to {self.outcome} ({self.status})"
