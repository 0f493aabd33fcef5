from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.form_style import PagarFormStyle
from cadence.duties.models import ResponseItem


class CloseForm(PagarFormStyle, forms.Form):
    action = forms.ChoiceField(label=_("What was done"), choices=ResponseItem.Action.choices, widget=forms.RadioSelect)
    what_was_done = forms.CharField(
        label=_("In a few words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you changed, fixed or found; the record keeps it."),
    )
