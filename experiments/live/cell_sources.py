"""One source per cell: an experiment's arm, metric and day take per-unit outcomes or daily
figures, never both (they would count the day twice).

A metric's plan may declare its source (ExperimentMetric.data_source); then the other kind is
refused for every cell. Left blank, each cell takes whichever kind arrives first: the batch that
writes to it claims it (a CellSource row) inside its own transaction, and the unique constraint
decides between two batches at the same moment. On PostgreSQL the second insert waits for the
first transaction: when that commits, the claim is there and the other kind is refused; when it
rolls back, the second batch claims the cell. The API and the upload page both come through
ingestion.ingest_parsed, so the rule is the same for both.
"""

from django.db import transaction

from experiments.models import CellSource, DataSource, IngestBatch

KIND_TEXT = {IngestBatch.Kind.OUTCOMES: "per-unit outcomes", IngestBatch.Kind.DAILY: "daily figures"}
KIND_OF_SOURCE = {DataSource.UNITS: IngestBatch.Kind.OUTCOMES, DataSource.DAILY: IngestBatch.Kind.DAILY}
INSERT_BATCH = 2000


def declared_refusal(kind: str, experiment_key: str, metric_key: str, declared: str) -> str | None:
    """The refusal when the plan declares the metric's other source, else None."""
    wanted = KIND_OF_SOURCE.get(declared)
    if wanted in (None, kind):
        return None
    return (
        f"Metric {metric_key} of experiment {experiment_key} takes {KIND_TEXT[wanted]}; {KIND_TEXT[kind]} were refused."
    )


def cell_refusal(kind: str, held: str, experiment_key: str, arm_key: str, metric_key: str, day) -> str:
    return (
        f"Metric {metric_key} of experiment {experiment_key} takes {KIND_TEXT[held]} for arm {arm_key} on "
        f"{day:%d %b %Y} (they came first); {KIND_TEXT[kind]} were refused: one kind of data per experiment, arm, "
        "metric and day."
    )


class _HeldByTheOtherKind(Exception):
    def __init__(self, cells: dict):
        super().__init__(f"{len(cells)} cells take the other kind of data")
        self.cells = cells


def claim(kind: str, cells) -> dict:
    """Claim `cells` ((experiment_id, variant_id, metric_id, day) tuples) for `kind` inside the
    caller's transaction. Returns {} when every cell is this kind's, else {cell: the other kind}
    for the cells held by the other kind, and no claim of this call is kept (a savepoint)."""
    cells = sorted(set(cells))  # one insert order for every batch: racing batches wait, not deadlock
    if not cells:
        return {}
    try:
        with transaction.atomic():
            CellSource.objects.bulk_create(
                [CellSource(experiment_id=e, variant_id=v, metric_id=m, day=d, kind=kind) for e, v, m, d in cells],
                batch_size=INSERT_BATCH,
                ignore_conflicts=True,
            )
            other = {cell: held for cell, held in held_kinds(cells).items() if held != kind}
            if other:
                raise _HeldByTheOtherKind(other)
    except _HeldByTheOtherKind as refused:
        return refused.cells
    return {}


def held_kinds(cells) -> dict:
    """{cell: kind} for the cells already claimed (committed, or claimed in this transaction)."""
    wanted = set(cells)
    if not wanted:
        return {}
    days = sorted(cell[3] for cell in wanted)
    rows = CellSource.objects.filter(
        experiment_id__in={cell[0] for cell in wanted}, day__gte=days[0], day__lte=days[-1]
    ).values_list("experiment_id", "variant_id", "metric_id", "day", "kind")
    return {row[:4]: row[4] for row in rows if row[:4] in wanted}
