"""The standards keeper's review of an AI experiment's bias and fairness note: their approval of the
version that carries the note is the record (approvals.Decision on its snapshot); no second form."""

from approvals.models import Decision
from experiments import roles

KEEPER_SLOT_PREFIX = f"role:{roles.STANDARDS_KEEPER}:"


def bias_note_review(experiment) -> Decision | None:
    """The latest keeper's approval of a contract carrying the experiment's current note."""
    note = (experiment.bias_note or "").strip()
    if not note:
        return None
    approvals = Decision.objects.filter(
        request__experiment=experiment, verdict=Decision.Verdict.APPROVE, slot__startswith=KEEPER_SLOT_PREFIX
    ).select_related("approver", "snapshot")
    for decision in approvals.order_by("-created_at", "-pk"):
        if (decision.snapshot.data.get("bias_note") or "").strip() == note:
            return decision
    return None


def proposal_sections(experiment) -> list[dict]:
    if not (experiment.bias_note or "").strip():
        return []
    return [{"template": "approvals/_bias_review.html", "review": bias_note_review(experiment)}]
