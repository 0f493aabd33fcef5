"""The proposal form's four steps, and which fields an approver's request for changes names."""

import re

from django.utils.translation import gettext_lazy as _

from experiments.forms import STEP_FIELDS

# (step id, heading, the experiment form's fields on it): the fields come from the form itself.
HEADINGS = (
    ("basics", _("Basics")),
    ("scope", _("Scope")),
    ("metrics", _("Metrics and variants")),
    ("plan", _("Plan and approver")),
)
STEPS = tuple((step, heading, STEP_FIELDS[step]) for step, heading in HEADINGS)
ROW_SECTIONS = {"variants", "metrics", "hypothesis"}
# Words an approver writes for what is not one labelled field: where they lead.
SECTION_WORDS = {
    "hypothesis": ("field-hypothesis_change", _("Hypothesis")),
    "metric": ("section-metrics", _("Metrics")),
    "guardrail": ("section-metrics", _("Metrics")),
    "margin": ("section-metrics", _("Metrics")),
    "baseline": ("section-metrics", _("Metrics")),
    "variant": ("section-variants", _("Variants")),
    "arm": ("section-variants", _("Variants")),
    "date": ("field-planned_start", _("Planned start")),
    "duration": ("field-planned_end", _("Planned end")),
}


def step_of_field(name: str) -> str:
    for step, _heading, fields in STEPS:
        if name in fields:
            return step
    return "metrics" if name in ROW_SECTIONS else "basics"


def steps_of(form, variants, metrics, problems) -> list[dict]:
    """Each step with whether it holds an error or a policy problem (the page opens the first such)."""
    troubled = {step_of_field(name) for name in form.errors if name != "__all__"}
    troubled |= {step_of_field(p["field"]) for p in problems}
    if variants.is_bound and (variants.total_error_count() or metrics.total_error_count()):
        troubled.add("metrics")
    return [
        {"id": step, "number": number, "heading": heading, "troubled": step in troubled}
        for number, (step, heading, _fields) in enumerate(STEPS, 1)
    ]


def _stem(label: str) -> str:
    words = re.sub(r"\(.*?\)|…|:", " ", str(label)).lower().split()
    phrase = " ".join(words)
    return phrase[:-1] if phrase.endswith("s") else phrase


def fields_named_in(text: str, form) -> list[tuple[str, str]]:
    """(anchor, label) of each field the text names, by its label or a word for its section."""
    lowered = (text or "").lower()
    links = []
    for name in (name for _step, _heading, fields in STEPS for name in fields):
        stem = _stem(form.fields[name].label)
        if len(stem) > 2 and stem in lowered:
            links.append((f"field-{name}", str(form.fields[name].label)))
    for word, (anchor, label) in SECTION_WORDS.items():
        if re.search(rf"\b{word}", lowered) and anchor not in {a for a, _label in links}:
            links.append((anchor, str(label)))
    return links
