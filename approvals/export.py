"""Decision records as CSV: who decided what, when, on which snapshot."""

from approvals.models import Decision
from experiments.csv_export import csv_text

HEADER = [
    "experiment",
    "title",
    "request",
    "kind",
    "snapshot",
    "approver",
    "approver_name",
    "slot",
    "verdict",
    "comment",
    "decided_at",
]


def decision_rows(decisions=None) -> list[list]:
    decisions = decisions if decisions is not None else Decision.objects.all()
    rows = []
    for d in decisions.select_related("request__experiment", "snapshot", "approver").order_by("created_at", "pk"):
        experiment = d.request.experiment
        rows.append(
            [
                experiment.key,
                experiment.title,
                d.request_id,
                d.request.kind,
                d.snapshot.number,
                d.approver.get_username(),
                d.approver.get_full_name(),
                d.slot,
                d.verdict,
                d.comment,
                d.created_at.isoformat(),
            ]
        )
    return rows


def decisions_csv(decisions=None) -> str:
    return csv_text(HEADER, decision_rows(decisions))
