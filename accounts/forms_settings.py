from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import PersonSettings


class PersonSettingsForm(forms.ModelForm):
    """The settings page's form: a blank choice means "not chosen" (the browser's language, the site's zone)."""

    class Meta:
        model = PersonSettings
        fields = ["language", "time_zone"]
        labels = {"language": _("Language"), "time_zone": _("Time zone")}
        help_texts = {
            "language": _("Pages and emails are in this language."),
            "time_zone": _("Dates and times are shown in this time zone."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["language"].choices = [("", _("Same as my browser"))] + list(settings.LANGUAGES)
        site_zone = _("Same as the site (%(zone)s)") % {"zone": settings.TIME_ZONE}
        self.fields["time_zone"].choices = [("", site_zone)] + list(self.fields["time_zone"].choices)[1:]
