"""The standards catalogue: practices the organisation keeps because experiments proved them.

A standard changes only through the monthly promotion review (cadence.reviews); every change
writes a StandardVersion row (append-only), so the page shows how it came to be what it is.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from experiments.models import Experiment, ExperimentEvent, Segment, Touchpoint
from experiments.models.append_only import AppendOnlyModel

REREVIEW_MONTHS = 12


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def default_rereview(effective: dt.date) -> dt.date:
    return add_months(effective, REREVIEW_MONTHS)


class StandardQuerySet(models.QuerySet):
    def in_force(self):
        """Active or under review: what people follow and what proposals are held against."""
        return self.exclude(status=Standard.Status.RETIRED)


class Standard(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        UNDER_REVIEW = "under_review", _("Under review")
        RETIRED = "retired", _("Retired")

    statement = models.TextField(help_text=_("The practice, as people should follow it."))
    touchpoints = models.ManyToManyField(Touchpoint, related_name="standards")
    segments = models.ManyToManyField(
        Segment, blank=True, related_name="standards", help_text=_("Empty: all customers.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="kept_standards",
        help_text=_("The standards keeper who looks after it."),
    )
    supporting_experiments = models.ManyToManyField(Experiment, blank=True, related_name="supported_standards")
    evidence = models.JSONField(
        default=dict, help_text=_("Evidence snapshot at promotion (cadence.standards.evidence).")
    )
    effective_date = models.DateField()
    rereview_date = models.DateField("re-review date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_date", "-pk"]

    def __str__(self):
        return f"S-{self.pk}: {self.statement[:60]}"

    def get_absolute_url(self):
        return reverse("standard-detail", kwargs={"pk": self.pk})

    @property
    def in_force(self) -> bool:
        return self.status != self.Status.RETIRED

    @property
    def code(self) -> str:
        return f"S-{self.pk}"

    def open_contradictions(self):
        return self.contradictions.filter(resolved_at__isnull=True)

    @property
    def is_contradicted(self) -> bool:
        return self.open_contradictions().exists()


class Contradiction(models.Model):
    """A later experiment on the standard's scope that lost or was stopped: flags it for review.
    Resolved (not deleted) when the review decides on the standard."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="contradictions")
    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="contradicted_standards")
    event = models.ForeignKey(ExperimentEvent, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "experiment"], name="one_contradiction_per_experiment")
        ]

    def __str__(self):
        return f"{self.standard.code} contradicted by {self.experiment.key}"


class StandardVersion(AppendOnlyModel):
    """What the standard was after each change, and who changed it why."""

    class Change(models.TextChoices):
        CREATED = "created", _("Promoted from an experiment")
        KEPT = "kept", _("Kept after review")
        REVISED = "revised", _("Revised after review")
        RETIRED = "retired", _("Retired after review")
        FLAGGED = "flagged", _("Flagged: contradicted")

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(help_text=_("The standard's version after this change."))
    change = models.CharField(max_length=20, choices=Change.choices)
    statement = models.TextField()
    status = models.CharField(max_length=20, choices=Standard.Status.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rereview_date = models.DateField()
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when Pagar itself recorded it."),
    )
    source_url = models.CharField(max_length=300, blank=True, help_text=_("The review meeting that decided it."))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["standard", "created_at", "pk"]

    def __str__(self):
        return f"{self.standard.code} v{self.number} {self.change}"


class Citation(models.Model):
    """An experiment that names a standard: started from it (a template) or declared to re-test it.
    The standard's page lists them; the approvers see the re-tests (cadence.standards.relevance)."""

    class Kind(models.TextChoices):
        BASED_ON = "based_on", _("Based on this standard")
        RETESTS = "retests", _("Re-tests this standard")

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="citations")
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="standard_citations")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["standard", "experiment", "kind"], name="one_citation_per_kind")]

    def __str__(self):
        return f"{self.experiment.key} {self.kind} {self.standard.code}"
