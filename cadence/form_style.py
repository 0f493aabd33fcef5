"""How every cadence form renders, the same as the experiment proposal form (experiments/forms.py,
templates/django/forms/field.html): labels above their inputs without a colon, empty choices that
say what to do ("Choose…") instead of "---------", and one error summary at the top whose links
lead to each field (the site's one component, templates/components/error_summary.html)."""

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

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
        """(anchor, message) per error for components/error_summary.html; the anchor is the field's
        wrapper (field-<html name>), the message names the field as the component does for a form."""
        items = []
        for name, errors in self.errors.items():
            if name == "__all__":
                items.extend((f"field-{self.prefix or 'form'}", str(message)) for message in errors)
                continue
            label = str(self[name].label or "")
            anchor = f"field-{self[name].html_name}"
            for message in errors:
                said = _("%(label)s: %(error)s") % {"label": label, "error": message} if label else str(message)
                items.append((anchor, said))
        return items
