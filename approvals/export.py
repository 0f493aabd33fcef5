"""Decision records as CSV: who decided what, when, on which snapshot."""
import csv
import io

from approvals.models import Decision

HEADER = ["experiment", "title", "request", "kind", "snapshot", "approver", "approver_name", "slot", "verdict", "comment", "decided_at"]


def _cell(value) -> str:
    """Text a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def decision_rows(decisions=None) -> list[list[str]]:
    decisions = decisions if decisions is not None else Decision.objects.all()
    rows = []
    for d in decisions.select_related("request__experiment", "snapshot", "approver").order_by("created_at", "pk"):
        experiment = d.request.experiment
        rows.append([_cell(v) for v in (
            experiment.key, experiment.title, d.request_id, d.request.kind, d.snapshot.number,
            d.approver.get_username(), d.approver.get_full_name(), d.slot, d.verdict, d.comment,
            d.created_at.isoformat(),
        )])
    return rows


def decisions_csv(decisions=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(decision_rows(decisions))
    return out.getvalue()
