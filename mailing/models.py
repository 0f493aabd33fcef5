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
