"""The search's words and filters, read and checked once for the page and the API."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.form_style import PagarFormStyle
from cadence.search.engine import EXPERIMENT, IDEA, KINDS, MINUTES, STANDARD, Filters
from experiments.filters import NO_OUTCOME
from experiments.models import Metric, Outcome, Touchpoint

KIND_LABELS = {
    EXPERIMENT: _("Experiments"),
    STANDARD: _("Standards"),
    IDEA: _("Ideas"),
    MINUTES: _("Meeting minutes"),
}
OUTCOME_CHOICES = [*Outcome.choices, (NO_OUTCOME, _("No outcome yet"))]


class SearchForm(PagarFormStyle, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        help_text=_('Words to find, e.g. delivery SMS. On PostgreSQL: "quoted phrases", or, -word.'),
    )
    touchpoint = forms.ModelChoiceField(
        Touchpoint.objects.order_by("name"),
        to_field_name="key",
        required=False,
        label=_("Touchpoint"),
        empty_label=_("Any touchpoint"),
    )
    metric = forms.ModelChoiceField(
        Metric.objects.order_by("name"),
        to_field_name="key",
        required=False,
        label=_("Metric"),
        empty_label=_("Any metric"),
    )
    outcome = forms.MultipleChoiceField(
        choices=OUTCOME_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Outcome"),
        help_text=_("Experiments only: choosing an outcome leaves out standards, ideas and minutes."),
    )
    kind = forms.MultipleChoiceField(
        choices=[(k, KIND_LABELS[k]) for k in KINDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Look in"),
    )
    date_from = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_q(self):
        words = " ".join(self.cleaned_data["q"].split())
        if not words:
            raise forms.ValidationError(_("Type at least one word to search for."))
        return words

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            touchpoint=data["touchpoint"].key if data.get("touchpoint") else "",
            metric=data["metric"].key if data.get("metric") else "",
            outcomes=tuple(data.get("outcome") or ()),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            kinds=tuple(data.get("kind") or KINDS),
        )
