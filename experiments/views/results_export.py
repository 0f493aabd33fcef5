"""The results table to take away: as CSV (the one CSV writer), and as a one-page printable
summary (the decision, the table, the charts) to print or save as PDF for people without a login."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from experiments import access
from experiments.csv_export import csv_text
from experiments.live.presentation import live_page

# In the requester's language (experiments.csv_export); the figures as on the page.
CSV_HEADER = (
    pgettext_lazy("CSV column", "metric"),
    pgettext_lazy("CSV column", "role"),
    pgettext_lazy("CSV column", "arm"),
    pgettext_lazy("CSV column", "decision"),
    pgettext_lazy("CSV column", "control_value"),
    pgettext_lazy("CSV column", "treatment_value"),
    pgettext_lazy("CSV column", "change"),
    pgettext_lazy("CSV column", "unit"),
    pgettext_lazy("CSV column", "meaning"),
    pgettext_lazy("CSV column", "interval_level"),
    pgettext_lazy("CSV column", "interval_low"),
    pgettext_lazy("CSV column", "interval_high"),
    pgettext_lazy("CSV column", "relative_change_pct"),
    pgettext_lazy("CSV column", "what_it_takes"),
    pgettext_lazy("CSV column", "control_units"),
    pgettext_lazy("CSV column", "treatment_units"),
    pgettext_lazy("CSV column", "look_date"),
)


def results_csv_text(experiment) -> str:
    """One line per metric and treatment arm: the results table's figures, the change treatment
    minus control in the metric's own units, as on the page."""
    live = live_page(experiment)
    rows = []
    as_of = live.rows_as_of.look_date.isoformat() if live and live.rows_as_of else ""
    for row in live.rows if live else []:
        metric = row.result
        reading = row.reading
        low, high = reading.interval or (None, None)
        rows.append(
            (
                row.label,
                row.role,
                row.arm,
                row.status_text,
                metric.get("control_value"),
                metric.get("treatment_value"),
                reading.change,
                reading.unit,
                reading.meaning,
                reading.level,
                low,
                high,
                row.relative,
                "; ".join(row.boundaries),
                metric.get("n_control"),
                metric.get("n_treatment"),
                as_of,
            )
        )
    return csv_text(CSV_HEADER, rows)


@login_required
def results_csv(request, key):
    experiment = access.get_experiment_for(request.user, key)
    response = HttpResponse(results_csv_text(experiment), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{experiment.key}-results.csv"'
    return response


@login_required
def results_summary(request, key):
    experiment = access.get_experiment_for(request.user, key)
    live = live_page(experiment)
    if live is None:
        raise Http404(_("This experiment has no results yet."))
    return render(request, "experiments/results_summary.html", {"experiment": experiment, "live": live})
