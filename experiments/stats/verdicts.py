"""The engine's vocabulary: every status, action and outcome a look can report, as one set of names.

They are ``StrEnum`` so a member is its string value: ``LookResult.as_dict()``, the stored
``Check.result`` JSON and the ``Check.action``/``Experiment.outcome`` columns keep the exact strings
they always had, and a value read back from JSON compares equal to its member.
"""

from enum import StrEnum


class MetricRole(StrEnum):
    SUCCESS = "success"  # one-sided superiority
    GUARDRAIL = "guardrail"  # one-sided non-inferiority within a margin


class MetricStatus(StrEnum):
    """One metric of one treatment arm at one look."""

    NOT_ENOUGH_DATA = "not_enough_data"  # no test ran; MetricResult.reason says why
    HARM = "harm"  # clearly worse than control: the harm boundary was crossed
    SUPERIOR = "superior"  # success metric: the superiority boundary was crossed
    NON_INFERIOR = "non_inferior"  # guardrail: shown to stay within its margin
    UNDECIDED = "undecided"  # tested, no boundary crossed yet


class LookAction(StrEnum):
    """What the look tells the experiment to do (the Django side's ``Check.Action`` adds "error")."""

    CONTINUE = "continue"
    STOP = "stop"
    CONCLUDE = "conclude"


class LookOutcome(StrEnum):
    """How a stopped or concluded experiment ended (``experiments.models.Outcome`` stores it)."""

    WON = "won"
    LOST = "lost"
    INVALID = "invalid"
    INCONCLUSIVE = "inconclusive"


class SrmStatus(StrEnum):
    OK = "ok"
    MISMATCH = "mismatch"
    NOT_ENOUGH_DATA = "not_enough_data"  # too few units per arm to test the split yet
