"""The propose/edit form: the experiment itself plus inline variant and metric rows."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from experiments import lifecycle, roles
from experiments.keys import KEY_LENGTH, key_from_title
from experiments.models import EffectUnit, Experiment, ExperimentMetric, Metric, Variant
from experiments.validation import PLANNING_FIELDS, check_variants, metric_row_fields


def error_links(form, *, where="", labels=None) -> list[tuple[str, str]]:
    """(anchor, message) per error of one form, for the one error summary
    (templates/components/error_summary.html): the anchor is the field's wrapper
    (field-<html name>), the message names the field, after `where` (a row: "Metrics row 2: ").
    Every form's summary is built here (cadence.form_style.PagarFormStyle too)."""
    labels = labels or {}
    items = []
    for name, errors in form.errors.items():
        if name == "__all__":
            anchor, label = f"field-{form.prefix or 'form'}", str(where).rstrip(": ")
        else:
            anchor, label = f"field-{form[name].html_name}", f"{where}{labels.get(name, form[name].label or '')}"
        for message in errors:
            items.append(
                (anchor, _("%(label)s: %(error)s") % {"label": label, "error": message} if label else str(message))
            )
    return items


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


# The form's fields, step by step as the proposal form shows them (headings and the steps' errors:
# experiments/views/proposal_steps.py); the metrics step holds the variant and metric rows.
STEP_FIELDS = {
    "basics": (
        "title",
        "key",
        "hypothesis_change",
        "hypothesis_audience",
        "hypothesis_effect",
        "hypothesis_rationale",
        "team",
    ),
    "scope": (
        "touchpoints",
        "segments",
        "exposure_cap_pct",
        "sensitive_categories",
        "ai_disclosure",
        "human_fallback",
        "bias_note",
    ),
    "metrics": (),
    "plan": (
        "planned_start",
        "planned_end",
        "min_runtime_days",
        "expected_daily_traffic",
        "alpha",
        "power",
        "approver",
        "co_authors",
    ),
}


class ExperimentForm(FirstErrorOnlyMixin, forms.ModelForm):
    class Meta:
        model = Experiment
        fields = [name for names in STEP_FIELDS.values() for name in names]
        widgets = {
            "title": forms.TextInput(attrs={"autocomplete": "off"}),
            "hypothesis_change": forms.Textarea(
                attrs={"rows": 2, "placeholder": _("e.g. shorten the chat greeting to one sentence")}
            ),
            "hypothesis_audience": forms.TextInput(
                attrs={"placeholder": _("e.g. customers who open chat from the help centre")}
            ),
            "hypothesis_effect": forms.TextInput(
                attrs={"placeholder": _("e.g. first-contact resolution rises by 2 points")}
            ),
            "hypothesis_rationale": forms.Textarea(
                attrs={"rows": 2, "placeholder": _("e.g. agents reach the question sooner")}
            ),
            "ai_disclosure": forms.Textarea(
                attrs={
                    "rows": 2,
                    "placeholder": _("e.g. “You are chatting with our assistant; type ‘agent’ for a person.”"),
                }
            ),
            "bias_note": forms.Textarea(attrs={"rows": 3}),
            "touchpoints": forms.CheckboxSelectMultiple,
            "segments": forms.CheckboxSelectMultiple,
            "sensitive_categories": forms.CheckboxSelectMultiple,
            "co_authors": forms.SelectMultiple(attrs={"size": 5, "data-searchable": ""}),
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "exposure_cap_pct": forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "max": "100"}),
            "alpha": forms.NumberInput(attrs={"step": "0.001"}),
            "power": forms.NumberInput(attrs={"step": "0.01"}),
        }
        labels = {
            "key": _("Key"),
            "title": _("Title"),
            "hypothesis_change": _("If we…"),
            "hypothesis_audience": _("for…"),
            "hypothesis_effect": _("then…"),
            "hypothesis_rationale": _("because…"),
            "team": _("Team"),
            "co_authors": _("Co-authors"),
            "touchpoints": _("Touchpoints"),
            "segments": _("Segments"),
            "exposure_cap_pct": _("Exposure cap (%)"),
            "sensitive_categories": _("Sensitive categories"),
            "ai_disclosure": _("AI disclosure"),
            "human_fallback": _("Human fallback"),
            "bias_note": _("Bias and fairness note"),
            "planned_start": _("Planned start"),
            "planned_end": _("Planned end"),
            "min_runtime_days": _("Minimum runtime (days)"),
            "expected_daily_traffic": _("Expected daily traffic"),
            "alpha": _("Significance level (alpha)"),
            "power": _("Power"),
            "approver": _("Approver"),
        }
        help_texts = {
            "key": _("Made from the title; lower-case letters, digits and hyphens. Fixed once you submit."),
            "co_authors": _("Co-authors may edit the proposal; they cannot approve it."),
            "segments": _("Leave empty for all customers."),
            "exposure_cap_pct": _("Largest share of eligible traffic that may enter the experiment."),
            "ai_disclosure": _("What customers are told about the AI (the exact wording they see)."),
            "human_fallback": _(
                "The person or team who takes over when a customer asks for a human or the AI cannot help."
            ),
            "bias_note": _(
                "Who could be treated worse by the AI and how it is checked; the standards keeper reviews it."
            ),
            "min_runtime_days": _("No decision to ship before this many days."),
            "expected_daily_traffic": _("Eligible units per day before the exposure cap."),
            "approver": _("The approver decides on the proposal; never an author of it."),
            "alpha": _("Chance of a false win you accept; 0.05 is usual."),
            "power": _("Chance of detecting a real effect of the planned size; 0.8 is usual."),
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        users = get_user_model().objects.filter(is_active=True).exclude(pk=owner.pk).order_by("first_name", "username")
        self.fields["co_authors"].queryset = users
        approvers = users.filter(groups__name=roles.APPROVER).distinct()
        if self.instance.pk:
            approvers = approvers.exclude(pk__in=self.instance.co_authors.values("pk"))
        if not self.key_is_free:
            self.fields["key"].disabled = True
            self.fields["key"].help_text = _("The key is fixed once the proposal has been submitted.")
        # Left empty, the key is made from the title (clean()); the script shows it as you type.
        self.fields["key"].required = False
        self.fields["key"].widget.attrs["data-derive-length"] = KEY_LENGTH
        self.fields["approver"].queryset = approvers
        self.fields["approver"].empty_label = _("Choose the approver")
        self.fields["approver"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["co_authors"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["co_authors"].widget.attrs.update(
            {"data-text-search": _("Search people by name"), "data-text-chosen": _("Chosen:")}
        )

    @property
    def key_is_free(self) -> bool:
        return lifecycle.key_is_free(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.key_is_free and not cleaned.get("key") and "key" not in self.errors:
            derived = key_from_title(cleaned.get("title") or "")
            if derived:
                cleaned["key"] = derived
            elif cleaned.get("title"):  # no title: its own "required" says what to do
                self.add_error("key", _("Type a key: the title has no letters or digits to make one from."))
        approver = cleaned.get("approver")
        if approver and approver in (cleaned.get("co_authors") or []):
            self.add_error("approver", _("The approver cannot also be a co-author; choose someone else."))
        return cleaned


class VariantForm(FirstErrorOnlyMixin, forms.ModelForm):
    class Meta:
        model = Variant
        fields = ["key", "name", "description", "is_control", "weight"]
        widgets = {"description": forms.TextInput(attrs={"placeholder": _("What this arm shows")})}
        labels = {
            "key": _("Key"),
            "name": _("Name"),
            "description": _("Description"),
            "is_control": _("Control"),
            "weight": _("Weight"),
        }
        help_texts = {"weight": ""}


def suggested_variants():
    """The arms a simple experiment has: the short path leaves them as they are."""
    return [
        {"key": "control", "name": _("Control"), "is_control": True, "weight": 50},
        {"key": "treatment", "name": _("Treatment"), "is_control": False, "weight": 50},
    ]


class RowsInOrderMixin:
    """Saved rows come back in the order they were entered (the models' own ordering groups
    them by role or puts the control first, which is right for the pages that read them)."""

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = super().get_queryset().order_by("pk")
        return self._queryset


class RowErrorsFirstMixin:
    """A row with errors already says what is missing: "add at least one" beside it would contradict it."""

    def full_clean(self):
        super().full_clean()
        if any(self._errors) and self._non_form_errors:
            too_few = self.error_messages["too_few_forms"]
            kept = [e for e in self._non_form_errors.as_data() if e.code != "too_few_forms" and e.message != too_few]
            self._non_form_errors = self.error_class(kept, error_class="nonform", renderer=self.renderer)


class BaseVariantFormSet(RowErrorsFirstMixin, RowsInOrderMixin, forms.BaseInlineFormSet):
    default_error_messages = {"too_few_forms": _("Add a control and at least one treatment variant.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound:
            self.initial_extra = suggested_variants()

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
            "metric": _("Metric"),
            "role": _("Role"),
            "minimum_detectable_effect": _("Minimum detectable effect"),
            "non_inferiority_margin": _("Non-inferiority margin"),
            "baseline_rate": _("Baseline rate (%)"),
            "baseline_mean": _("Baseline mean"),
            "baseline_sd": _("Baseline SD"),
            "effect_unit": _("Effect unit"),
            "data_source": _("Data"),
        }
        help_texts = {
            "minimum_detectable_effect": _("The smallest improvement worth detecting."),
            "non_inferiority_margin": _("The largest harm you accept."),
            "baseline_rate": _("The current rate, e.g. 3.2."),
            "baseline_mean": _("The current mean per unit."),
            "baseline_sd": _("The standard deviation per unit."),
            "data_source": _("Per-unit outcomes or daily figures; the other kind is refused."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = Metric.objects.filter(is_active=True)
        self.fields["metric"].empty_label = _("Choose a metric")
        self.fields["role"].choices = [
            ("", _("Choose a role")),
            ("success", _("Success")),
            ("guardrail", _("Guardrail")),
        ]
        # Short labels: the row is narrow; the section text explains the units.
        self.fields["effect_unit"].choices = [
            (EffectUnit.ABSOLUTE, _("Absolute")),
            (EffectUnit.RELATIVE, _("Relative (%)")),
        ]
        self.fields["data_source"].choices = [
            ("", _("Whichever arrives first")),
            ("units", _("Per-unit outcomes")),
            ("daily", _("Daily figures per arm")),
        ]
        for name in PLANNING_FIELDS:
            self.fields[name].widget.attrs["step"] = "any"

    def clean(self):
        cleaned = super().clean()
        metric, role = cleaned.get("metric"), cleaned.get("role")
        if metric is None or not role:
            return cleaned
        # Only the fields this kind and role need count: a value left in a field the row does not
        # show (the kind or role changed after typing) is dropped, not refused.
        needed = metric_row_fields(metric.kind, role)
        for name in PLANNING_FIELDS:
            if name not in needed:
                cleaned[name] = None
                self._errors.pop(name, None)
        return cleaned


class BaseMetricFormSet(RowErrorsFirstMixin, RowsInOrderMixin, forms.BaseInlineFormSet):
    default_error_messages = {"too_few_forms": _("Add at least one metric.")}

    def get_unique_error_message(self, unique_check):
        return _("Each metric can appear only once; remove the repeated row.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.extra = 1  # a new proposal starts with room for a success metric and a guardrail


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


def metric_fields_table() -> dict:
    """{kind: {role: [fields]}} for the form's script: which fields each metric row shows."""
    return {
        kind: {role: list(metric_row_fields(kind, role)) for role in ("success", "guardrail")}
        for kind in Metric.Kind.values
    }
