"""The engine is a pure module: it evaluates and words a metric in a process where Django's settings
were never configured (plain English, its own number style)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
from experiments.stats.decision import Design, MetricSpec, evaluate_metric
from experiments.stats.inputs import BinaryArm
from django.conf import settings
assert not settings.configured
spec = MetricSpec("complaint-rate", "binary", "guardrail", lower_is_better=True, margin=0.5)
design = Design({"control": 1, "treatment": 1}, "control", planned_units=28_000)
result = evaluate_metric(spec, BinaryArm(14_000, 280), BinaryArm(14_000, 301), design, [k / 28 for k in range(1, 29)])
print(result.sentence)
"""


def test_the_engine_runs_and_speaks_english_without_django_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "agreed margin of 0.5 points" in done.stdout, done.stdout
