"""The live calculator's sentences (static/js/calculator.js), translated here and handed to the
script as JSON: placeholders are %(name)s as in every other Python string."""

from django.utils.translation import gettext as _


def calculator_text() -> dict:
    return {
        "units_in_total": _("units in total"),
        "days_needed": _("days needed"),
        "days_planned": _("days planned"),
        "per_arm": _("Units per arm: %(arms)s. About %(daily)s units enter per day after the exposure cap."),
        "deciding": _("Deciding metric: %(metric)s."),
        "fits": _("The planned duration is long enough to detect the effects."),
        "too_short": _("The planned duration is too short to detect these effects."),
        "cuped_gain": _(
            "With CUPED at a correlation of %(rho)s: %(units)s units instead of %(without)s "
            "(send each unit's pre-period value as pre_value)."
        ),
        "cuped_none": _(
            "CUPED changes nothing here: only mean metrics gain from pre-period values, "
            "and this plan is sized by a rate or NPS metric."
        ),
        "exposure_capped": _("Planned at %(pct)s%% exposure, the most the policy allows."),
        "exposure_entered": _("Planned at the exposure cap of %(pct)s%%."),
        "looks": _(
            "Sized for a check on each of the %(looks)s planned days (the sequential boundaries need "
            "×%(factor)s the units of one final test) and for the harm test every metric also runs."
        ),
        "metric_row": _("Metric row %(number)s"),
        "variant_row": _("Variant row %(number)s"),
        "complete_metrics": _("Complete the metrics to see the plan."),
        "complete_variants": _("Complete the variants to see the plan."),
        "complete_plan": _("Complete the plan fields to see how long the experiment must run."),
        "add_rows": _("Add a control, a treatment and at least one metric to see the plan."),
        "unavailable": _(
            "The calculator is not available right now. The plan appears on the experiment page after you save."
        ),
        "fields": {
            "alpha": _("significance level"),
            "power": _("power"),
            "expected_daily_traffic": _("expected daily traffic"),
            "exposure_cap_pct": _("exposure cap"),
            "planned_start": _("planned start"),
            "planned_end": _("planned end"),
            "metric": _("metric"),
            "role": _("role"),
            "effect_unit": _("effect unit"),
            "minimum_detectable_effect": _("minimum detectable effect"),
            "non_inferiority_margin": _("non-inferiority margin"),
            "baseline_rate": _("baseline rate"),
            "baseline_mean": _("baseline mean"),
            "baseline_sd": _("baseline SD"),
            "key": _("key"),
            "weight": _("weight"),
            "is_control": _("control"),
            "variants": _("Variants"),
            "metrics": _("Metrics"),
        },
    }
