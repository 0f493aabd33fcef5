"""Demo users and experiments in different states, created through the real lifecycle."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts import preferences
from experiments import lessons
from experiments.demo_users import DEMO_PASSWORD, DEMO_USERS
from experiments.lifecycle import record_creation, transition
from experiments.live.demo_history import as_of, local_moment, play
from experiments.rollouts import roll_out
from experiments.models import Experiment, ExperimentMetric, Metric, Segment, SensitiveCategory, Touchpoint, Variant

# The demo's Indonesian colleagues (operations and the signal owner on the contact-centre floor in
# Jakarta) read Pagar in Bahasa Indonesia on Jakarta time; everyone else follows their browser.
DEMO_INDONESIAN_USERS = ("omar", "sam")

# key, title, owner, touchpoints, segments, sensitive, (change, audience, effect, because),
# success (metric, mde, baseline), guardrails [(metric, margin, baseline)], path of actions
DEMO_EXPERIMENTS = [
    (
        "chat-greeting-short",
        "Shorter chat greeting",
        "priya",
        ["chat"],
        ["new-customers"],
        [],
        (
            "shorten the chat bot's greeting to one sentence",
            "new customers opening chat",
            "first-contact resolution rises by 2 points",
            "agents reach the real question sooner",
        ),
        ("fcr", 2, 68),
        [("complaint-rate", 0.5, 3.1), ("escalation-rate", 1, 9)],
        [],
    ),
    (
        "phone-callback-offer",
        "Offer a callback instead of queueing",
        "priya",
        ["phone"],
        [],
        [],
        (
            "offer a callback slot when the wait passes five minutes",
            "all callers to the service line",
            "customer effort score falls by 0.2 points",
            "waiting on hold is the top complaint in verbatims",
        ),
        ("ces", 0.2, (3.4, 1.6)),
        [("complaint-rate", 0.5, 2.4), ("escalation-rate", 1, 11)],
        [("submit", "priya")],
    ),
    (
        "delivery-eta-sms",
        "Send a one-hour delivery window by SMS",
        "omar",
        ["sms"],
        ["loyal-customers"],
        ["personal-data"],
        (
            "send an SMS with a one-hour delivery window on the morning of delivery",
            "loyal customers with home delivery",
            "repeat contacts about delivery fall by 1 point",
            "most delivery calls ask when the parcel arrives",
        ),
        ("repeat-contact-rate", 1, 7.5),
        [("complaint-rate", 0.4, 1.8)],
        [("submit", "omar"), ("approve", "alex"), ("approve", "kim"), ("start", "sam")],
    ),
    (
        "plain-language-invoice",
        "Plain-language first invoice",
        "priya",
        ["billing"],
        ["new-customers"],
        [],
        (
            "rewrite the first invoice in plain language with a one-line summary",
            "new customers receiving their first bill",
            "billing contacts fall and CSAT rises by 0.1",
            "the first bill drives a third of billing calls",
        ),
        ("csat", 0.1, (4.1, 0.9)),
        [("complaint-rate", 0.32, 1.2), ("refund-rate", 0.5, 2.5)],  # margins the approved plan can meet in 35 days
        [("submit", "priya"), ("approve", "alex")],
    ),
    (
        "returns-label-in-app",
        "Return label generated in the app",
        "omar",
        ["app"],
        [],
        [],
        (
            "generate the return label in the app instead of by email",
            "app users starting a return",
            "conversion of started returns rises by 3 points",
            "customers drop off when switching to email",
        ),
        ("conversion", 3, 61),
        [("complaint-rate", 0.5, 1.5)],
        [("submit", "omar"), ("approve", "alex"), ("start", "sam")],
    ),  # the checks conclude it as won (LIVE_HISTORY)
    (
        "ai-chat-summary",
        "AI summary of the chat for the agent",
        "priya",
        ["chat"],
        [],
        ["uses-ai", "personal-data"],
        (
            "show agents an AI-written summary of the bot conversation",
            "customers handed from the bot to an agent",
            "resolution time falls by 10%",
            "agents re-ask what the bot already knows",
        ),
        ("resolution-time", 10, (26, 19)),
        [
            ("complaint-rate", 0.5, 3.1),
            ("escalation-rate", 1, 9),
            ("csat", 0.1, (4.0, 1.0)),
            ("handoff-to-human-rate", 2, 92),
        ],
        [("submit", "priya"), ("request_changes", "alex")],
    ),
    (
        "ivr-shortcut",
        "IVR shortcut to billing",
        "omar",
        ["phone"],
        ["business"],
        [],
        (
            "add a 'press 1 for billing' shortcut before the main menu",
            "business customers calling the service line",
            "first response time falls by 1 minute",
            "billing is the most chosen option",
        ),
        ("first-response-time", 1, (6.5, 4.2)),
        [("complaint-rate", 0.5, 2.4), ("escalation-rate", 1, 11)],
        [("submit", "omar"), ("approve", "alex"), ("start", "sam")],
    ),  # the checks stop it (LIVE_HISTORY)
    (
        "store-queue-ticket",
        "Digital queue ticket in stores",
        "omar",
        ["store"],
        [],
        [],
        (
            "let store visitors take a queue ticket by QR code",
            "store visitors",
            "NPS rises by 3 points",
            "visitors dislike standing in line",
        ),
        ("nps", 3, (18, 75)),
        [("complaint-rate", 0.5, 0.9)],
        [("submit", "omar"), ("reject", "alex")],
    ),
]

# What experiments using AI must state (experiments.contract's AI guardrails).
AI_SAFEGUARDS = {
    "ai-chat-summary": {
        "ai_disclosure": "Agents see “Summary written by AI: check it against the conversation.” Customers are "
        "told at the start of the chat that an assistant answers first.",
        "human_fallback": "The chat team lead on duty; agents can switch the summary off per conversation.",
        "bias_note": "Summaries of conversations in a second language or with typing errors may be worse; "
        "we compare resolution time for those conversations separately.",
    }
}


# Started this many days ago, their past days replayed through ingestion and the daily checks:
# metric -> {arm: true rate in % or (mean, sd)}. The SMS window helps a little and keeps running;
# the in-app return label clearly wins and is concluded once its minimum runtime has passed; the
# IVR shortcut sends more callers to a supervisor, and the checks stop it within days.
LIVE_DAYS = 20
LIVE_HISTORY = {
    "delivery-eta-sms": {
        "repeat-contact-rate": {"control": 7.5, "treatment": 7.2},
        "complaint-rate": {"control": 1.8, "treatment": 1.8},
    },
    "returns-label-in-app": {
        "conversion": {"control": 61.0, "treatment": 66.0},
        "complaint-rate": {"control": 1.5, "treatment": 1.5},
    },
    "ivr-shortcut": {
        "first-response-time": {"control": (6.5, 4.2), "treatment": (5.9, 4.2)},
        "complaint-rate": {"control": 2.4, "treatment": 2.5},
        "escalation-rate": {"control": 11.0, "treatment": 14.0},
    },
}

# Won and shipped: its owner rolls the winning arm out, so the page says what customers now get and
# the assignment API answers the treatment with reason `rolled_out`.
ROLLED_OUT = {
    "returns-label-in-app": (
        "Started returns convert about 5 points better with the in-app label: serve it to every app user."
    ),
}

# What the owners wrote after the checks ended their experiments (experiments.lessons).
LESSONS = {
    "ivr-shortcut": {
        "learned": "A shortcut before the menu sends callers with other questions to billing, and they escalate.",
        "differently": "Offer the shortcut after caller identification, and watch escalations from day one.",
    },
    "returns-label-in-app": {
        "learned": "Customers finish a return when they never leave the app; the email step lost them.",
        "differently": "",
    },
}

REASONS = {
    "request_changes": "Add CSAT as a guardrail and say how agents can report a wrong summary.",
    "stop": (
        "Complaint rate 0.8 points higher: worse (95% interval +0.3 to +1.3 points), beyond the agreed 0.5 point "
        "margin."
    ),
    "reject": "Stores are being refitted this quarter; propose again in the spring.",
}


def ensure_demo_users():
    User = get_user_model()
    users = {}
    for username, full_name, role_list, superuser in DEMO_USERS:
        first, _, last = full_name.partition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@pagar.example",
                "is_superuser": superuser,
                "is_staff": superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(*[Group.objects.get_or_create(name=r)[0] for r in role_list])
        if created and username in DEMO_INDONESIAN_USERS:
            preferences.save(user, language="id", time_zone="Asia/Jakarta")
        users[username] = user
    return users


def _metric_row(experiment, key, role, effect, baseline):
    metric = Metric.objects.get(key=key)
    row = ExperimentMetric(experiment=experiment, metric=metric, role=role)
    if role == "success":
        row.minimum_detectable_effect = effect
    else:
        row.non_inferiority_margin = effect
    if metric.kind == "binary":
        row.baseline_rate = baseline
    else:
        row.baseline_mean, row.baseline_sd = baseline
    if key == "resolution-time":
        row.effect_unit = "relative"
    row.full_clean()
    row.save()


@transaction.atomic
def create_demo_experiments(users) -> int:
    created = 0
    for number, entry in enumerate(DEMO_EXPERIMENTS):
        key = entry[0]
        if Experiment.objects.filter(key=key).exists():
            continue
        if key in LIVE_HISTORY:
            started = timezone.localdate() - dt.timedelta(days=LIVE_DAYS)
            with as_of(local_moment(started, 8)):
                exp = _create(entry, users, start=started)
            play(exp, users["sam"], LIVE_HISTORY[key], LIVE_DAYS, seed=number)
            if key in LESSONS:
                lessons.update(Experiment.objects.get(pk=exp.pk), users[entry[2]], **LESSONS[key])
            if key in ROLLED_OUT:
                exp.refresh_from_db()
                roll_out(exp, exp.owner, reason=ROLLED_OUT[key])
        else:
            _create(entry, users, start=timezone.localdate() + dt.timedelta(days=1))
        created += 1
    return created


def _create(entry, users, start):
    """One demo experiment from its proposal, moved along its path by the people named."""
    (key, title, owner, tps, segs, sens, hyp, success, guardrails, path) = entry
    today = timezone.localdate()
    exp = Experiment.objects.create(
        key=key,
        title=title,
        owner=users[owner],
        team="Customer experience",
        hypothesis_change=hyp[0],
        hypothesis_audience=hyp[1],
        hypothesis_effect=hyp[2],
        hypothesis_rationale=hyp[3],
        exposure_cap_pct=20,
        planned_start=start,
        planned_end=start + dt.timedelta(days=34),
        min_runtime_days=14,
        approver=users["alex"],
        expected_daily_traffic=8000,
        **AI_SAFEGUARDS.get(key, {}),
    )
    exp.touchpoints.set(Touchpoint.objects.filter(key__in=tps))
    exp.segments.set(Segment.objects.filter(key__in=segs))
    exp.sensitive_categories.set(SensitiveCategory.objects.filter(key__in=sens))
    Variant.objects.create(experiment=exp, key="control", name="Today's experience", is_control=True, weight=50)
    Variant.objects.create(experiment=exp, key="treatment", name="The change", description=title, weight=50)
    _metric_row(exp, success[0], "success", success[1], success[2])
    for metric_key, margin, baseline in guardrails:
        _metric_row(exp, metric_key, "guardrail", margin, baseline)
    record_creation(exp, users[owner])
    for action, actor in path:
        # Approvers' moves are recorded votes (the lifecycle hands them to the approvals app).
        outcome = "won" if action == "conclude" else ""
        transition(exp, action, users[actor], reason=REASONS.get(action, ""), outcome=outcome)
        exp.refresh_from_db()
    if key not in LIVE_HISTORY and exp.status not in (
        "draft",
        "pending_approval",
        "changes_requested",
        "approved",
        "rejected",
    ):
        # Started and ended by hand: it ran a while; shift its dates into the past.
        Experiment.objects.filter(pk=exp.pk).update(
            planned_start=today - dt.timedelta(days=40), planned_end=today - dt.timedelta(days=6)
        )
    return exp
