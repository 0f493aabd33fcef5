"""Monte Carlo proof that Pagar's statistics engine keeps its promises under daily looks.

Run:  .venv/bin/python bench/stats_monte_carlo.py [--sims 20000] [--seed 2024]

Every row simulates at least 10,000 experiments. The simulated data are cumulative sufficient
statistics (as the scheduled checks will see them); the engine's own boundaries
(``boundary_state``), vectorised effect formulas (``effects``) and SRM weights decide each look.
The vectorised rule is checked against the engine's ``evaluate_look`` on the first simulated
experiments of the rule rows, so the table measures the engine, not a re-implementation.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.special import ndtri
from scipy.stats import chi2 as chi2_distribution

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from experiments.stats.boundaries import boundary_state, crossing_probabilities  # noqa: E402
from experiments.stats.decision import Design, MetricSpec, evaluate_look, evaluate_metric  # noqa: E402
from experiments.stats.effects import difference_z, mean_and_variance, rate_mean_and_variance  # noqa: E402
from experiments.stats.inputs import BinaryArm, MeanArm  # noqa: E402
from experiments.stats.sequential_planning import MetricRequirement, plan_sequential  # noqa: E402

ALPHA, HARM_ALPHA, SRM_ALPHA = 0.05, 0.01, 0.001
CHECKED_BY_ENGINE = 150  # simulated experiments per rule row replayed through evaluate_look


def mc_error(rate: float, sims: int) -> float:
    return math.sqrt(max(rate * (1 - rate), 1e-12) / sims)


def daily_totals(total_units: int, days: int) -> np.ndarray:
    """Units entering each day so that day k ends at round(k * total / days)."""
    ends = np.round(np.arange(1, days + 1) * total_units / days).astype(int)
    return np.diff(ends, prepend=0)


def split_units(rng, sims: int, per_day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Random 50/50 assignment of each day's units: daily (control, treatment) counts per sim."""
    control = rng.binomial(per_day[None, :], 0.5, size=(sims, len(per_day)))
    return control, per_day[None, :] - control


def binary_cumulative(rng, n_daily: np.ndarray, rate: float) -> np.ndarray:
    return np.cumsum(rng.binomial(n_daily, rate), axis=1)


def mean_cumulative(rng, n_daily: np.ndarray, mean: float, sd: float) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative sum and sum of squares of normal data, simulated from each day's sufficient
    statistics: the day's sum is normal and its centred square sd^2 chi2(n - 1), independently."""
    n = n_daily.astype(float)
    day_sum = rng.normal(n * mean, np.sqrt(n) * sd)
    day_centered = sd * sd * rng.chisquare(np.maximum(n - 1, 1))
    day_sq = day_centered + day_sum * day_sum / n
    return np.cumsum(day_sum, axis=1), np.cumsum(day_sq, axis=1)


def srm_failed(cum_control: np.ndarray, cum_treatment: np.ndarray) -> np.ndarray:
    """Per sim and look: chi-square SRM p < 0.001 with every arm >= 8 units (equal weights)."""
    total = cum_control + cum_treatment
    expected = total / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = ((cum_control - expected) ** 2 + (cum_treatment - expected) ** 2) / expected
    p = chi2_distribution.sf(np.nan_to_num(chi2), 1)
    return (p < SRM_ALPHA) & (np.minimum(cum_control, cum_treatment) >= 8)


def first_true(mask: np.ndarray) -> np.ndarray:
    """Index of the first True per row, or the row length when none."""
    hit = mask.any(axis=1)
    return np.where(hit, mask.argmax(axis=1), mask.shape[1])


def boundaries_for(fractions, alpha: float, spending: str = "obrien_fleming") -> np.ndarray:
    return np.array(boundary_state(fractions, alpha, spending).boundaries)


# --- rows -----------------------------------------------------------------------------------


def aa_rows(rng, sims: int, looks: int, rows: list):
    """A/A: one binary success metric (10% conversion), 1,000 units a day, planned max at the last look."""
    per_day = np.full(looks, 1000)
    planned = int(per_day.sum())
    n_c_day, n_t_day = split_units(rng, sims, per_day)
    n_c, n_t = np.cumsum(n_c_day, axis=1), np.cumsum(n_t_day, axis=1)
    x_c, x_t = binary_cumulative(rng, n_c_day, 0.10), binary_cumulative(rng, n_t_day, 0.10)
    m_c, v_c = rate_mean_and_variance(n_c, x_c)
    m_t, v_t = rate_mean_and_variance(n_t, x_t)
    z = difference_z(n_c, m_c, v_c, n_t, m_t, v_t)
    fractions = np.cumsum(per_day) / planned
    success_b = boundaries_for(fractions, ALPHA)
    harm_b = boundaries_for(fractions, HARM_ALPHA)
    srm = srm_failed(n_c, n_t)
    stop_invalid, stop_harm, won = first_true(srm), first_true(-z >= harm_b), first_true(z >= success_b)
    rule_won = (won < looks) & (won < stop_invalid) & (won < stop_harm)
    rate = rule_won.mean()
    rows.append(
        (
            f"A/A false 'won', {looks} daily looks, engine (LD-OBF, one-sided 0.05)",
            rate,
            mc_error(rate, sims),
            "<= 0.05",
        )
    )
    naive = (z >= ndtri(1 - ALPHA)).any(axis=1).mean()
    rows.append(
        (f"A/A false 'won', {looks} daily looks, naive z >= 1.645 each day", naive, mc_error(naive, sims), "inflated")
    )
    naive2 = (np.abs(z) >= ndtri(1 - ALPHA / 2)).any(axis=1).mean()
    armitage = {14: 0.220, 28: 0.275}[looks]
    rows.append(
        (
            f"A/A any |z| >= 1.96, {looks} daily looks, naive two-sided",
            naive2,
            mc_error(naive2, sims),
            f"Armitage {armitage:.3f}",
        )
    )
    # replay the first simulated experiments through the engine itself
    design = Design(
        {"control": 1, "treatment": 1}, "control", alpha=ALPHA, harm_alpha=HARM_ALPHA, planned_units=planned
    )
    spec = MetricSpec("conversion", "binary", "success")
    for s in range(CHECKED_BY_ENGINE):
        outcome, previous = None, []
        for k in range(looks):
            arms = {
                "control": BinaryArm(int(n_c[s, k]), int(x_c[s, k])),
                "treatment": BinaryArm(int(n_t[s, k]), int(x_t[s, k])),
            }
            result = evaluate_look(
                design,
                [(spec, arms)],
                {"control": int(n_c[s, k]), "treatment": int(n_t[s, k])},
                previous_fractions=previous,
                days_elapsed=k + 1,
            )
            previous.append(result.information_fraction)
            if result.action != "continue":
                outcome = result.outcome
                break
        assert (outcome == "won") == bool(rule_won[s]), f"engine and simulation disagree on A/A experiment {s}"


def power_rows(rng, sims: int, rows: list):
    """14 daily looks with max N = the fixed-horizon N for 80% power (normal metric, sd 1, effect 0.1)."""
    looks, effect = 14, 0.1
    for label, alpha, spending, expected in (
        ("engine default: one-sided 0.05, LD-OBF", 0.05, "obrien_fleming", None),
        ("two-sided 0.05 LD-OBF design (reference 0.777)", 0.025, "obrien_fleming_symmetric", 0.777),
    ):
        z_fixed = ndtri(1 - alpha) + ndtri(0.8)
        n_arm = math.ceil(2 * (z_fixed / effect) ** 2)
        per_day = daily_totals(n_arm, looks)
        n = np.cumsum(per_day)
        fractions = n / n_arm
        bounds = boundaries_for(fractions, alpha, spending)
        daily = np.broadcast_to(per_day, (sims, looks))
        s_c, q_c = mean_cumulative(rng, daily, 0.0, 1.0)
        s_t, q_t = mean_cumulative(rng, daily, effect, 1.0)
        m_c, v_c = mean_and_variance(n, s_c, q_c)
        m_t, v_t = mean_and_variance(n, s_t, q_t)
        z = difference_z(n, m_c, v_c, n, m_t, v_t)
        rate = (z >= bounds).any(axis=1).mean()
        drift = effect / math.sqrt(2 / n_arm)
        exact = crossing_probabilities(fractions, bounds, drift=drift)[0].sum()
        target = f"~{expected:.3f}" if expected else f"exact {exact:.3f}"
        rows.append(
            (f"power, 14 daily looks, fixed-horizon N={n_arm}/arm, {label}", rate, mc_error(rate, sims), target)
        )
        fixed_power = (z[:, -1] >= ndtri(1 - alpha)).mean()
        if expected is None:
            rows.append(
                (
                    f"  (same data, one fixed-horizon test at N={n_arm}/arm)",
                    fixed_power,
                    mc_error(fixed_power, sims),
                    "~0.80",
                )
            )


def whole_rule_row(rng, sims: int, rows: list, reserve_for_harm: bool = True):
    """1 success + 5 guardrails, planned with plan_sequential for 28 daily looks; the success metric
    moves by its MDE, the guardrails not at all. Won needs the success boundary, all five
    non-inferiority boundaries, no harm, no SRM and 7 days of runtime."""
    looks, effect, margin, sd = 28, 0.1, 0.1, 1.0
    metrics = [MetricRequirement("success", "success", effect, sd)] + [
        MetricRequirement(f"guardrail-{i}", "guardrail", margin, sd) for i in range(5)
    ]
    plan = plan_sequential(
        metrics,
        weights={"control": 1, "treatment": 1},
        control="control",
        alpha=ALPHA,
        power=0.8,
        looks=looks,
        harm_alpha=HARM_ALPHA if reserve_for_harm else None,
    )
    planned = plan.total_units
    per_day = daily_totals(planned, looks)
    n_c_day, n_t_day = split_units(rng, sims, per_day)
    n_c, n_t = np.cumsum(n_c_day, axis=1), np.cumsum(n_t_day, axis=1)
    fractions = np.cumsum(per_day) / planned
    b_success, b_guard, b_harm = (
        boundaries_for(fractions, ALPHA),
        boundaries_for(fractions, ALPHA),
        boundaries_for(fractions, HARM_ALPHA),
    )
    sums = []
    z_main, z_harm = [], []
    for index in range(6):
        true_effect = effect if index == 0 else 0.0
        s_c, q_c = mean_cumulative(rng, n_c_day, 5.0, sd)
        s_t, q_t = mean_cumulative(rng, n_t_day, 5.0 + true_effect, sd)
        sums.append((s_c, q_c, s_t, q_t))
        m_c, v_c = mean_and_variance(n_c, s_c, q_c)
        m_t, v_t = mean_and_variance(n_t, s_t, q_t)
        null = 0.0 if index == 0 else -margin
        z_main.append(difference_z(n_c, m_c, v_c, n_t, m_t, v_t, null=null))
        z_harm.append(-difference_z(n_c, m_c, v_c, n_t, m_t, v_t))
    day = np.arange(1, looks + 1)
    srm = first_true(srm_failed(n_c, n_t))
    harm = first_true(np.logical_or.reduce([zh >= b_harm for zh in z_harm]))
    ship = (z_main[0] >= b_success) & np.logical_and.reduce([z >= b_guard for z in z_main[1:]]) & (day >= 7)
    won_at = first_true(ship)
    won = (won_at < looks) & (won_at < srm) & (won_at < harm)
    rate = won.mean()
    how = (
        "planned (beta/(G+1) after the harm reserve)" if reserve_for_harm else "plain beta/(G+1) split, no harm reserve"
    )
    rows.append(
        (
            f"whole rule power, 1 success + 5 guardrails, 28 daily looks, {plan.units_per_arm['control']:,}/arm, {how}",
            rate,
            mc_error(rate, sims),
            ">= 0.80" if reserve_for_harm else "",
        )
    )
    design = Design(
        {"control": 1, "treatment": 1},
        "control",
        alpha=ALPHA,
        harm_alpha=HARM_ALPHA,
        planned_units=planned,
        min_runtime_days=7,
    )
    specs = [MetricSpec("success", "mean", "success")] + [
        MetricSpec(f"guardrail-{i}", "mean", "guardrail", margin=margin) for i in range(5)
    ]
    for s in range(CHECKED_BY_ENGINE):
        outcome, previous = None, []
        for k in range(looks):
            data = []
            for spec, (s_c, q_c, s_t, q_t) in zip(specs, sums, strict=True):
                data.append(
                    (
                        spec,
                        {
                            "control": MeanArm(int(n_c[s, k]), s_c[s, k], q_c[s, k]),
                            "treatment": MeanArm(int(n_t[s, k]), s_t[s, k], q_t[s, k]),
                        },
                    )
                )
            result = evaluate_look(
                design,
                data,
                {"control": int(n_c[s, k]), "treatment": int(n_t[s, k])},
                previous_fractions=previous,
                days_elapsed=k + 1,
            )
            previous.append(result.information_fraction)
            if result.action != "continue":
                outcome = result.outcome
                break
        assert (outcome == "won") == bool(won[s]), f"engine and simulation disagree on rule experiment {s}"


def srm_row(rng, sims: int, rows: list):
    looks = 28
    per_day = np.full(looks, 1000)
    n_c_day, n_t_day = split_units(rng, sims, per_day)
    alarms = srm_failed(np.cumsum(n_c_day, axis=1), np.cumsum(n_t_day, axis=1)).any(axis=1)
    rate = alarms.mean()
    rows.append(("SRM false alarms, 28 daily looks, p < 0.001", rate, mc_error(rate, sims), "~0.0094"))


def speed_rows(rows: list):
    design = Design({"control": 1, "treatment": 1}, "control", planned_units=28_000)
    spec = MetricSpec("complaint-rate", "binary", "guardrail", lower_is_better=True, margin=0.5)
    fractions = [k / 28 for k in range(1, 29)]
    control, treatment = BinaryArm(14_000, 280), BinaryArm(14_000, 301)
    start = time.perf_counter()
    evaluate_metric(spec, control, treatment, design, fractions)
    cold = time.perf_counter() - start
    timings = []
    for _ in range(2000):
        start = time.perf_counter()
        evaluate_metric(spec, control, treatment, design, fractions)
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    rows.append(("speed: median time of one metric evaluation at look 28 (ms)", 1000 * median, None, "< 2 ms"))
    rows.append(("speed: metric evaluations per second (cached boundaries)", len(timings) / sum(timings), None, ""))
    rows.append(("speed: first evaluation, 28 looks of both boundaries from scratch (ms)", 1000 * cold, None, ""))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=20_000, help="simulated experiments per row (>= 10,000)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    if args.sims < 10_000:
        parser.error("--sims must be at least 10,000")
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    rows: list = []
    speed_rows(rows)
    aa_rows(rng, args.sims, 14, rows)
    aa_rows(rng, args.sims, 28, rows)
    power_rows(rng, args.sims, rows)
    whole_rule_row(rng, args.sims, rows)
    whole_rule_row(rng, args.sims, rows, reserve_for_harm=False)
    srm_row(rng, args.sims, rows)
    print(f"Pagar statistics engine — Monte Carlo, {args.sims:,} simulated experiments per row, seed {args.seed}")
    print(
        f"(the rule rows were also replayed through evaluate_look for the first {CHECKED_BY_ENGINE} experiments: "
        "identical outcomes)"
    )
    print()
    width = max(len(r[0]) for r in rows)
    print(f"{'row':<{width}}  {'value':>10}  {'MC s.e.':>8}  target")
    print("-" * (width + 36))
    for label, value, error, target in rows:
        value_text = f"{value:10.4f}" if value < 100 else f"{value:10,.0f}"
        error_text = f"{error:8.4f}" if error is not None else " " * 8
        print(f"{label:<{width}}  {value_text}  {error_text}  {target}")
    print()
    print(f"total run time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
