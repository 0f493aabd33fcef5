"""The idea backlog (ideas, comments, votes, ratings under a scoring model) and the weekly ideas
slot (a series set in the admin, its meetings, their agenda and the facilitator's decisions)."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from experiments.models import Experiment, Segment, Touchpoint
from experiments.models.append_only import AppendOnlyModel

SCORE_MIN, SCORE_MAX = 1, 10


class ScoringModel(models.Model):
    """A set of named, weighted criteria each rated 1-10 (ICE, PIE or the organisation's own).
    The one marked default is what raters fill in now."""

    name = models.CharField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False, help_text=_("Raters use the default model; only one is default."))

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.is_default:  # one default at a time
            ScoringModel.objects.exclude(pk=self.pk).filter(is_default=True).update(is_default=False)

    @classmethod
    def current(cls) -> "ScoringModel | None":
        return cls.objects.filter(is_default=True).prefetch_related("criteria").first() or cls.objects.first()


class ScoringCriterion(models.Model):
    model = models.ForeignKey(ScoringModel, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    question = models.CharField(max_length=200, blank=True, help_text=_("What a rater asks themselves."))
    weight = models.FloatField(default=1.0, validators=[MinValueValidator(0.01), MaxValueValidator(100)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="unique_criterion_key_per_model")]

    def __str__(self):
        return f"{self.name} (x{self.weight:g})"

    # The seeded criteria (migration 0002) are in the catalogue; names set in the admin show as typed.
    @property
    def label(self) -> str:
        return gettext(self.name)

    @property
    def question_text(self) -> str:
        return gettext(self.question) if self.question else ""


class PainPoint(models.TextChoices):
    WAITING_TIME = "waiting_time", _("Waiting time")
    VERIFICATION = "verification", _("Verification")
    DELIVERY = "delivery", _("Delivery")
    RETURNS = "returns", _("Returns")
    BILLING_CONFUSION = "billing_confusion", _("Billing confusion")
    OTHER = "other", _("Other")


class IdeaStatus(models.TextChoices):
    NEW = "new", _("New")
    PROPOSED = "proposed", _("Proposed")
    PARKED = "parked", _("Parked")
    DECLINED = "declined", _("Declined")


class Idea(models.Model):
    title = models.CharField(max_length=200)
    pain_point = models.CharField(_("friction / pain point"), max_length=30, choices=PainPoint.choices)
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.PROTECT, related_name="ideas")
    segment = models.ForeignKey(
        Segment,
        on_delete=models.PROTECT,
        related_name="ideas",
        null=True,
        blank=True,
        help_text=_("Leave empty for all customers."),
    )
    hypothesis = models.TextField(
        _("rough hypothesis"), help_text=_("What we would change, and why we think it helps.")
    )
    expected_effect = models.CharField(max_length=300, help_text=_("What would move, which way, roughly how much."))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    status = models.CharField(max_length=10, choices=IdeaStatus.choices, default=IdeaStatus.NEW, db_index=True)
    parked_until = models.DateField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    experiment = models.OneToOneField(Experiment, on_delete=models.SET_NULL, null=True, blank=True, related_name="idea")

    # Kept up to date from the ratings (cadence.ideas.scoring) so the backlog sorts in the database.
    score = models.FloatField(null=True, blank=True, db_index=True, editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("idea-detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        """Still to be decided: new, or parked (it comes back once its date has come)."""
        return self.status in (IdeaStatus.NEW, IdeaStatus.PARKED)


class IdeaComment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="idea_comments")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author} on {self.idea}"


class IdeaVote(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="one_vote_per_person_per_idea")]

    def __str__(self):
        return f"{self.user} votes for {self.idea}"


class IdeaRating(models.Model):
    """One rater's scores for one idea under a scoring model; editable (one row per rater)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_ratings")
    model = models.ForeignKey(ScoringModel, on_delete=models.PROTECT, related_name="ratings")
    values = models.JSONField(help_text=_("criterion key -> 1..10"))
    score = models.FloatField(help_text=_("The weighted average of the values under the model's weights."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["idea", "rater"], name="one_rating_per_rater_per_idea")]

    def __str__(self):
        return f"{self.rater} rates {self.idea}: {self.score:g}"


def validate_timezone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("'%(value)s' is not a time zone name such as Asia/Jakarta."), params={"value": value}
        ) from None


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SlotSeries(models.Model):
    """The weekly ideas slot: when it meets, who runs it and who attends. Saving it keeps its
    periodic task (the agenda sender) in step (cadence.ideas.scheduling)."""

    name = models.CharField(max_length=120, unique=True)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    time = models.TimeField(help_text=_("Local time in the series' time zone."))
    timezone = models.CharField(max_length=60, default="UTC", validators=[validate_timezone])
    duration_minutes = models.PositiveSmallIntegerField(
        default=45, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_slots"
    )
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="attended_slots")
    location = models.CharField(max_length=200, blank=True, help_text=_("Room or video link."))
    wip_limit_per_touchpoint = models.PositiveSmallIntegerField(
        _("WIP limit per touchpoint"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Warn when running + approved experiments + proposals from the slot would pass this."),
    )
    top_count = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(100)], help_text=_("How many top-scored open ideas join the agenda.")
    )
    agenda_lead_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(144)],
        help_text=_("Build and send the agenda this many hours before the slot."),
    )
    active = models.BooleanField(default=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="ideas_slot",
    )

    class Meta:
        verbose_name = _("ideas slot series")
        verbose_name_plural = _("ideas slot series")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from cadence.ideas.scheduling import sync_periodic_task

        super().save(*args, **kwargs)
        sync_periodic_task(self)

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.timezone)


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CLOSED = "closed", _("Closed")


class SlotMeeting(models.Model):
    """One occurrence of a series; made when its agenda is built (or opened by the facilitator)."""

    series = models.ForeignKey(SlotSeries, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    agenda_built_at = models.DateTimeField(null=True, blank=True)
    agenda_sent_at = models.DateTimeField(null=True, blank=True)
    follow_ups = models.TextField(blank=True, help_text=_("Free text: who does what next."))
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_early_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the facilitator opened decisions before the start.")
    )
    opened_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        constraints = [models.UniqueConstraint(fields=["series", "starts_at"], name="one_meeting_per_series_slot")]

    def __str__(self):
        # In the reader's language and date format (the agenda email is built per recipient language).
        return (
            f"{self.series.name}, {formats.date_format(self.starts_at.astimezone(self.series.tz), 'DATETIME_FORMAT')}"
        )

    def get_absolute_url(self):
        return reverse("idea-meeting-detail", kwargs={"pk": self.pk})

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.CLOSED

    def may_decide(self, user) -> bool:
        return user.is_authenticated and (user.is_superuser or user.pk == self.series.facilitator_id)


class AgendaReason(models.TextChoices):
    NEW = "new", _("New since the last slot")
    TOP = "top", _("Top scored")
    PARKED_DUE = "parked_due", _("Parked, date has come")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(SlotMeeting, on_delete=models.CASCADE, related_name="agenda")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="agenda_items")
    reason = models.CharField(max_length=12, choices=AgendaReason.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "idea"], name="idea_once_per_agenda")]

    def __str__(self):
        return f"{self.meeting}: {self.idea}"


class DecisionAction(models.TextChoices):
    PROPOSE = "propose", _("Turn into a proposal")
    PARK = "park", _("Park until a date")
    DECLINE = "decline", _("Decline")


class SlotDecision(AppendOnlyModel):
    """What the slot decided about one idea: history, never changed."""

    meeting = models.ForeignKey(SlotMeeting, on_delete=models.PROTECT, related_name="decisions")
    idea = models.ForeignKey(Idea, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(max_length=10, choices=DecisionAction.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Proposals: who owns the draft experiment."),
    )
    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    parked_until = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    wip_warning = models.CharField(max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "pk"]
