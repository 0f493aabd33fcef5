"""The standards keeper's review of an AI experiment's bias and fairness note: their approval of the
version that carries the note is the record (approvals.Decision on its snapshot); no second form."""

from approvals.models import Decision
from experiments import roles

KEEPER_SLOT_PREFIX = f"role:{roles.STANDARDS_KEEPER}:"


def _note(experiment) -> str:
    return (experiment.bias_note or "").strip()


def bias_note_reviews(experiments) -> dict[int, Decision | None]:
    """Experiment pk -> the latest keeper's approval of a contract carrying its current note (None
    when there is none, or no note), for any number of experiments in one query."""
    experiments = list(experiments)
    found: dict[int, Decision | None] = {experiment.pk: None for experiment in experiments}
    notes = {experiment.pk: _note(experiment) for experiment in experiments if _note(experiment)}
    if not notes:
        return found
    approvals = Decision.objects.filter(
        request__experiment__in=list(notes), verdict=Decision.Verdict.APPROVE, slot__startswith=KEEPER_SLOT_PREFIX
    ).select_related("approver", "snapshot", "request")
    for decision in approvals.order_by("-created_at", "-pk"):
        experiment_id = decision.request.experiment_id
        carries_note = (decision.snapshot.data.get("bias_note") or "").strip() == notes[experiment_id]
        if found[experiment_id] is None and carries_note:
            found[experiment_id] = decision
    return found


def bias_note_review(experiment) -> Decision | None:
    """The latest keeper's approval of a contract carrying the experiment's current note."""
    return bias_note_reviews([experiment])[experiment.pk]


def proposal_sections_of_many(experiments) -> dict[int, list[dict]]:
    experiments = list(experiments)
    reviews = bias_note_reviews(experiments)
    return {
        e.pk: [{"template": "approvals/_bias_review.html", "review": reviews[e.pk]}] if _note(e) else []
        for e in experiments
    }


def proposal_sections(experiment) -> list[dict]:
    return proposal_sections_of_many([experiment])[experiment.pk]
