from django import forms

from mailing.models import NotificationPreference


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email", "in_app", "digest"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():  # each box is read with its explanation
            field.widget.attrs["aria-describedby"] = f"id_{name}-help"
