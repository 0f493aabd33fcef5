"""Verdicts follow the record: the daily checks' record decides which outcomes a person may give.

One rule (`allowed_outcomes`), used by the lifecycle guard on "conclude" (every entry point), by
the promotion queue (`record_allows_won`, so old data cannot slip through) and by the pages
(`verdict_summary`, shown by templates/experiments/_verdict.html wherever a result is shown).
Only the Check rows' columns are read (action, outcome), never their sentences.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from experiments import lifecycle
from experiments.models import Check, Experiment, ExperimentEvent, Outcome, Override

# A check that stops an experiment says why in its outcome: "lost" (a metric got clearly worse)
# or "invalid" (sample ratio mismatch / data that cannot be trusted). See stats.decision.evaluate_look.
STOPPING_OUTCOMES = frozenset({Outcome.LOST, Outcome.INVALID})
# What a person may conclude after such a stop, without an override.
ALLOWED_AFTER_STOP = frozenset({Outcome.LOST, Outcome.INVALID})

# The lifecycle events that open and close a running stretch (a restart opens a new one).
RUN_OPENS = frozenset({"start", "restart"})
RUN_CLOSES = frozenset({"stop", "complete"})


def stop_reason_text(check: Check) -> str:
    return _("harm") if check.outcome == Outcome.LOST else _("invalid data")


# Read already by the caller (the experiment page reads the record once for its panels).
_UNREAD = object()


# --- the record -----------------------------------------------------------------------------------


def deciding_check(experiment: Experiment) -> Check | None:
    """The latest check that took a look (errors decide nothing); a restart's later checks supersede a stop."""
    return (
        Check.objects.filter(experiment=experiment)
        .exclude(action=Check.Action.ERROR)
        .defer("result", "units")
        .order_by("-look_date", "-pk")
        .first()
    )


def binding_stop(experiment: Experiment) -> Check | None:
    """The check that stopped it for harm or invalid data, when that is still the checks' last word."""
    check = deciding_check(experiment)
    if check is not None and check.action == Check.Action.STOP and check.outcome in STOPPING_OUTCOMES:
        return check
    return None


def agreed_override(check: Check, outcome: str) -> Override | None:
    return Override.objects.filter(disputed_check=check, outcome=outcome, status=Override.Status.AGREED).first()


def allowed_outcomes(experiment: Experiment, *, stop=_UNREAD) -> list[str]:
    """The outcomes a person may conclude now: all of them, unless a check stopped it for harm or
    invalid data, then lost or invalid, plus whatever a standards keeper agreed to override to.
    `stop`: its `binding_stop`, when read already."""
    stop = binding_stop(experiment) if stop is _UNREAD else stop
    if stop is None:
        return list(Outcome.values)
    agreed = set(
        Override.objects.filter(disputed_check=stop, status=Override.Status.AGREED).values_list("outcome", flat=True)
    )
    return [value for value in Outcome.values if value in ALLOWED_AFTER_STOP or value in agreed]


def outcome_choices(experiment: Experiment, *, stop=_UNREAD) -> list[tuple[str, str]]:
    """The conclude form's choices: the allowed outcomes only."""
    allowed = set(allowed_outcomes(experiment, stop=stop))
    return [(value, label) for value, label in Outcome.choices if value in allowed]


def guard_conclude(experiment: Experiment, actor, outcome: str) -> None:
    """Lifecycle guard of "conclude": refuse an outcome the checks' record does not allow."""
    stop = binding_stop(experiment)
    if stop is None or outcome in ALLOWED_AFTER_STOP or agreed_override(stop, outcome) is not None:
        return
    message = _(
        "The check of %(day)s stopped this experiment for %(why)s: it may be concluded only as lost or invalid. "
        "To conclude it as %(outcome)s, file an override that a standards keeper agrees to."
    ) % {"day": date_format(stop.look_date, "j M Y"), "why": stop_reason_text(stop), "outcome": outcome}
    raise lifecycle.IllegalMove(message, [{"field": "outcome", "message": message}])


def record_allows_won(experiments):
    """`experiments` (a queryset) without those whose checks' record forbids a won verdict: the
    last check stopped them for harm or invalid data and no override to won was agreed."""
    last_check = (
        Check.objects.filter(experiment=OuterRef(OuterRef("pk")))
        .exclude(action=Check.Action.ERROR)
        .order_by("-look_date", "-pk")
        .values("pk")[:1]
    )
    agreed_won = Override.objects.filter(
        disputed_check=OuterRef("pk"), outcome=Outcome.WON, status=Override.Status.AGREED
    )
    binding = Check.objects.filter(
        pk=Subquery(last_check), action=Check.Action.STOP, outcome__in=STOPPING_OUTCOMES
    ).filter(~Exists(agreed_won))
    return experiments.filter(~Exists(binding))


# --- runtime --------------------------------------------------------------------------------------


def runtime(experiment: Experiment, *, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long it really ran: from each start (or restart) event to the stop or complete event that
    ended it, added up; a stretch still running counts until `now`. None if it never started."""
    events = ExperimentEvent.objects.filter(experiment=experiment, action__in=RUN_OPENS | RUN_CLOSES).order_by(
        "created_at", "pk"
    )
    total, opened, started = dt.timedelta(), None, False
    for event in events.values("action", "created_at"):
        if event["action"] in RUN_OPENS and opened is None:
            opened, started = event["created_at"], True
        elif event["action"] in RUN_CLOSES and opened is not None:
            total += event["created_at"] - opened
            opened = None
    if opened is not None:
        total += (now or timezone.now()) - opened
    return total if started else None


def runtime_days(experiment: Experiment, *, now: dt.datetime | None = None) -> int | None:
    """The real runtime in whole days (rounded), or None if it never started."""
    ran = runtime(experiment, now=now)
    return None if ran is None else max(round(ran.total_seconds() / 86400), 0)


# --- what the pages show --------------------------------------------------------------------------


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _day(moment: dt.datetime | None) -> str:
    return date_format(timezone.localtime(moment), "j M Y") if moment else ""


def override_summary(override: Override | None) -> dict | None:
    if override is None:
        return None
    return {
        "outcome": override.outcome,
        "outcome_label": override.get_outcome_display().lower(),
        "reason": override.reason,
        "status": override.status,
        "requested_by": _person(override.requested_by),
        "requested_on": _day(override.requested_at),
        "answered_by": _person(override.answered_by),
        "answered_on": _day(override.answered_at),
        "answer_reason": override.answer_reason,
    }


def latest_override(experiment: Experiment, check: Check | None = None) -> Override | None:
    overrides = Override.objects.filter(experiment=experiment).select_related("requested_by", "answered_by")
    if check is not None:
        overrides = overrides.filter(disputed_check=check)
    return overrides.order_by("-requested_at", "-pk").first()


def verdict_summary(experiment: Experiment, *, now: dt.datetime | None = None, stop=_UNREAD, ran=_UNREAD) -> dict:
    """JSON-able (it is kept in evidence snapshots): the outcome given, the check that binds it, the
    override on that check, whether the outcome follows the record, and the real runtime. `stop`
    (its `binding_stop`) and `ran` (its `runtime_days`): when read already."""
    stop = binding_stop(experiment) if stop is _UNREAD else stop
    override = latest_override(experiment, stop) if stop is not None else None
    outcome = experiment.outcome or ""
    follows = not (stop and outcome) or outcome in ALLOWED_AFTER_STOP or agreed_override(stop, outcome) is not None
    return {
        "outcome": outcome,
        "outcome_label": experiment.get_outcome_display().lower() if outcome else "",
        "stopped_by_check": None
        if stop is None
        else {
            "look_date": stop.look_date.isoformat(),
            "day": date_format(stop.look_date, "j M Y"),
            "outcome": stop.outcome,
            "why": stop_reason_text(stop),
        },
        "override": override_summary(override),
        "follows_record": follows,
        "runtime_days": runtime_days(experiment, now=now) if ran is _UNREAD else ran,
    }
