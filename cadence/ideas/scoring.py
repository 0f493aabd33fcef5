"""Scoring ideas: each rater fills in the current scoring model's criteria (1-10); a rating's
score is the weighted average of its values; an idea's score is the average over its raters."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from cadence.ideas.models import SCORE_MAX, SCORE_MIN, Idea, IdeaRating, ScoringModel


def weighted_score(model: ScoringModel, values: dict) -> float:
    """Validate one rater's values against the model; their weighted average (1-10)."""
    criteria = list(model.criteria.all())
    if not criteria:
        raise ValidationError(
            {
                "values": _("The scoring model “%(model)s” has no criteria; add them in the admin.")
                % {"model": model.name}
            }
        )
    errors = {}
    clean = {}
    for criterion in criteria:
        raw = values.get(criterion.key)
        if raw in (None, ""):
            errors[criterion.key] = _("%(criterion)s: give a score from %(low)d to %(high)d.") % {
                "criterion": criterion.label,
                "low": SCORE_MIN,
                "high": SCORE_MAX,
            }
            continue
        try:
            if isinstance(raw, bool):
                raise ValueError
            number = int(str(raw).strip())
        except ValueError:
            errors[criterion.key] = _("%(criterion)s: “%(value)s” is not a whole number from %(low)d to %(high)d.") % {
                "criterion": criterion.label,
                "value": raw,
                "low": SCORE_MIN,
                "high": SCORE_MAX,
            }
            continue
        if not SCORE_MIN <= number <= SCORE_MAX:
            errors[criterion.key] = _("%(criterion)s: %(value)d is outside %(low)d to %(high)d.") % {
                "criterion": criterion.label,
                "value": number,
                "low": SCORE_MIN,
                "high": SCORE_MAX,
            }
            continue
        clean[criterion.key] = number
    unknown = sorted(set(values) - {c.key for c in criteria})
    if unknown:
        errors["values"] = _("Not criteria of “%(model)s”: %(keys)s.") % {
            "model": model.name,
            "keys": ", ".join(unknown),
        }
    if errors:
        raise ValidationError(errors)
    values.clear()
    values.update(clean)
    total_weight = sum(c.weight for c in criteria)
    return sum(c.weight * clean[c.key] for c in criteria) / total_weight


@transaction.atomic
def rate(idea: Idea, rater, values: dict, model: ScoringModel | None = None) -> IdeaRating:
    """Record or replace the rater's rating of the idea, then refresh the idea's score."""
    model = model or ScoringModel.current()
    if model is None:
        raise ValidationError({"values": _("No scoring model is set up; an administrator adds one in the admin.")})
    values = dict(values)
    score = weighted_score(model, values)
    rating, _created = IdeaRating.objects.update_or_create(
        idea=idea, rater=rater, defaults={"model": model, "values": values, "score": score}
    )
    refresh_score(idea)
    return rating


def refresh_score(idea: Idea) -> None:
    summary = IdeaRating.objects.filter(idea=idea).aggregate(score=Avg("score"), n=Count("pk"))
    idea.score = summary["score"]
    idea.rating_count = summary["n"]
    idea.save(update_fields=["score", "rating_count"])


def criterion_averages(idea: Idea, model: ScoringModel | None) -> list[dict]:
    """Per criterion of the model: its name, weight and the raters' average (ratings under that model)."""
    if model is None:
        return []
    rows = list(IdeaRating.objects.filter(idea=idea, model=model).values_list("values", flat=True))
    out = []
    for criterion in model.criteria.all():
        given = [r[criterion.key] for r in rows if criterion.key in r]
        out.append({"criterion": criterion, "average": sum(given) / len(given) if given else None})
    return out
