"""Who must approve what, the frozen contract they approve, and the record of every decision."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from experiments import roles
from experiments.models import Experiment, SensitiveCategory, Touchpoint
from experiments.models.append_only import AppendOnlyModel


class TouchpointCharter(models.Model):
    """Who decides what changes on a touchpoint, and who stands in when they do not answer."""

    touchpoint = models.OneToOneField(Touchpoint, on_delete=models.CASCADE, related_name="charter")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_touchpoints")
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="backup_touchpoints"
    )

    def __str__(self):
        return f"{self.touchpoint}: {self.owner}"


class ApprovalPolicy(models.Model):
    """Extra approvals an experiment needs, matched by touchpoint and/or sensitive category.

    The named approver is always required; a policy with neither touchpoint nor category applies to all.
    """

    class Requirement(models.TextChoices):
        NAMED_APPROVER = "named_approver", _("The approver named in the proposal")
        TOUCHPOINT_OWNER = "touchpoint_owner", _("The touchpoint's owner (charter)")
        ROLE = "role", _("Holders of a role")

    name = models.CharField(max_length=120)
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, null=True, blank=True)
    sensitive_category = models.ForeignKey(SensitiveCategory, on_delete=models.CASCADE, null=True, blank=True)
    requirement = models.CharField(max_length=20, choices=Requirement.choices, default=Requirement.NAMED_APPROVER)
    role = models.CharField(max_length=30, choices=list(roles.ALL_ROLES.items()), blank=True)
    count = models.PositiveSmallIntegerField(default=1, help_text=_("How many holders of the role must approve."))
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "approval policies"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.requirement == self.Requirement.ROLE and not self.role:
            raise ValidationError({"role": _("Choose the role whose holders must approve.")})
        if self.requirement != self.Requirement.ROLE and self.role:
            raise ValidationError({"role": _("Only a role requirement names a role.")})
        if self.count < 1:
            raise ValidationError({"count": _("At least one approval.")})


class Snapshot(models.Model):
    """The contract as submitted: scope, duration, variants, metrics and rules, frozen as JSON."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["experiment", "number"]
        constraints = [models.UniqueConstraint(fields=["experiment", "number"], name="unique_snapshot_number")]

    def __str__(self):
        return f"{self.experiment.key} #{self.number}"


class ApprovalRequest(models.Model):
    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal")
        AMENDMENT = "amendment", _("Amendment")
        RESTART = "restart", _("Restart")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUPERSEDED = "superseded", _("Superseded")

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="approval_requests")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="requests")
    base_snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Amendments: the approved contract the change is measured against."),
    )
    required_slots = models.JSONField(default=list)
    status = models.CharField(max_length=20, choices=State.choices, default=State.OPEN, db_index=True)
    reason = models.TextField(blank=True, help_text=_("Why the owner asks (amendments, restarts)."))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Claimed with a conditional UPDATE so two beats never send the same reminder twice.
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.experiment.key} ({self.status})"


class Decision(AppendOnlyModel):
    class Verdict(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        REQUEST_CHANGES = "request_changes", _("Requested changes")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="decisions")
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="decisions")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_decisions")
    slot = models.CharField(max_length=80)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "approver"], name="one_vote_per_approver")]

    def __str__(self):
        return f"{self.approver} {self.verdict} {self.request}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        AMENDMENT_REQUESTED = "amendment_requested", _("Amendment requested")
        RESTART_REQUESTED = "restart_requested", _("Restart requested")
        REMINDER = "reminder", _("Reminder")
        ESCALATION = "escalation", _("Escalation")
        STARTED = "started", _("Started")
        STOPPED = "stopped", _("Stopped by the checks")
        CONCLUDED = "concluded", _("Concluded")
        DIGEST = "digest", _("Daily monitoring digest")
        CHECK_FAILED = "check_failed", _("Check could not decide")
        # The cadence's meetings and standards (no experiment of their own; `url` says where to look).
        IDEA = "idea", _("Idea")
        SLOT_AGENDA = "slot_agenda", _("Ideas slot agenda")
        SLOT_MINUTES = "slot_minutes", _("Ideas slot minutes")
        REVIEW_AGENDA = "review_agenda", _("Promotion review agenda")
        REVIEW_MINUTES = "review_minutes", _("Promotion review minutes")
        MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
        STANDARD = "standard", _("Standard")
        RESPONSE = "response", _("Response needed")  # cadence.duties: a signal fired, its response owner acts

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    request = models.ForeignKey(
        ApprovalRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    url = models.CharField(
        max_length=300, blank=True, help_text=_("Where the notice links when it is not about one experiment.")
    )
    message = models.TextField()
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The event this notice is about (e.g. "decision:42"): one notice per person and key, however
    # often the code that tells it runs (a retried task, a second beat). Empty: not deduplicated.
    dedupe_key = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="one_notice_per_key"
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.message}"

    @property
    def link(self) -> str:
        return self.url or (self.experiment.get_absolute_url() if self.experiment_id else "")


class DigestClaim(models.Model):
    """One monitoring digest per person and day: the row is inserted before the digest is sent, so
    a second beat, a retried task or a concurrent worker finds the day taken and sends nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    claimed_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_person_per_day")]

    def __str__(self):
        return f"{self.user}: digest of {self.day}"


class RequestComment(AppendOnlyModel):
    """The discussion on one request, between its authors and approvers. Append-only."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_comments")
    body = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author} on {self.request}"
