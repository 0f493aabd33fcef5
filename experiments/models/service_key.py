"""Service keys: how machines (the services that serve arms and send data) call Pagar.

A key acts for the person who created it, within a scope: a list of experiments or one
touchpoint, and the actions it may take (assign, send data). Only the SHA-256 of the secret is
stored; the secret is shown once, when the key is made. `prefix` (visible, unique) finds the row.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .catalogue import Touchpoint
from .experiment import Experiment


class ServiceKeyAction(models.TextChoices):
    ASSIGN = "assign", _("Assign units")
    SEND_DATA = "send_data", _("Send data")


class ServiceKey(models.Model):
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What calls with it, e.g. “chat router (production)”.")
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_sha256 = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_keys")
    experiments = models.ManyToManyField(Experiment, blank=True, related_name="service_keys")
    touchpoint = models.ForeignKey(
        Touchpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="service_keys"
    )
    can_assign = models.BooleanField(_("may assign units"), default=False)
    can_send_data = models.BooleanField(_("may send data"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="revoked_service_keys"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("service key")
        verbose_name_plural = _("service keys")

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def is_usable(self, now=None) -> bool:
        return not self.is_revoked and not self.is_expired(now)

    def actions(self) -> list[str]:
        return [
            action
            for action, allowed in (
                (ServiceKeyAction.ASSIGN, self.can_assign),
                (ServiceKeyAction.SEND_DATA, self.can_send_data),
            )
            if allowed
        ]
