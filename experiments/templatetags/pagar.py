"""Small display helpers for experiment pages."""

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from experiments.money import is_money_unit, money
from experiments.models import EffectUnit, Metric, MetricRole
from experiments.stats.verdicts import MetricStatus

register = template.Library()


@register.simple_tag
def status_badge(experiment):
    label = experiment.get_status_display()
    if experiment.outcome:
        label = f"{label}: {experiment.get_outcome_display().lower()}"
    return format_html('<span class="badge status-{}">{}</span>', experiment.status, label)


def _number(value):
    """ "2", "0.5" ("0,5" in Indonesian): up to six significant digits, in the reader's separators."""
    return f"{value:g}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))


@register.filter
def metric_effect(row):
    """The MDE (success) or margin (guardrail) with its unit, e.g. "2 pp" or "5% of baseline"."""
    value = row.planning_effect
    if value is None:
        return "—"
    if row.effect_unit == EffectUnit.RELATIVE:
        text = _("%(value)s%% of baseline") % {"value": _number(value)}
    elif row.metric.kind == Metric.Kind.BINARY:
        text = _("%(value)s pp") % {"value": _number(value)}
    elif is_money_unit(row.metric.unit):
        text = money(value)
    else:
        text = f"{_number(value)} {row.metric.unit}".strip()
    if row.role == MetricRole.SUCCESS:
        return _("%(effect)s better") % {"effect": text}
    return _("%(effect)s worse at most") % {"effect": text}


@register.filter
def metric_baseline(row):
    if row.metric.kind == Metric.Kind.BINARY:
        return "—" if row.baseline_rate is None else f"{_number(row.baseline_rate)}%"
    if row.baseline_mean is None:
        return "—"
    if is_money_unit(row.metric.unit):
        sd = "" if row.baseline_sd is None else f" (SD {money(row.baseline_sd)})"
        return f"{money(row.baseline_mean)}{sd}"
    unit = f" {row.metric.unit}" if row.metric.unit else ""
    sd = "" if row.baseline_sd is None else f" (SD {_number(row.baseline_sd)})"
    return f"{_number(row.baseline_mean)}{unit}{sd}"


@register.filter
def lookup(mapping, key):
    """mapping[key] or an empty list: per-field policy problems in the form."""
    return (mapping or {}).get(key, [])


@register.filter
def person(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.simple_tag
def user_can_propose(user):
    from experiments.access import can_propose

    return can_propose(user)


# A metric's engine status as a standard's evidence shows it.
EVIDENCE_STATUS_WORDS = {
    MetricStatus.SUPERIOR: _("Better"),
    MetricStatus.NON_INFERIOR: _("Not harmed"),
    MetricStatus.HARM: _("Harmed"),
    MetricStatus.NOT_ENOUGH_DATA: _("Not enough data"),
}


@register.simple_tag
def evidence_status(status):
    """The evidence table's word for an engine status ("Harmed" stands out); "-" when there is none."""
    if not status:
        return "-"
    if status == MetricStatus.HARM:
        return format_html('<strong class="warn-text">{}</strong>', EVIDENCE_STATUS_WORDS[status])
    return EVIDENCE_STATUS_WORDS.get(status) or str(status)[:1].upper() + str(status)[1:]
