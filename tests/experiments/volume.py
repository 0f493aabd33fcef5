"""Many experiments fast, for the tests that prove a page's queries do not grow with the rows:
copies of one complete experiment, rows only, in bulk."""

import datetime as dt

from django.utils import timezone

from experiments.models import Check, DailyStat, Experiment, Variant


def copies(template: Experiment, count: int, *, status: str, action: str | None, fresh: bool = False) -> None:
    """`count` more experiments like `template` (rows only, in bulk), each with one check if
    `action`, and with data received an hour ago if `fresh`."""
    fields = [f for f in Experiment._meta.concrete_fields if not f.primary_key]
    copies = []
    for _ in range(count):
        copy = Experiment(**{f.attname: getattr(template, f.attname) for f in fields})
        copy.key, copy.status = f"{template.key}-{len(copies)}-{status}-{action}", status
        copies.append(copy)
    Experiment.objects.bulk_create(copies)
    if action:
        now = timezone.now()
        Check.objects.bulk_create(
            Check(
                experiment=copy,
                look_date=timezone.localdate() - dt.timedelta(days=1),
                look=1,
                action=action,
                outcome="lost" if action == Check.Action.STOP else "",
                sentence="A check.",
                created_at=now - dt.timedelta(days=1),
            )
            for copy in copies
        )
    if fresh:
        metric = template.metrics.first().metric
        variants = Variant.objects.bulk_create(
            Variant(experiment=copy, key="control", name="Control") for copy in copies
        )
        an_hour_ago = timezone.now() - dt.timedelta(hours=1)
        DailyStat.objects.bulk_create(
            DailyStat(
                experiment_id=variant.experiment_id,
                variant=variant,
                metric=metric,
                day=timezone.localdate() - dt.timedelta(days=1),
                last_observed_at=an_hour_ago,
                updated_at=an_hour_ago,
            )
            for variant in variants
        )
