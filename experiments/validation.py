"""Field rules shared by the model, the web forms and the API serializers.

Each check raises a ValidationError keyed by field name, so every entry point shows the error
next to the field it concerns.
"""

import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_dates(planned_start, planned_end, min_runtime_days):
    if planned_start is None or planned_end is None:
        return
    if planned_end <= planned_start:
        raise ValidationError({"planned_end": _("The planned end must be after the planned start.")})
    duration = (planned_end - planned_start).days + 1
    if min_runtime_days and min_runtime_days > duration:
        raise ValidationError(
            {
                "min_runtime_days": (
                    _("The minimum runtime (%(min)s days) is longer than the planned duration (%(days)s days).")
                    % {"min": min_runtime_days, "days": duration}
                )
            }
        )


def _finite(value):
    return value is not None and math.isfinite(value)


PLANNING_FIELDS = (
    "minimum_detectable_effect",
    "non_inferiority_margin",
    "baseline_rate",
    "baseline_mean",
    "baseline_sd",
)


def metric_row_fields(kind, role) -> tuple[str, ...]:
    """The planning fields a metric row of this kind and role needs; the others stay empty.

    The one rule behind the check below, the form (which clears the others) and the form's
    script (which shows only these, from the table the page renders)."""
    effect = "minimum_detectable_effect" if role == "success" else "non_inferiority_margin"
    baseline = ("baseline_rate",) if kind == "binary" else ("baseline_mean", "baseline_sd")
    return (effect, *baseline)


def check_metric_row(
    *,
    kind,
    lower_is_better,
    role,
    effect_unit,
    minimum_detectable_effect,
    non_inferiority_margin,
    baseline_rate,
    baseline_mean,
    baseline_sd,
):
    """Validate one metric row of an experiment; raise ValidationError naming each bad field."""
    errors = {}
    effect_field = metric_row_fields(kind, role)[0]
    other_field = "non_inferiority_margin" if role == "success" else "minimum_detectable_effect"
    effect = minimum_detectable_effect if role == "success" else non_inferiority_margin
    other = non_inferiority_margin if role == "success" else minimum_detectable_effect

    if other is not None:
        errors[other_field] = (
            _("Only guardrail metrics take a non-inferiority margin; clear it or change the role.")
            if role == "success"
            else _("Only success metrics take a minimum detectable effect; clear it or change the role.")
        )
    if effect is None:
        errors[effect_field] = (
            _("A success metric needs the minimum detectable effect.")
            if role == "success"
            else _("A guardrail metric needs the non-inferiority margin (the largest harm you accept).")
        )
    elif not _finite(effect) or effect <= 0:
        errors[effect_field] = _("Must be a positive number (the direction comes from the metric).")

    if kind == "binary":
        if baseline_rate is None:
            errors["baseline_rate"] = _("A binary metric needs its current rate in percent for planning.")
        elif not _finite(baseline_rate) or not 0 < baseline_rate < 100:
            errors["baseline_rate"] = _("Must be a percentage strictly between 0 and 100.")
        for field, value in (("baseline_mean", baseline_mean), ("baseline_sd", baseline_sd)):
            if value is not None:
                errors[field] = _("Binary metrics are planned from the baseline rate; leave this empty.")
        if effect_field not in errors and "baseline_rate" not in errors:
            points = effect if effect_unit == "absolute" else baseline_rate * effect / 100
            # Success moves the better way, a guardrail margin the worse way.
            better = -1 if lower_is_better else 1
            sign = better if role == "success" else -better
            moved = baseline_rate + sign * points
            if not 0 < moved < 100:
                errors[effect_field] = _(
                    "A rate of %(rate)s%% moved by %(points)s points leaves 0-100%%; use a smaller effect."
                ) % {"rate": f"{baseline_rate:g}", "points": f"{points:g}"}
    else:
        if baseline_rate is not None:
            errors["baseline_rate"] = _(
                "Only binary metrics take a baseline rate; give the mean and standard deviation."
            )
        if baseline_mean is None:
            errors["baseline_mean"] = _("Needed for planning: the metric's current mean.")
        elif not _finite(baseline_mean):
            errors["baseline_mean"] = _("Must be a finite number.")
        elif effect_unit == "relative" and baseline_mean == 0:
            errors["baseline_mean"] = _("A relative effect needs a non-zero baseline mean.")
        if baseline_sd is None:
            errors["baseline_sd"] = _("Needed for planning: the metric's standard deviation per unit.")
        elif not _finite(baseline_sd) or baseline_sd <= 0:
            errors["baseline_sd"] = _("Must be a positive number.")
    if errors:
        raise ValidationError(errors)


def check_variants(rows):
    """rows: dicts with key, weight, is_control. One control, at least one treatment, unique keys."""
    errors = []
    keys = [r.get("key") for r in rows]
    controls = [r for r in rows if r.get("is_control")]
    if len(controls) != 1:
        errors.append(_("Mark exactly one variant as the control."))
    if len(rows) - len(controls) < 1:
        errors.append(_("Add at least one treatment variant besides the control."))
    duplicates = sorted({k for k in keys if k and keys.count(k) > 1})
    if duplicates:
        errors.append(_("Variant keys must be unique; repeated: %(keys)s.") % {"keys": ", ".join(duplicates)})
    if errors:
        raise ValidationError({"variants": errors})
