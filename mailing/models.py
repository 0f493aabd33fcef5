from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailFailure(models.Model):
    """An email to one recipient that failed at least once: what, to whom, why, how often, and
    whether a retry delivered it after all. Listed in the admin."""

    subject = models.CharField(_("subject"), max_length=255)
    recipient = models.CharField(_("recipient"), max_length=254)
    error = models.TextField(_("last error"))
    attempts = models.PositiveIntegerField(_("failed attempts"), default=1)
    first_failed_at = models.DateTimeField(_("first failed at"))
    last_failed_at = models.DateTimeField(_("last failed at"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-last_failed_at"]
        verbose_name = _("email failure")
        verbose_name_plural = _("email failures")
        indexes = [models.Index(fields=["recipient", "subject"], name="mailing_failure_lookup")]

    def __str__(self):
        return f"{self.subject} → {self.recipient} ({self.attempts}×)"


class Outbox(models.Model):
    """One email (to one recipient) or one webhook call to send: written in the transaction of what
    it reports, sent after commit by mailing.outbox.deliver_pending. The rows are both the work
    queue and the record of what was sent, when, after how many tries and why it failed.

    `dedupe_key`, when set, is unique: a second enqueue of the same notice adds nothing."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("email")
        WEBHOOK = "webhook", _("webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    payload = models.JSONField(
        _("payload"), help_text=_("Email: to, subject, body, html, attachments. Webhook: url, body, headers.")
    )
    dedupe_key = models.CharField(_("dedupe key"), max_length=255, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="mailing_outbox_due")]

    def __str__(self):
        return f"{self.kind} {self.summary} ({self.status})"

    @property
    def summary(self) -> str:
        if self.kind == self.Kind.EMAIL:
            return f"{self.payload.get('subject', '')} → {', '.join(self.payload.get('to', []))}"
        return f"POST {self.payload.get('url', '')}"


class NotificationPreference(models.Model):
    """How one person wants to hear about their work: each channel on or off. Without a row, all
    are on (mailing.preferences.preferences_for)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("person"),
    )
    email = models.BooleanField(_("email"), default=True, help_text=_("An email for each event, as it happens."))
    in_app = models.BooleanField(
        _("in the app"), default=True, help_text=_("A notice on your notifications page for each event.")
    )
    digest = models.BooleanField(
        _("daily digest"),
        default=True,
        help_text=_("One email a day with what the monitoring checks changed on the experiments you watch."),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return f"{self.user}: email={self.email} in_app={self.in_app} digest={self.digest}"
