"""The touchpoint charter's duties: who may design, build, operate and update experiments on a
touchpoint, who owns its signals (optionally per metric) and who responds when a signal fires.

The owner and backup of a touchpoint stay in approvals.TouchpointCharter (they decide approvals);
these rows are read by the permission predicates in experiments.charter, the one place per rule.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalogue import Metric, Touchpoint
from .experiment import Experiment


class Duty(models.TextChoices):
    DESIGN = "design", _("Design (propose)")
    BUILD = "build", _("Build (start)")
    OPERATE = "operate", _("Operate (send data, stop)")
    UPDATE = "update", _("Update (amend)")
    SIGNAL_OWNER = "signal_owner", _("Signal owner")
    RESPONSE_OWNER = "response_owner", _("Response owner")


class CharterDuty(models.Model):
    """One person holding one duty on one touchpoint (a signal owner optionally for one metric)."""

    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="duties")
    duty = models.CharField(max_length=20, choices=Duty.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charter_duties")
    metric = models.ForeignKey(
        Metric,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signal_owners",
        help_text=_("Signal owners only: this metric's signals alone; empty for every metric on the touchpoint."),
    )

    class Meta:
        ordering = ["touchpoint", "duty", "user"]
        verbose_name = _("charter duty")
        verbose_name_plural = _("charter duties")
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "duty", "user", "metric"], name="one_duty_per_person_touchpoint_metric"
            ),
            models.UniqueConstraint(
                fields=["touchpoint", "duty", "user"],
                condition=models.Q(metric__isnull=True),
                name="one_duty_per_person_touchpoint",
            ),
        ]

    def __str__(self):
        metric = f" ({self.metric})" if self.metric_id else ""
        return f"{self.touchpoint}: {self.get_duty_display()}{metric} — {self.user}"

    def clean(self):
        if self.metric_id and self.duty != Duty.SIGNAL_OWNER:
            raise ValidationError({"metric": _("Only a signal owner is named per metric.")})


class ExperimentResponseOwner(models.Model):
    """The experiment's own response owner, in place of its touchpoints' (optional)."""

    experiment = models.OneToOneField(Experiment, on_delete=models.CASCADE, related_name="response_owner_override")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("experiment response owner")

    def __str__(self):
        return f"{self.experiment.key}: {self.user}"
