"""What a running experiment accumulates: assignments, outcome data and the checks made on it.

Raw outcome rows are kept (`Observation`) for audit, but a check never reads them: ingestion
adds each row into `DailyStat` (sufficient statistics per experiment, arm, metric and day) in the
same transaction, so a check's cost grows with days x arms x metrics, not with raw rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from experiments.stats.phrases import Words, worded

from .append_only import AppendOnlyModel, AppendOnlyQuerySet
from .catalogue import Metric, Segment
from .experiment import Experiment, Variant


class AssignedUnit(models.Model):
    """The first assignment of each unit to a running experiment: a unit asking again is not
    counted again. Written in batches by the assignment buffer (insert, ignore conflicts)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assigned_units")
    unit_id = models.CharField(max_length=200)
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="assigned_units")
    day = models.DateField()
    # The key whose call first assigned the unit: who brought a day's counts (monitoring names a
    # key that brought most of them when the split of units is off).
    service_key = models.ForeignKey(
        "experiments.ServiceKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_units"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["experiment", "unit_id"], name="unique_assigned_unit")]
        indexes = [models.Index(fields=["experiment", "day", "variant"], name="assigned_unit_day")]

    def __str__(self):
        return f"{self.unit_id} in {self.variant_id} ({self.day})"


class AssignmentCount(models.Model):
    """Units first assigned per arm per day (the sample-ratio check reads these). Brought up to
    date from AssignedUnit by each buffer flush, never one write per assignment call."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignment_counts")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="assignment_counts")
    day = models.DateField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["experiment", "variant", "day"], name="unique_assignment_count_per_day")
        ]

    def __str__(self):
        return f"{self.count} assigned to {self.variant_id} on {self.day}"


class IngestBatch(models.Model):
    """One upload (API or page): its idempotency record and the answer it got.

    A replay with the same key returns `response` as it was; the same key with another body is
    refused. Refused batches are recorded too (their rows are not): the answer is the answer.
    """

    class Kind(models.TextChoices):
        OUTCOMES = "outcomes", _("Per-unit outcomes")
        DAILY = "daily", _("Daily figures per arm")

    class Source(models.TextChoices):
        API = "api", _("API")
        UPLOAD = "upload", _("Upload page")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ingest_batches")
    idempotency_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.API)
    body_sha256 = models.CharField(max_length=64)
    accepted = models.BooleanField()
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    row_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], name="unique_idempotency_key_per_user")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} batch {self.idempotency_key} ({self.status_code})"


class Observation(models.Model):
    """One per-unit outcome as it arrived."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="observations")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="observations")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="observations")
    unit_id = models.CharField(max_length=200)
    value = models.FloatField()
    observed_at = models.DateTimeField()
    batch = models.ForeignKey(IngestBatch, on_delete=models.PROTECT, related_name="observations")
    # Optional: the catalogue segment the unit belongs to (exploration only) and the unit's value
    # of the metric before the experiment (CUPED's covariate).
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="observations")
    pre_value = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            # The same unit, metric and moment twice is a duplicate, whichever batch brought it.
            models.UniqueConstraint(
                fields=["experiment", "metric", "unit_id", "observed_at"], name="unique_observation"
            ),
        ]

    def __str__(self):
        return f"{self.unit_id}: {self.value:g} at {self.observed_at:%Y-%m-%d %H:%M}"


class DailyAggregate(models.Model):
    """Daily figures per arm from a system that only exports totals; one row per cell, given once."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="daily_aggregates")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="daily_aggregates")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="daily_aggregates")
    day = models.DateField()
    n = models.PositiveBigIntegerField()
    total = models.FloatField(default=0)  # binary: successes; mean: sum of values; nps: sum of scores
    total_sq = models.FloatField(default=0)  # mean: sum of squared values
    promoters = models.PositiveBigIntegerField(default=0)  # nps only
    detractors = models.PositiveBigIntegerField(default=0)  # nps only
    batch = models.ForeignKey(IngestBatch, on_delete=models.PROTECT, related_name="daily_aggregates")
    # Optional: the figures of one catalogue segment (a cell's rows, one per segment and at most one
    # without, add up to the cell's whole population), and CUPED's covariate sums over the n units.
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="daily_aggregates"
    )
    pre_total = models.FloatField(null=True, blank=True)  # sum of the units' pre-period values
    pre_total_sq = models.FloatField(null=True, blank=True)  # sum of their squares
    pre_cross = models.FloatField(null=True, blank=True)  # sum of pre-period value x outcome

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "variant", "metric", "day"],
                condition=models.Q(segment__isnull=True),
                name="unique_daily_aggregate",
            ),
            models.UniqueConstraint(
                fields=["experiment", "variant", "metric", "day", "segment"],
                condition=models.Q(segment__isnull=False),
                name="unique_daily_aggregate_segment",
            ),
        ]

    def __str__(self):
        return f"{self.variant_id}/{self.metric_id} on {self.day}: n={self.n}"


class DailyStat(models.Model):
    """Sufficient statistics per experiment, arm, metric and day (sums of that day only; a check
    adds the days up to its look). Maintained at ingestion, in the batch's transaction."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="daily_stats")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="daily_stats")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="daily_stats")
    day = models.DateField()
    n = models.PositiveBigIntegerField(default=0)
    total = models.FloatField(default=0)
    total_sq = models.FloatField(default=0)
    promoters = models.PositiveBigIntegerField(default=0)
    detractors = models.PositiveBigIntegerField(default=0)
    last_observed_at = models.DateTimeField(null=True, blank=True)  # data freshness
    updated_at = models.DateTimeField()
    # CUPED: units that came with a pre-period value, and the sums over them (x = pre, y = outcome).
    pre_n = models.PositiveBigIntegerField(default=0)
    pre_total = models.FloatField(default=0)
    pre_total_sq = models.FloatField(default=0)
    pre_cross = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["experiment", "variant", "metric", "day"], name="unique_daily_stat")
        ]
        # The newest data per experiment (the running board ranks every running one by it): one seek each.
        indexes = [
            models.Index(fields=["experiment", "last_observed_at"], name="daily_stat_newest_observed"),
            models.Index(fields=["experiment", "updated_at"], name="daily_stat_newest_received"),
        ]

    def __str__(self):
        return f"{self.variant_id}/{self.metric_id} on {self.day}: n={self.n}"


class SegmentDailyStat(models.Model):
    """DailyStat's sums per catalogue segment: the part of a cell's units that came with that
    segment. Exploration only (experiments.stats.segments); the checks read DailyStat, whose
    whole-population sums include every row, with a segment or without."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="segment_daily_stats")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="segment_daily_stats")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="segment_daily_stats")
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="daily_stats")
    day = models.DateField()
    n = models.PositiveBigIntegerField(default=0)
    total = models.FloatField(default=0)
    total_sq = models.FloatField(default=0)
    promoters = models.PositiveBigIntegerField(default=0)
    detractors = models.PositiveBigIntegerField(default=0)
    # CUPED: units that came with a pre-period value, and the sums over them (x = pre, y = outcome).
    pre_n = models.PositiveBigIntegerField(default=0)
    pre_total = models.FloatField(default=0)
    pre_total_sq = models.FloatField(default=0)
    pre_cross = models.FloatField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "variant", "metric", "segment", "day"], name="unique_segment_daily_stat"
            )
        ]

    def __str__(self):
        return f"{self.variant_id}/{self.metric_id}/{self.segment_id} on {self.day}: n={self.n}"


class CellSource(models.Model):
    """Which kind of data a cell (experiment, arm, metric, day) takes: the first batch to write to
    the cell claims it, in its own transaction, and a batch of the other kind is refused. The
    unique constraint decides between two batches at the same moment: only one claim commits."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="cell_sources")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="cell_sources")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="cell_sources")
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=IngestBatch.Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["experiment", "variant", "metric", "day"], name="one_source_per_cell")
        ]

    def __str__(self):
        return f"{self.variant_id}/{self.metric_id} on {self.day}: {self.kind}"


class CheckQuerySet(AppendOnlyQuerySet):
    def taken(self, experiment, look_date):
        """The check that took this look (an error does not take it); experiment or its id."""
        return self.filter(experiment=experiment, look_date=look_date).exclude(action=Check.Action.ERROR)


class Check(AppendOnlyModel):
    """One look of the daily monitoring slot: the engine's full result, kept forever.

    Unique per experiment and look date (errors aside), so two beats, a retried task or a re-run
    after a worker died can never record the same look twice.
    """

    class Action(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        STOP = "stop", _("Stop")
        CONCLUDE = "conclude", _("Conclude")
        ERROR = "error", _("Could not check")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Daily monitoring slot")
        OPERATOR = "operator", _("Run by an operator")

    objects = CheckQuerySet.as_manager()

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="checks")
    look_date = models.DateField()
    look = models.PositiveIntegerField(help_text=_("Looks carrying information so far (the engine's count)."))
    action = models.CharField(max_length=10, choices=Action.choices)
    outcome = models.CharField(max_length=20, blank=True)
    sentence = models.TextField()
    information_fraction = models.FloatField(null=True, blank=True)
    days_elapsed = models.FloatField(default=0)
    final = models.BooleanField(default=False)
    units = models.JSONField(default=dict, help_text=_("Units per arm counted for this look."))
    result = models.JSONField(default=dict, help_text=_("The engine's full LookResult."))
    # What the check said as a phrase (experiments.stats.phrases), worded for each reader; `sentence`
    # keeps the words it was recorded with. Apart from `result`, which the lists do not load.
    said = models.JSONField(null=True, blank=True)
    data_through = models.DateTimeField(null=True, blank=True, help_text=_("Latest observation time the check saw."))
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    created_at = models.DateTimeField()
    # When the look fell due (its date's slot, or the start if later) and whether it was taken late:
    # more than MONITORING_GRACE_MINUTES after, or catching up look dates missed altogether.
    due_at = models.DateTimeField(null=True, blank=True, help_text=_("When this look fell due."))
    late = models.BooleanField(default=False)
    late_reason = models.TextField(blank=True, help_text=_("Why the look was late, e.g. taken by a later sweep."))
    skipped_dates = models.JSONField(default=list, blank=True, help_text=_("Look dates missed altogether (ISO)."))

    class Meta:
        ordering = ["experiment", "look_date"]
        # The newest check per experiment (lists, the dashboard): errors included, unlike the constraint's.
        indexes = [models.Index(fields=["experiment", "-look_date", "-id"], name="check_newest_first")]
        constraints = [
            # A check that could not decide does not take the look: once the data are fixed, an
            # operator (or the next sweep) checks again the same day.
            models.UniqueConstraint(
                fields=["experiment", "look_date"], condition=~models.Q(action="error"), name="one_check_per_look"
            )
        ]

    def __str__(self):
        return f"{self.experiment.key} {self.look_date}: {self.action}"

    @property
    def display_sentence(self) -> str:
        """What the check said, in the reader's language. ``sentence`` keeps the words it was
        recorded with (the site's language); checks recorded before phrases were kept have only those."""
        return worded(self.said) if self.said else self.sentence

    @property
    def words(self):
        """What the check said, worded when shown: in each recipient's language in an email."""
        return Words(self.said) if self.said else self.sentence
