"""The amendment form: the amendable parts of the contract, prefilled from the approved snapshot."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from experiments.models import EffectUnit, Metric, MetricRole, Segment, Touchpoint
from experiments.forms import FirstErrorOnlyMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _number(value):
    return None if value is None else float(value)


class AmendmentForm(FirstErrorOnlyMixin, forms.Form):
    touchpoints = forms.ModelMultipleChoiceField(
        Touchpoint.objects.all(),
        label=gettext_lazy("Touchpoints"),
        to_field_name="key",
        widget=forms.CheckboxSelectMultiple,
    )
    segments = forms.ModelMultipleChoiceField(
        Segment.objects.all(),
        label=gettext_lazy("Segments"),
        to_field_name="key",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked means all customers."),
    )
    exposure_cap_pct = forms.DecimalField(
        label=gettext_lazy("Exposure cap (%)"),
        min_value=Decimal("0.01"),
        max_value=100,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    planned_start = forms.DateField(label=gettext_lazy("Planned start"), widget=DATE)
    planned_end = forms.DateField(label=gettext_lazy("Planned end"), widget=DATE)
    reason = forms.CharField(
        label=gettext_lazy("Why the change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The approvers read this first."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The end must be on or after the start."))
        return data

    @classmethod
    def initial_from(cls, contract: dict) -> dict:
        return {
            "touchpoints": contract["touchpoints"],
            "segments": contract["segments"],
            "exposure_cap_pct": contract["exposure_cap_pct"],
            "planned_start": contract["planned_start"],
            "planned_end": contract["planned_end"],
        }

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "touchpoints": sorted(t.key for t in data["touchpoints"]),
            "segments": sorted(s.key for s in data["segments"]),
            "exposure_cap_pct": str(data["exposure_cap_pct"].quantize(Decimal("0.01"))),
            "planned_start": data["planned_start"].isoformat(),
            "planned_end": data["planned_end"].isoformat(),
        }


class MetricChangeForm(FirstErrorOnlyMixin, forms.Form):
    metric = forms.ModelChoiceField(Metric.objects.all(), to_field_name="key", label=gettext_lazy("Metric"))
    # Initial values equal to what the blank row posts, so an untouched extra row counts as unchanged.
    role = forms.ChoiceField(choices=MetricRole.choices, initial=MetricRole.SUCCESS, label=gettext_lazy("Role"))
    effect_unit = forms.ChoiceField(
        choices=EffectUnit.choices, initial=EffectUnit.ABSOLUTE, label=gettext_lazy("Effect unit")
    )
    effect = forms.DecimalField(label=gettext_lazy("Effect / margin"), min_value=Decimal("0.0001"))
    baseline_rate = forms.DecimalField(required=False, label=gettext_lazy("Baseline rate (%)"))
    baseline_mean = forms.DecimalField(required=False, label=gettext_lazy("Baseline mean"))
    baseline_sd = forms.DecimalField(required=False, label=gettext_lazy("Baseline SD"))

    @staticmethod
    def initial_from(row: dict) -> dict:
        effect = (
            row["minimum_detectable_effect"] if row["role"] == MetricRole.SUCCESS else row["non_inferiority_margin"]
        )
        return {
            **{
                k: row.get(k)
                for k in ("metric", "role", "effect_unit", "baseline_rate", "baseline_mean", "baseline_sd")
            },
            "effect": effect,
        }

    def row(self) -> dict:
        data = self.cleaned_data
        success = data["role"] == MetricRole.SUCCESS
        return {
            "metric": data["metric"].key,
            "role": data["role"],
            "effect_unit": data["effect_unit"],
            "minimum_detectable_effect": _number(data["effect"]) if success else None,
            "non_inferiority_margin": None if success else _number(data["effect"]),
            "baseline_rate": _number(data.get("baseline_rate")),
            "baseline_mean": _number(data.get("baseline_mean")),
            "baseline_sd": _number(data.get("baseline_sd")),
        }


class BaseMetricChangeFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        kept = self.kept_forms()
        for form in kept:
            key = form.cleaned_data["metric"].key
            if key in seen:
                raise ValidationError(_("%(metric)s is listed twice.") % {"metric": form.cleaned_data["metric"].name})
            seen.add(key)
        if not any(f.cleaned_data["role"] == MetricRole.SUCCESS for f in kept):
            raise ValidationError(_("Keep at least one success metric."))

    def kept_forms(self):
        return [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]

    def rows(self) -> list[dict]:
        return sorted((f.row() for f in self.kept_forms()), key=lambda r: r["metric"])


MetricChangeFormSet = forms.formset_factory(MetricChangeForm, formset=BaseMetricChangeFormSet, extra=1, can_delete=True)
