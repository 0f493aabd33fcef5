"""Decision records as CSV: who decided what, when, on which snapshot."""

from django.utils.translation import pgettext_lazy

from approvals.models import Decision
from experiments.csv_export import csv_text

# In the requester's language (experiments.csv_export); the rows keep the stored values.
HEADER = [
    pgettext_lazy("CSV column", "experiment"),
    pgettext_lazy("CSV column", "title"),
    pgettext_lazy("CSV column", "request"),
    pgettext_lazy("CSV column", "kind"),
    pgettext_lazy("CSV column", "snapshot"),
    pgettext_lazy("CSV column", "approver"),
    pgettext_lazy("CSV column", "approver_name"),
    pgettext_lazy("CSV column", "slot"),
    pgettext_lazy("CSV column", "verdict"),
    pgettext_lazy("CSV column", "comment"),
    pgettext_lazy("CSV column", "decided_at"),
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
