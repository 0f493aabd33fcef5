"""The minutes of a meeting: a printable page, a CSV of items, votes and decisions, and Markdown."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from cadence.reviews import access
from cadence.reviews.decisions import tally
from experiments.csv_export import csv_text

# In the reader's language (experiments.csv_export), like every export's header row.
CSV_HEADER = [
    pgettext_lazy("CSV column", "item"),
    pgettext_lazy("CSV column", "kind"),
    pgettext_lazy("CSV column", "subject"),
    pgettext_lazy("CSV column", "reasons"),
    pgettext_lazy("CSV column", "row"),
    pgettext_lazy("CSV column", "who"),
    pgettext_lazy("CSV column", "choice_or_decision"),
    pgettext_lazy("CSV column", "comment_or_note"),
    pgettext_lazy("CSV column", "tally"),
    pgettext_lazy("CSV column", "result"),
    pgettext_lazy("CSV column", "at"),
]


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _items(meeting):
    return meeting.items.select_related(
        "experiment", "standard", "decision__decided_by", "decision__standard", "decision__rerun"
    ).prefetch_related("votes__voter")


def _result(decision) -> str:
    if decision is None:
        return ""
    if decision.standard_id:
        return _("standard %(code)s") % {"code": decision.standard.code}
    if decision.rerun_id:
        return _("draft %(key)s") % {"key": decision.rerun.key}
    return ""


def minutes_rows(meeting) -> list[list[str]]:
    rows = []
    for number, item in enumerate(_items(meeting), start=1):
        base = [str(number), item.kind, item.subject_label, " ".join(item.reasons)]
        for vote in item.votes.all():
            rows.append(
                base + ["vote", _name(vote.voter), vote.choice, vote.comment, "", "", vote.created_at.isoformat()]
            )
        decision = item.decided
        if decision is None:
            rows.append(base + ["decision", "", "undecided", "", _tally_text(tally(item)), "", ""])
        else:
            rows.append(
                base
                + [
                    "decision",
                    _name(decision.decided_by),
                    decision.kind,
                    decision.note,
                    _tally_text(decision.tally),
                    _result(decision),
                    decision.created_at.isoformat(),
                ]
            )
    return rows


def _tally_text(counts: dict) -> str:
    return _("%(votes_for)d for, %(against)d against, %(abstain)d abstain") % {
        "votes_for": counts.get("for", 0),
        "against": counts.get("against", 0),
        "abstain": counts.get("abstain", 0),
    }


def minutes_markdown(meeting) -> str:
    local = timezone.localtime(meeting.starts_at)
    lines = [
        "# "
        + _("Minutes: %(name)s, %(when)s")
        % {"name": meeting.series.name, "when": formats.date_format(local, "DATETIME_FORMAT")},
        "",
        _("Chair: %(name)s") % {"name": _name(meeting.series.chair)} + "  ",
        _("Board: %(names)s") % {"names": ", ".join(_name(u) for u in meeting.series.members.all())},
        "",
    ]
    summary = meeting.summary or {}
    if summary:
        median_days = summary.get("median_days_to_decision")
        lines += [
            "## " + _("Programme since the last review"),
            "",
            _(
                "Run %(run)d, won %(won)d, lost %(lost)d, stopped %(stopped)d; "
                "median days from submit to decision: %(median)s."
            )
            % {
                "run": summary.get("run", 0),
                "won": summary.get("won", 0),
                "lost": summary.get("lost", 0),
                "stopped": summary.get("stopped", 0),
                "median": median_days if median_days is not None else _("n/a"),
            },
            "",
        ]
    lines += _learned_markdown(summary.get("learned", []))
    lines += ["## " + _("Decisions"), ""]
    for number, item in enumerate(_items(meeting), start=1):
        decision = item.decided
        verdict = decision.get_kind_display() if decision else _("Not decided")
        lines.append(f"### {number}. {item.subject_label}")
        lines.append(
            f"**{verdict}**"
            + (f" ({_result(decision)})" if _result(decision) else "")
            + " — "
            + _("votes: %(tally)s") % {"tally": _tally_text(decision.tally if decision else tally(item))}
        )
        if decision and decision.note:
            lines.append(_("Note: %(note)s") % {"note": decision.note})
        for vote in item.votes.all():
            lines.append(f"- {_name(vote.voter)}: {vote.choice}" + (f" — {vote.comment}" if vote.comment else ""))
        lines.append("")
    if not meeting.items.exists():
        lines.append(_("Nothing was on the agenda."))
    return "\n".join(lines) + "\n"


def _learned_markdown(rows: list[dict]) -> list[str]:
    lines = ["## " + _("What we learned"), ""]
    for row in rows:
        missing = " — " + _("lesson missing") if row["missing"] else ""
        lines.append(f"- {row['key']}: {row['title']} ({row['ending']}){missing}")
        if row["learned"]:
            lines.append("  - " + _("What we learned:") + f" {row['learned']}")
        if row["differently"]:
            lines.append("  - " + _("What we would do differently:") + f" {row['differently']}")
    if not rows:
        lines.append(_("No experiment was lost or stopped since the last review."))
    return [*lines, ""]


def _filename(meeting, ext: str) -> str:
    return f"review-minutes-{timezone.localtime(meeting.starts_at):%Y-%m-%d}.{ext}"


@login_required
def minutes_page(request, pk):
    meeting = access.get_meeting_for(request.user, pk)
    return render(
        request,
        "reviews/minutes.html",
        {"meeting": meeting, "items": _items(meeting), "members": meeting.series.members.all()},
    )


@login_required
def minutes_csv(request, pk):
    meeting = access.get_meeting_for(request.user, pk)
    response = HttpResponse(csv_text(CSV_HEADER, minutes_rows(meeting)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(meeting, "csv")}"'
    return response


@login_required
def minutes_md(request, pk):
    meeting = access.get_meeting_for(request.user, pk)
    response = HttpResponse(minutes_markdown(meeting), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(meeting, "md")}"'
    return response
