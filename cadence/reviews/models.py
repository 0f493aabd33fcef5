"""The monthly promotion review: a series (set in the admin), its meetings, their agenda items,
the board's votes and the chair's decisions (both append-only)."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cadence.standards.models import Standard
from experiments.models import Experiment
from experiments.models.append_only import AppendOnlyModel

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def validate_timezone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("'%(value)s' is not a time zone name; use one like Asia/Jakarta or UTC."), params={"value": value}
        ) from None


class ReviewSeries(models.Model):
    name = models.CharField(max_length=120, default="Monthly promotion review")
    day_of_month = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Meets on this day each month (1-28). Or leave empty and choose a weekday."),
    )
    first_weekday = models.PositiveSmallIntegerField(
        "or the first",
        null=True,
        blank=True,
        choices=WEEKDAYS,
        help_text=_("Meets on the first such weekday of each month."),
    )
    time = models.TimeField(help_text=_("Local time in the series' time zone."))
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    agenda_days_before = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(14)], help_text=_("Build and send the agenda this many days before.")
    )
    location = models.CharField(max_length=200, blank=True)
    quorum = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_(
            "Board members who must be present (voted on any item, or marked present by the chair) for a decision."
        ),
    )
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_review_series")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="review_series", help_text=_("The board."))
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = _("review series")

    def __str__(self):
        return self.name

    def clean(self):
        if (self.day_of_month is None) == (self.first_weekday is None):
            raise ValidationError(
                {"day_of_month": _("Choose either a day of the month or a first weekday (one of the two).")}
            )

    @property
    def rule_label(self) -> str:
        if self.day_of_month:
            return gettext("day %(day)s of each month") % {"day": self.day_of_month}
        return gettext("first %(weekday)s of each month") % {"weekday": dict(WEEKDAYS)[self.first_weekday]}

    @property
    def periodic_task_name(self) -> str:
        return f"Promotion review agenda (series {self.pk})"


class ReviewMeeting(models.Model):
    series = models.ForeignKey(ReviewSeries, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    agenda_built_at = models.DateTimeField(null=True, blank=True)
    agenda_sent_at = models.DateTimeField(null=True, blank=True)
    since = models.DateTimeField(
        null=True, blank=True, help_text=_("The previous review's start: the agenda covers what happened after it.")
    )
    summary = models.JSONField(default=dict, blank=True, help_text=_("Programme summary since the last review."))
    opened_early_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the chair opened decisions before the start.")
    )
    opened_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        constraints = [models.UniqueConstraint(fields=["series", "starts_at"], name="one_meeting_per_slot")]

    def __str__(self):
        return f"{self.series.name}, {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("review-meeting", kwargs={"pk": self.pk})


class Attendance(AppendOnlyModel):
    """A board member marked present by the chair (members who vote count as present without it)."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="present_once_per_meeting")]


REASON_LABELS = {"won": _("Won"), "rereview_due": _("Re-review due"), "contradicted": _("Contradicted")}


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        EXPERIMENT = "experiment", _("Experiment to promote")
        STANDARD = "standard", _("Standard to review")

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    experiment = models.ForeignKey(
        Experiment, on_delete=models.PROTECT, null=True, blank=True, related_name="review_items"
    )
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, null=True, blank=True, related_name="review_items")
    reasons = models.JSONField(
        default=list, help_text=_('Why it is on the agenda: "won", "rereview_due", "contradicted".')
    )
    evidence = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "experiment"], name="experiment_once_per_meeting"),
            models.UniqueConstraint(fields=["meeting", "standard"], name="standard_once_per_meeting"),
        ]

    def __str__(self):
        return self.subject_label

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS.get(r, r)) for r in self.reasons]

    @property
    def reason_chips(self) -> list[tuple[str, str]]:
        return [(r, REASON_LABELS.get(r, r)) for r in self.reasons]

    @property
    def subject_label(self) -> str:
        if self.experiment_id:
            return f"{self.experiment.key}: {self.experiment.title}"
        return f"{self.standard.code}: {self.standard.statement[:80]}"

    @property
    def decided(self):
        """The chair's decision, or None."""
        try:
            return self.decision
        except Decision.DoesNotExist:
            return None


class Vote(AppendOnlyModel):
    class Choice(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_votes")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["item", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "voter"], name="one_vote_per_member_per_item")]


class Decision(AppendOnlyModel):
    class Kind(models.TextChoices):
        PROMOTE = "promote", _("Promote to a standard")
        RERUN = "rerun", _("Ask for more evidence (rerun)")
        DECLINE = "decline", _("Decline")
        KEEP = "keep", _("Keep")
        REVISE = "revise", _("Revise")
        RETIRE = "retire", _("Retire")

    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_decisions")
    note = models.TextField(blank=True)
    tally = models.JSONField(default=dict, help_text=_("Votes for / against / abstain when decided."))
    standard = models.ForeignKey(
        Standard,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The standard created or changed."),
    )
    rerun = models.ForeignKey(
        Experiment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The draft copy made for more evidence."),
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]


EXPERIMENT_DECISIONS = (Decision.Kind.PROMOTE, Decision.Kind.RERUN, Decision.Kind.DECLINE)
STANDARD_DECISIONS = (Decision.Kind.KEEP, Decision.Kind.REVISE, Decision.Kind.RETIRE)
