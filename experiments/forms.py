"""The propose/edit form: the experiment itself plus inline variant and metric rows."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from experiments import roles
from experiments.models import EffectUnit, Experiment, ExperimentMetric, Metric, Variant
from experiments.validation import check_variants


class FirstErrorOnlyMixin:
    """Show one error per field: a value the field already refused ("Enter a number.") must not
    also get the model's "this is required" message for the same field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        refused = {name: len(errors) for name, errors in self._errors.items() if name != "__all__"}
        super()._post_clean()
        for name, count in refused.items():
            if name in self._errors:
                self._errors[name].data = self._errors[name].data[:count]


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their inputs
        super().__init__(*args, **kwargs)


class ExperimentForm(FirstErrorOnlyMixin, forms.ModelForm):
    class Meta:
        model = Experiment
        fields = [
            "key",
            "title",
            "hypothesis_change",
            "hypothesis_audience",
            "hypothesis_effect",
            "hypothesis_rationale",
            "team",
            "co_authors",
            "touchpoints",
            "segments",
            "exposure_cap_pct",
            "sensitive_categories",
            "ai_disclosure",
            "human_fallback",
            "bias_note",
            "planned_start",
            "planned_end",
            "min_runtime_days",
            "expected_daily_traffic",
            "alpha",
            "power",
            "approver",
        ]
        widgets = {
            "hypothesis_change": forms.Textarea(
                attrs={"rows": 2, "placeholder": "e.g. shorten the chat greeting to one sentence"}
            ),
            "hypothesis_audience": forms.TextInput(
                attrs={"placeholder": "e.g. customers who open chat from the help centre"}
            ),
            "hypothesis_effect": forms.TextInput(
                attrs={"placeholder": "e.g. first-contact resolution rises by 2 points"}
            ),
            "hypothesis_rationale": forms.Textarea(
                attrs={"rows": 2, "placeholder": "e.g. agents reach the question sooner"}
            ),
            "ai_disclosure": forms.Textarea(
                attrs={
                    "rows": 2,
                    "placeholder": "e.g. “You are chatting with our assistant; type ‘agent’ for a person.”",
                }
            ),
            "bias_note": forms.Textarea(attrs={"rows": 3}),
            "touchpoints": forms.CheckboxSelectMultiple,
            "segments": forms.CheckboxSelectMultiple,
            "sensitive_categories": forms.CheckboxSelectMultiple,
            "co_authors": forms.SelectMultiple(attrs={"size": 4}),
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "exposure_cap_pct": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "max": "100"}),
            "alpha": forms.NumberInput(attrs={"step": "0.001"}),
            "power": forms.NumberInput(attrs={"step": "0.01"}),
        }
        labels = {
            "key": "Key",
            "hypothesis_change": "If we…",
            "hypothesis_audience": "for…",
            "hypothesis_effect": "then…",
            "hypothesis_rationale": "because…",
            "min_runtime_days": "Minimum runtime (days)",
            "expected_daily_traffic": "Expected daily traffic",
            "alpha": "Significance level (alpha)",
            "power": "Power",
        }
        help_texts = {
            "key": "Lower-case letters, digits and hyphens, e.g. chat-short-greeting. Cannot change later.",
            "co_authors": "Co-authors may edit the proposal; they cannot approve it.",
            "approver": "The approver decides on the proposal; never an author of it.",
            "alpha": "Chance of a false win you accept; 0.05 is usual.",
            "power": "Chance of detecting a real effect of the planned size; 0.8 is usual.",
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        users = get_user_model().objects.filter(is_active=True).exclude(pk=owner.pk).order_by("first_name", "username")
        self.fields["co_authors"].queryset = users
        approvers = users.filter(groups__name=roles.APPROVER).distinct()
        if self.instance.pk:
            approvers = approvers.exclude(pk__in=self.instance.co_authors.values("pk"))
            self.fields["key"].disabled = True
            self.fields["key"].help_text = "The key is fixed once the experiment exists."
        self.fields["approver"].queryset = approvers
        self.fields["approver"].empty_label = "Choose the approver"
        self.fields["approver"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["co_authors"].label_from_instance = lambda u: u.get_full_name() or u.get_username()

    def clean(self):
        cleaned = super().clean()
        approver = cleaned.get("approver")
        if approver and approver in (cleaned.get("co_authors") or []):
            self.add_error("approver", "The approver cannot also be a co-author; choose someone else.")
        return cleaned


class VariantForm(FirstErrorOnlyMixin, forms.ModelForm):
    class Meta:
        model = Variant
        fields = ["key", "name", "description", "is_control", "weight"]
        widgets = {"description": forms.TextInput(attrs={"placeholder": "What this arm shows"})}
        labels = {"is_control": "Control", "weight": "Weight"}
        help_texts = {"weight": ""}


class BaseVariantFormSet(forms.BaseInlineFormSet):
    default_error_messages = {"too_few_forms": "Add a control and at least one treatment variant."}

    def clean(self):
        if any(self.errors):
            return  # row errors first; the set-level rules need complete rows
        rows = [form.cleaned_data for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        try:
            check_variants(rows)  # before the generic uniqueness check: its messages say more
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["variants"]) from None
        super().clean()


VariantFormSet = forms.inlineformset_factory(
    Experiment,
    Variant,
    form=VariantForm,
    formset=BaseVariantFormSet,
    extra=0,
    min_num=2,
    validate_min=True,
    can_delete=True,
)


class MetricForm(FirstErrorOnlyMixin, forms.ModelForm):
    class Meta:
        model = ExperimentMetric
        fields = [
            "metric",
            "role",
            "effect_unit",
            "minimum_detectable_effect",
            "non_inferiority_margin",
            "baseline_rate",
            "baseline_mean",
            "baseline_sd",
            "data_source",
        ]
        labels = {
            "minimum_detectable_effect": "Minimum detectable effect",
            "non_inferiority_margin": "Non-inferiority margin",
            "baseline_rate": "Baseline rate (%)",
            "baseline_mean": "Baseline mean",
            "baseline_sd": "Baseline SD",
            "effect_unit": "Effect unit",
            "data_source": "Data",
        }
        help_texts = {
            "minimum_detectable_effect": "Success metrics only.",
            "non_inferiority_margin": "Guardrails only: the largest harm you accept.",
            "baseline_rate": "Binary metrics, e.g. 3.2.",
            "baseline_mean": "Means and scores.",
            "baseline_sd": "",
            "data_source": "Per-unit outcomes or daily figures; the other kind is refused.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = Metric.objects.filter(is_active=True)
        self.fields["metric"].empty_label = "Choose a metric"
        self.fields["role"].choices = [("", "Choose a role"), *self.fields["role"].choices[1:]]
        # Short labels: the row is narrow; the section text explains the units.
        self.fields["effect_unit"].choices = [(EffectUnit.ABSOLUTE, "Absolute"), (EffectUnit.RELATIVE, "Relative (%)")]
        for name in (
            "minimum_detectable_effect",
            "non_inferiority_margin",
            "baseline_rate",
            "baseline_mean",
            "baseline_sd",
        ):
            self.fields[name].widget.attrs["step"] = "any"


class BaseMetricFormSet(forms.BaseInlineFormSet):
    default_error_messages = {"too_few_forms": "Add at least one metric."}

    def get_unique_error_message(self, unique_check):
        return "Each metric can appear only once; remove the repeated row."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.extra = 2  # a new proposal starts with room for a success metric and two guardrails


MetricFormSet = forms.inlineformset_factory(
    Experiment,
    ExperimentMetric,
    form=MetricForm,
    formset=BaseMetricFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=True,
)
