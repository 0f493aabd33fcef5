"""The experiment: a proposal with its fence (scope), its variants and the metrics that decide it."""

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .catalogue import Metric, Segment, SensitiveCategory, Touchpoint


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    APPROVED = "approved", _("Approved")
    RUNNING = "running", _("Running")
    STOPPED = "stopped", _("Stopped")
    COMPLETED = "completed", _("Completed")
    CONCLUDED = "concluded", _("Concluded")
    PROMOTED = "promoted", _("Promoted")
    ARCHIVED = "archived", _("Archived")


# The authors may edit the proposal until it starts. Editing one that waits for approval, or is
# approved but not started, withdraws the approvals given and asks again (the approvals app's
# after-edit hook); once running, a change is an amendment with its own approval.
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED, Status.PENDING_APPROVAL, Status.APPROVED})
# Experiments that hold a touchpoint: a new proposal on the same scope overlaps them.
ACTIVE_STATUSES = frozenset({Status.APPROVED, Status.RUNNING})


class Outcome(models.TextChoices):
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")
    INVALID = "invalid", _("Invalid")


class MetricRole(models.TextChoices):
    SUCCESS = "success", _("Success")
    GUARDRAIL = "guardrail", _("Guardrail")


class EffectUnit(models.TextChoices):
    ABSOLUTE = "absolute", _("Absolute (metric units)")
    RELATIVE = "relative", _("Relative (% of baseline)")


# Keys are part of page addresses (/experiments/<key>/); these would collide with fixed routes.
RESERVED_KEYS = frozenset({"new"})


def validate_not_reserved(value):
    if value in RESERVED_KEYS:
        raise ValidationError(_("'%(key)s' is a page address in Pagar; choose another key.") % {"key": value})


def validate_finite(value):
    if value is not None and not math.isfinite(value):
        raise ValidationError(_("Must be a finite number."))


class Experiment(models.Model):
    key = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_not_reserved],
        help_text=_("Short unique id used in URLs and the API."),
    )
    title = models.CharField(max_length=200)

    # Structured hypothesis: "If we <change> for <audience>, then <expected_effect>, because <rationale>."
    hypothesis_change = models.TextField(_("change"), help_text=_("What we will change."))
    hypothesis_audience = models.CharField(_("for whom"), max_length=200, help_text=_("Which customers see it."))
    hypothesis_effect = models.CharField(
        "expected effect", max_length=300, help_text=_("Which metric moves, which way, by how much.")
    )
    hypothesis_rationale = models.TextField(_("because"), help_text=_("Why we believe it."))

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_experiments")
    co_authors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="co_authored_experiments")
    team = models.CharField(max_length=120, blank=True)

    # Scope: the fence.
    touchpoints = models.ManyToManyField(Touchpoint, related_name="experiments")
    segments = models.ManyToManyField(
        Segment, blank=True, related_name="experiments", help_text=_("Leave empty for all customers.")
    )
    exposure_cap_pct = models.DecimalField(
        "exposure cap (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0.01), MaxValueValidator(100)],
        help_text=_("Largest share of eligible traffic that may enter the experiment."),
    )
    sensitive_categories = models.ManyToManyField(SensitiveCategory, blank=True, related_name="experiments")

    # AI safeguards: required when a sensitive category asks for them (experiments.contract).
    ai_disclosure = models.TextField(
        "AI disclosure", blank=True, help_text=_("What customers are told about the AI (the exact wording they see).")
    )
    human_fallback = models.CharField(
        "human fallback",
        max_length=200,
        blank=True,
        help_text=_("The person or team who takes over when a customer asks for a human or the AI cannot help."),
    )
    bias_note = models.TextField(
        "bias and fairness note",
        blank=True,
        help_text=_("Who could be treated worse by the AI and how it is checked; the standards keeper reviews it."),
    )
    # A template's source (experiments.drafting): the past experiment this proposal started from.
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="drafts_based_on", editable=False
    )

    planned_start = models.DateField()
    planned_end = models.DateField()
    min_runtime_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1)], help_text=_("No decision to ship before this many days.")
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="experiments_to_approve",
        null=True,
        blank=True,
    )

    # Planning inputs for the sample-size calculator.
    alpha = models.FloatField(
        default=0.05, validators=[MinValueValidator(0.001), MaxValueValidator(0.2), validate_finite]
    )
    power = models.FloatField(
        default=0.8, validators=[MinValueValidator(0.5), MaxValueValidator(0.99), validate_finite]
    )
    expected_daily_traffic = models.PositiveIntegerField(
        default=1000, validators=[MinValueValidator(1)], help_text=_("Eligible units per day before the exposure cap.")
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What an SDK's cached configuration is checked against: a status change, a rollout and a
    # revert each add one (experiments.lifecycle.make_move, experiments.rollouts._touch).
    config_version = models.PositiveIntegerField(default=1, editable=False)
    # The daily monitoring slot checks running experiments whose time has come (the database,
    # not beat, says what is due); set when the experiment starts, moved on by each check.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-pk"]

    def __str__(self):
        return f"{self.key}: {self.title}"

    def get_absolute_url(self):
        return reverse("experiment-detail", kwargs={"key": self.key})

    def clean(self):
        from experiments.validation import check_dates

        check_dates(self.planned_start, self.planned_end, self.min_runtime_days)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def edit_reopens_approval(self) -> bool:
        """Saving an edit now sends it back to every approver."""
        return self.status in (Status.PENDING_APPROVAL, Status.APPROVED)

    @property
    def duration_days(self) -> int | None:
        if self.planned_start and self.planned_end:
            return (self.planned_end - self.planned_start).days + 1
        return None

    @property
    def hypothesis_sentence(self) -> str:
        return _("If we %(change)s for %(audience)s, then %(effect)s, because %(rationale)s.") % {
            "change": self.hypothesis_change.strip().rstrip("."),
            "audience": self.hypothesis_audience.strip(),
            "effect": self.hypothesis_effect.strip().rstrip("."),
            "rationale": self.hypothesis_rationale.strip().rstrip("."),
        }

    def metric_rows(self) -> list:
        """Its metrics with their catalogue metric: the ones a page prefetched, else one query."""
        if "metrics" in getattr(self, "_prefetched_objects_cache", {}):
            return list(self.metrics.all())
        return list(self.metrics.select_related("metric"))

    def authors(self):
        """The owner and co-authors: the people who may never approve it."""
        ids = {self.owner_id}
        if self.pk:
            # .all() so a prefetch_related("co_authors") on a list is used, not one query per row.
            ids.update(user.pk for user in self.co_authors.all())
        return ids


class Variant(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_control = models.BooleanField(default=False)
    weight = models.PositiveSmallIntegerField(
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Relative allocation weight."),
    )

    class Meta:
        ordering = ["-is_control", "pk"]
        constraints = [models.UniqueConstraint(fields=["experiment", "key"], name="unique_variant_key_per_experiment")]

    def __str__(self):
        return self.name


class DataSource(models.TextChoices):
    """Where a metric's data come from, declared in the plan."""

    FIRST = "", _("Whichever arrives first")
    UNITS = "units", _("Per-unit outcomes")
    DAILY = "daily", _("Daily figures per arm")


class ExperimentMetric(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="metrics")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="experiment_uses")
    role = models.CharField(max_length=10, choices=MetricRole.choices)
    effect_unit = models.CharField(max_length=10, choices=EffectUnit.choices, default=EffectUnit.ABSOLUTE)
    minimum_detectable_effect = models.FloatField(
        null=True,
        blank=True,
        validators=[validate_finite],
        help_text=_("Success metrics: smallest improvement worth detecting."),
    )
    non_inferiority_margin = models.FloatField(
        null=True, blank=True, validators=[validate_finite], help_text=_("Guardrails: largest harm we accept.")
    )
    baseline_rate = models.FloatField(
        null=True,
        blank=True,
        validators=[validate_finite],
        help_text=_("Binary metrics: current rate in percent, e.g. 3.2."),
    )
    baseline_mean = models.FloatField(null=True, blank=True, validators=[validate_finite])
    baseline_sd = models.FloatField(
        _("baseline standard deviation"), null=True, blank=True, validators=[validate_finite]
    )
    # One source per cell: the metric takes per-unit outcomes or daily figures, never both. Left
    # blank, each cell (arm and day) takes whichever kind arrives first (ingestion's CellSource).
    data_source = models.CharField(
        max_length=10,
        choices=DataSource.choices,
        blank=True,
        default=DataSource.FIRST,
        help_text=_("Per-unit outcomes or daily figures per arm; the other kind is refused."),
    )

    class Meta:
        ordering = ["role", "pk"]
        constraints = [models.UniqueConstraint(fields=["experiment", "metric"], name="unique_metric_per_experiment")]

    def __str__(self):
        return f"{self.metric} ({self.get_role_display()})"

    def clean(self):
        from experiments.validation import check_metric_row

        if self.metric_id:
            check_metric_row(
                kind=self.metric.kind,
                lower_is_better=self.metric.lower_is_better,
                role=self.role,
                effect_unit=self.effect_unit,
                minimum_detectable_effect=self.minimum_detectable_effect,
                non_inferiority_margin=self.non_inferiority_margin,
                baseline_rate=self.baseline_rate,
                baseline_mean=self.baseline_mean,
                baseline_sd=self.baseline_sd,
            )

    @property
    def planning_effect(self) -> float | None:
        """The effect the plan must detect: the MDE for success, the margin for guardrails."""
        return self.minimum_detectable_effect if self.role == MetricRole.SUCCESS else self.non_inferiority_margin
