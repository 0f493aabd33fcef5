"""The draft experiment a slot decision makes from an idea: a clean key from the title and a
hypothesis that reads as one sentence ("If we <change> for <audience>, then <effect>, because
<rationale>.") built from the idea's fields through translatable templates."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from cadence.ideas.models import Idea
from experiments.drafting import free_key
from experiments.lifecycle import record_creation
from experiments.models import Experiment, Variant

# A fresh draft's plan until its owner fills it in: starts in two weeks, runs four, small exposure.
DRAFT_START_IN_DAYS = 14
DRAFT_RUN_DAYS = 28
DRAFT_EXPOSURE_PCT = 10


def clause(text: str) -> str:
    """`text` made to continue a sentence: no closing full stop, and a first capital lowered unless
    the first word is an acronym or a name in capitals ("SMS", "NPS")."""
    text = " ".join(text.split()).rstrip(".")
    first_word = text.split(" ", 1)[0] if text else ""
    if first_word[:1].isupper() and not first_word[1:2].isupper():
        return text[0].lower() + text[1:]
    return text


def hypothesis_fields(idea: Idea) -> dict[str, str]:
    """The four parts of the draft's hypothesis. The idea's rough hypothesis is free text (often the
    problem, not the change), so it goes into the rationale, quoted; the change names the idea."""
    touchpoint = idea.touchpoint.name
    audience = idea.segment.name if idea.segment else _("all customers at %(touchpoint)s") % {"touchpoint": touchpoint}
    return {
        "hypothesis_change": _("try “%(title)s” (idea #%(number)s)") % {"title": idea.title, "number": idea.pk},
        "hypothesis_audience": audience[:200],
        "hypothesis_effect": clause(idea.expected_effect)[:300],
        "hypothesis_rationale": _("it eases %(pain_point)s at %(touchpoint)s, as the idea puts it: “%(hypothesis)s”")
        % {
            "pain_point": idea.get_pain_point_display().lower(),
            "touchpoint": touchpoint,
            "hypothesis": " ".join(idea.hypothesis.split()).rstrip("."),
        },
    }


def draft_from_idea(idea: Idea, owner, actor) -> Experiment:
    """A draft experiment pre-filled from the idea, with a control and a treatment arm."""
    start = timezone.localdate() + dt.timedelta(days=DRAFT_START_IN_DAYS)
    experiment = Experiment.objects.create(
        key=free_key(idea.title, fallback="idea"),
        title=idea.title[:200],
        owner=owner,
        exposure_cap_pct=DRAFT_EXPOSURE_PCT,
        planned_start=start,
        planned_end=start + dt.timedelta(days=DRAFT_RUN_DAYS - 1),
        **hypothesis_fields(idea),
    )
    experiment.touchpoints.set([idea.touchpoint])
    if idea.segment:
        experiment.segments.set([idea.segment])
    Variant.objects.create(
        experiment=experiment, key="control", name=_("Today's experience"), is_control=True, weight=50
    )
    Variant.objects.create(
        experiment=experiment, key="treatment", name=_("The change"), description=idea.hypothesis[:500], weight=50
    )
    record_creation(experiment, actor)
    return experiment
