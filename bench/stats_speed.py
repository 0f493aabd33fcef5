"""One metric evaluation of Pagar's engine beside GrowthBook's gbstats 0.8.0, same input, same process.

Run:  .venv/bin/python bench/stats_speed.py [--rounds 15] [--calls 400]

gbstats is for this bench only (never in the production lock): install it apart, e.g.
`pip install --target /tmp/gbs gbstats==0.8.0`; the path is added at the end of sys.path (our own
numpy and scipy stay first), or set GBSTATS_PATH.

The input: a binary guardrail, 14,000 units per arm, 280 vs 301 events. Timed, interleaved in
rounds of --calls each (the median of the per-call medians is reported, so load spikes on the
shared machine hit both sides alike):

- gbstats: `SequentialTwoSidedTTest(ProportionStatistic, ProportionStatistic).compute_result()`
  (its always-valid mixture test: estimate, interval, p-value);
- Pagar, group sequential with cached boundaries: `evaluate_metric` at look 28 of 28 planned looks
  (role test and harm test, each with its boundary, repeated interval and exact stagewise
  p-value over the continuation density; the status and the manager's sentence as a phrase, worded
  when someone reads it, in their language: also timed, the same call with the sentence worded
  through the translation catalogue). Its states are
  read again and again, so they have tabulated their tail series (``lattice_tails``): a p-value is
  one polynomial. Also timed: the same call with the tables set aside, what a state's first 32
  points cost (one window product per p-value, ~3,400 lattice nodes), e.g. a daily look's metrics;
- Pagar, always-valid mixture path (no planned maximum): the same call, mixture tests;
- Pagar, from scratch: the first evaluation of a new look sequence (both boundaries over 28 looks),
  and one look extending a kept state (what a daily check pays with the state kept).

Prints the figures and ratios, the load average and the machine; writes bench/results/stats_speed.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(os.environ.get("GBSTATS_PATH", "/tmp/gbs"))
# The engine as Pagar runs it: inside Django, its sentences through the translation catalogue (English).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
import django  # noqa: E402

django.setup()

from experiments.stats.boundaries import STATE_CACHE, boundary_state  # noqa: E402
from experiments.stats.lattice_tails import TABULATE_AFTER  # noqa: E402
from experiments.stats.decision import Design, MetricSpec, evaluate_metric  # noqa: E402
from experiments.stats.inputs import BinaryArm  # noqa: E402

LOOKS = 28


def per_call(fn, calls: int) -> float:
    """Median seconds of one call over `calls` calls."""
    timings = []
    for _ in range(calls):
        began = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args(argv)
    try:
        import gbstats
        from gbstats.frequentist.tests import SequentialConfig, SequentialTwoSidedTTest
        from gbstats.models.statistics import ProportionStatistic
    except ImportError:
        sys.exit("gbstats is not importable: pip install --target /tmp/gbs gbstats==0.8.0 (bench only)")

    spec = MetricSpec("complaint-rate", "binary", "guardrail", lower_is_better=True, margin=0.5)
    planned = Design({"control": 1, "treatment": 1}, "control", planned_units=28_000)
    open_ended = Design({"control": 1, "treatment": 1}, "control")
    fractions = [k / LOOKS for k in range(1, LOOKS + 1)]
    control, treatment = BinaryArm(14_000, 280), BinaryArm(14_000, 301)
    stat_a, stat_b = ProportionStatistic(n=14_000, sum=280), ProportionStatistic(n=14_000, sum=301)
    config = SequentialConfig()

    def ours_sequential():
        return evaluate_metric(spec, control, treatment, planned, fractions)

    def ours_worded():
        return evaluate_metric(spec, control, treatment, planned, fractions).sentence

    def ours_mixture():
        return evaluate_metric(spec, control, treatment, open_ended, [])

    def theirs():
        return SequentialTwoSidedTTest(stat_a, stat_b, config).compute_result()

    STATE_CACHE.clear()
    began = time.perf_counter()
    ours_sequential()
    cold = time.perf_counter() - began
    kept = boundary_state(fractions[:-1], 0.05)
    extend = per_call(lambda: kept.extend(fractions[-1]), 20)
    for fn in (ours_sequential, ours_mixture, theirs):
        per_call(fn, 200)  # warm
    # the role test's and the harm test's states (guardrail at alpha, harm at harm_alpha)
    states = [boundary_state(fractions, alpha) for alpha in (planned.alpha, planned.harm_alpha)]
    assert all(state._tails.table is not None for state in states)  # read 200+ times: tabulated

    def untabulated(calls):
        """Per-call median with the states' tables set aside (never made again meanwhile)."""
        kept = [(state._tails.table, state._tails.priced) for state in states]
        for state in states:
            state._tails.table, state._tails.priced = None, -(10**12)
        try:
            return per_call(ours_sequential, calls)
        finally:
            for state, (table, priced) in zip(states, kept, strict=True):
                state._tails.table, state._tails.priced = table, priced

    figures = {"gbstats": [], "sequential": [], "worded": [], "window": [], "mixture": []}
    for _ in range(args.rounds):
        figures["gbstats"].append(per_call(theirs, args.calls))
        figures["sequential"].append(per_call(ours_sequential, args.calls))
        figures["worded"].append(per_call(ours_worded, args.calls))
        figures["window"].append(untabulated(args.calls))
        figures["mixture"].append(per_call(ours_mixture, args.calls))
    gb, seq, worded, window, mix = (
        statistics.median(figures[k]) * 1e6 for k in ("gbstats", "sequential", "worded", "window", "mixture")
    )

    result = ours_sequential()
    lines = [
        f"Pagar engine vs gbstats {gbstats.__version__}, same input, same process: binary guardrail, 14,000 per arm",
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        f"{args.rounds} interleaved rounds of {args.calls} calls each; median of the round medians",
        "",
        f"gbstats SequentialTwoSidedTTest.compute_result()                     {gb:8.1f} us   1.00x",
        f"Pagar evaluate_metric, group sequential, cached boundaries (look 28) {seq:8.1f} us   {seq / gb:4.2f}x",
        f"{'  the same, and its sentence worded (what showing it adds)':<68} {worded:8.1f} us   {worded / gb:4.2f}x",
        f"{f'  the same, before its states tabulate (first {TABULATE_AFTER} points each)':<68} "
        f"{window:8.1f} us   {window / gb:4.2f}x",
        f"Pagar evaluate_metric, always-valid mixture path                     {mix:8.1f} us   {mix / gb:4.2f}x",
        f"Pagar, the first evaluation of a new 28-look sequence (both tests)    {cold * 1e3:8.1f} ms",
        f"Pagar, one look extending a kept boundary state                      {extend * 1e3:8.2f} ms",
        "",
        f"(the group sequential call: boundary {result.boundary:.4f}, stagewise p {result.p_value:.6f}, "
        f"harm p {result.harm_p_value:.6f}; each p-value sums the normal tails of ~{_window(planned):,} lattice "
        "nodes of the continuation density, where gbstats has a closed form: a series about the nearest node, "
        "from a table once the state has priced a few points)",
    ]
    load = os.getloadavg()
    lines.append(f"load average: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs (shared machine)")
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "results" / "stats_speed.txt").write_text(text + "\n")


def _window(design) -> int:
    """Nodes within the +/-8.5 SD window of one stagewise tail at look 28 of 28."""
    state = boundary_state([k / LOOKS for k in range(1, LOOKS + 1)], design.alpha)
    nodes = state.grid.sorted_nodes[0]
    sd = (1 / LOOKS) ** 0.5
    return int(((nodes > -8.5 * sd) & (nodes < 8.5 * sd)).sum())


if __name__ == "__main__":
    main()
