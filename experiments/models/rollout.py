"""A rollout: the winning arm of a won experiment served to everyone in its scope.

One row per rollout; reverting fills in who reverted it, when and why (the row stays, as history).
At most one rollout of an experiment is in force at a time. The rules and moves are
experiments.rollouts; the assignment API answers the rolled-out arm (experiments.live.assignment).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .experiment import Experiment, Variant


class Rollout(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="rollouts")
    variant = models.ForeignKey(
        Variant, on_delete=models.PROTECT, related_name="rollouts", help_text=_("The winning arm served to everyone.")
    )
    # The standard the promotion review made of it (its code, e.g. "S-4"); kept as text so the
    # experiments app needs no other app's model.
    standard = models.CharField(_("standard"), max_length=40, blank=True)
    reason = models.TextField(blank=True)
    rolled_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rollouts_made",
        help_text=_("Empty when the promotion review's decision rolled it out."),
    )
    rolled_out_at = models.DateTimeField()
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="rollouts_reverted"
    )
    reverted_at = models.DateTimeField(null=True, blank=True)
    revert_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["rolled_out_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment"], condition=models.Q(reverted_at__isnull=True), name="one_rollout_in_force"
            )
        ]

    def __str__(self):
        state = "reverted" if self.reverted_at else "in force"
        return f"{self.experiment.key}: {self.variant.key} rolled out ({state})"

    @property
    def in_force(self) -> bool:
        return self.reverted_at is None
