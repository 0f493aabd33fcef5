from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        return self.filter(revoked_at=None, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A person's API token. Only its SHA-256 digest is stored: the token itself is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("person")
    )
    name = models.CharField(_("what it is for"), max_length=100, blank=True)
    prefix = models.CharField(_("first characters"), max_length=8, help_text=_("To recognise the token in a list."))
    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    def status(self, now=None) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= (now or timezone.now()) else "active"

    def get_status_display(self) -> str:
        return {"revoked": _("Revoked"), "expired": _("Expired"), "active": _("Active")}[self.status()]


def _time_zone_choices():
    import zoneinfo

    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class PersonSettings(models.Model):
    """A person's language and time zone. Blank means: the browser's language, the site's time zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_settings", verbose_name=_("person")
    )
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, choices=_time_zone_choices)

    class Meta:
        verbose_name = _("person's settings")
        verbose_name_plural = _("people's settings")

    def __str__(self):
        return str(self.user)
