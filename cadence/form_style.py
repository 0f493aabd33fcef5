"""How every cadence form renders, the same as the experiment proposal form (experiments/forms.py,
templates/django/forms/field.html): labels above their inputs without a colon, empty choices that
say what to do ("Choose…") instead of "---------", and one error summary at the top whose links
lead to each field (the site's one component, templates/components/error_summary.html)."""

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from experiments.forms import error_links

CHOOSE = _("Choose…")
DASHES = BLANK_CHOICE_DASH[0][1]


class PagarFormStyle:
    """Mixed into a Form or ModelForm before the Django base class."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their inputs
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if getattr(field, "empty_label", None) == DASHES:
                field.empty_label = CHOOSE
            elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                field.choices = [(value, CHOOSE if label == DASHES else label) for value, label in field.choices]

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) per error for components/error_summary.html (experiments.forms.error_links)."""
        return error_links(self)
