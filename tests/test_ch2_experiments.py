"""Chapter 2's experiments: Figure 2.3's coupled runs and Table 2.1's measured time on worker processes."""

from __future__ import annotations

import os

import numpy as np
import pytest

from boundlab.montecarlo import Mechanism, SoftmaxProblem, apply_mechanism, b_drop, diversity
from boundlab.montecarlo.experiments import EXPERIMENTS, ch2


def _central_differences(f, theta: np.ndarray, coords: np.ndarray, h: float = 1e-6) -> np.ndarray:
    e = np.eye(theta.size)
    return np.array([(f(theta + h * e[i]) - f(theta - h * e[i])) / (2 * h) for i in coords])


def test_mlp_gradient_matches_central_finite_differences():
    rng = np.random.default_rng(3)
    X, y = rng.random((7, 64)), rng.integers(0, 10, 7)
    theta = ch2.mlp_init(rng) + 0.05 * rng.standard_normal(2410)
    _, g = ch2.mlp_loss_grad(theta, X, y)
    coords = rng.choice(theta.size, 80, replace=False)
    fd = _central_differences(lambda t: float(ch2.mlp_loss_grad(t, X, y)[0]), theta, coords)
    np.testing.assert_allclose(g[coords], fd, rtol=1e-5, atol=1e-8)


def test_mlp_batched_gradients_equal_the_per_run_gradients():
    rng = np.random.default_rng(5)
    theta = np.stack([ch2.mlp_init(rng), ch2.mlp_init(rng)])
    X, y = rng.random((2, 4, 64)), rng.integers(0, 10, (2, 4))
    _, g = ch2.mlp_loss_grad(theta, X, y)
    for a in range(2):
        np.testing.assert_allclose(g[a], ch2.mlp_loss_grad(theta[a], X[a], y[a])[1], rtol=1e-12, atol=1e-14)


def _pairs(R: int = 3):
    lg, init, X, y, swap = ch2._fig23_pairs("mlp", R, seed=1)
    return lg, init, X[:64], y[:64], swap


def test_coupled_runs_on_the_same_data_set_stay_identical():
    lg, init, X, y, (I, _, _) = _pairs()
    I = I % 64
    d = ch2.coupled_distances(lg, init, X, y, (I, X[I], y[I]), B=8, gamma=0.01, passes=2, seed=0)
    assert d.shape == (3, 3) and np.all(d == 0)


def test_coupled_runs_on_neighbouring_sets_separate_in_the_first_pass():
    lg, init, X, y, (I, xs, ys) = _pairs()
    d = ch2.coupled_distances(lg, init, X, y, (I % 64, xs, ys), B=8, gamma=0.01, passes=2, seed=0)
    assert np.all(d[0] == 0) and np.all(d[1] > 0)  # every pass visits the differing point once


@pytest.mark.parametrize(
    "scale,expected", [(lambda B: B**0.5, "grows"), (lambda B: B**-0.5, "shrinks"), (lambda B: 1.0, "no ordering")]
)
def test_growth_in_b_follows_the_per_pair_slope_interval(scale, expected):
    rng = np.random.default_rng(0)
    base = rng.uniform(1, 2, 12)
    final = {B: base * scale(B) * rng.uniform(0.95, 1.05, 12) for B in (4, 16, 64, 256)}
    assert ch2.growth_in_b(final)["verdict"] == expected


def test_masked_diversity_estimates_the_closed_form_2_11():
    rng = np.random.default_rng(2)
    G = rng.standard_normal((200, 5)) + 0.7  # correlated gradients: B_D well below n
    out = ch2._masked_diversity(G, 0.5, 400, rng)
    exact = b_drop(diversity(G), 0.5)
    lo, hi = out["95% CI"]
    assert lo <= exact <= hi and out["B_D with masks (2.11)"] == exact
    assert abs(ch2._masked_diversity(G, 0.0, 3, rng)["B_D with masks (measured)"] - diversity(G).B_D) < 1e-9
    assert exact > diversity(G).B_D  # DropConnect raises B_D when B_D <= n (Theorem 2.7)


def test_two_worker_processes_each_return_the_gradient_of_their_half():
    rng = np.random.default_rng(0)
    X, y = rng.random((40, 5)), rng.integers(0, 3, 40)
    prob = SoftmaxProblem(X, y, 3)
    workers = ch2._TwoWorkers(X, y, "3", np.random.default_rng(1))
    try:
        assert len(set(workers.pids)) == 2 and os.getpid() not in workers.pids
        assert all(p.is_alive() for p in workers.procs)
        w = rng.standard_normal(prob.dim)
        for p in (0.0, 0.4):
            workers.begin(4, p, 9)
            g = workers.gradient(w)
            workers.end()
            want = np.zeros(prob.dim)
            for j, h in enumerate(workers.halves):
                half = SoftmaxProblem(X[h], y[h], 3)
                r = np.random.default_rng([9, j])
                idx = r.integers(0, half.n, size=(1, 4))
                G = apply_mechanism(half.per_sample(w[None], idx), Mechanism("drop", p) if p else None, r)
                want += G.sum(axis=1)[0]
            np.testing.assert_allclose(g, want, rtol=1e-12)
    finally:
        workers.close()
    assert not any(p.is_alive() for p in workers.procs)


@pytest.mark.slow
@pytest.mark.parametrize("exp_id", ["tab2.1", "tab2.1-cnn"])
def test_tab21_quick_reports_measured_seconds_from_two_processes_beside_the_cost_model(exp_id):
    res = EXPERIMENTS[exp_id].run(seed=0, quick=True)
    pids = res["worker_pids"]
    assert len(pids) == 2 and len(set(pids)) == 2 and os.getpid() not in pids
    row = res["summary"][0]
    assert "measured s to 90/95/99% (median)" in row and "cost model to 90/95/99% (units)" in row
    for k in ("vanilla", "p=0.4", "p=0.5"):
        secs = np.array(res["measured_seconds_all_repeats"][k])
        assert secs.shape == (3, 3) and np.all(secs[np.isfinite(secs)] > 0)
        assert res["best"][k]["measured_seconds"] == list(np.median(secs, axis=0))
    assert res["verdict"].startswith("reproduced" if res["reproduced"] else "NOT reproduced")
    steps = {k: np.array(v) for k, v in res["steps_all_repeats"].items()}
    cost = res["paired_cost_model_gain_percent_of_the_measured_runs [mean, 95% CI]"]
    for k in ("p=0.4", "p=0.5"):  # the same runs in cost-model units: steps x (200 + B/2)
        if np.all(np.isfinite(steps[k][:, 1])) and np.all(np.isfinite(steps["vanilla"][:, 1])):
            t_v = steps["vanilla"][:, 1] * (200 + res["best"]["vanilla"]["B"] / 2)
            t_k = steps[k][:, 1] * (200 + res["best"][k]["B"] / 2)
            assert cost[k]["95%"][0] == pytest.approx(np.mean(100 * (t_v - t_k) / t_v), abs=0.01)
        else:
            assert cost[k]["95%"] is None
    assert "in cost-model units" in res["cause"]
    div = res["diversity"]["w_0 = 0" if exp_id == "tab2.1" else "w_0 (cnn_init)"]
    assert div["p=0.5"]["B_D with masks (2.11)"] > div["B_D without masks"]


@pytest.mark.slow
def test_fig23_quick_decides_growth_from_intervals_over_pairs(tmp_path):
    res = EXPERIMENTS["fig2.3"].run(seed=0, quick=True, out_dir=tmp_path)
    run = res["runs"]["mlp, gamma0 = 0.004"]
    for policy in ("same gamma", "gamma * B fixed"):
        fin = run[policy]["final [mean, 95% CI]"]
        assert all(lo <= m <= hi for m, lo, hi in fin.values())
        g = run[policy]["growth"]
        lo, hi = g["log-log slope [mean, 95% CI]"][1:]
        assert g["verdict"] == ("grows" if lo > 0 else "shrinks" if hi < 0 else "no ordering")
    assert res["reproduced"] == (run["same gamma"]["growth"]["verdict"] == "grows")
    assert (tmp_path / "fig2_3_stability.png").exists()


def test_inside_a_daemonic_process_the_workers_are_threads_and_say_so(monkeypatch):
    import multiprocessing

    class Daemonic:
        daemon = True

    monkeypatch.setattr(multiprocessing, "current_process", lambda: Daemonic())
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 4)), rng.integers(0, 2, 20)
    workers = ch2._TwoWorkers(X, y, "2", np.random.default_rng(1))
    try:
        assert workers.start_method.startswith("thread") and workers.pids == [os.getpid()] * 2
        workers.begin(2, 0.0, 3)
        assert workers.gradient(np.zeros(8)).shape == (8,)
        workers.end()
    finally:
        workers.close()
    assert not any(t.is_alive() for t in workers.procs)


def _check_verdict_keys(res):
    assert {"reproduced", "inconclusive", "verdict", "decision_rule", "decision_numbers"} <= set(res)
    assert isinstance(res["reproduced"], bool) and isinstance(res["decision_rule"], str)
    expected = "reproduced" if res["reproduced"] else "inconclusive" if res["inconclusive"] else "NOT reproduced"
    assert res["verdict"].startswith(expected + ":")
    assert not (res["reproduced"] and res["inconclusive"])


FIG21_PER_PASS = {1: 58.0, 64: 1.6, 256: 0.6}  # cost of one pass (the cost model at P = 8, n = 1797, /1000)


@pytest.mark.parametrize(
    "passes_max,expected",
    [
        ([10.0, 11, 12], "reproduced"),  # more passes and slower than B = 64
        ([4.0, 5, 4], "NOT reproduced"),  # more passes, but still faster than B = 64
        ([1.0, 1, 1], "NOT reproduced"),  # no extra passes at all
        ([6.0, 9, 12], "inconclusive"),  # the time interval straddles B = 64's
    ],
)
def test_fig21_rule_reads_saturation_off_welch_intervals(passes_max, expected):
    passes = {1: np.array([1.0, 2, 1]), 64: np.array([3.0, 3, 3]), 256: np.array(passes_max)}
    out = ch2.fig21_verdict(passes, FIG21_PER_PASS)
    assert out["outcome"] == expected and out["reproduced"] == (expected == "reproduced")
    assert out["inconclusive"] == (expected == "inconclusive") and out["verdict"].startswith(expected + ":")


def test_welch_interval_covers_the_difference_and_matches_scipy():
    from scipy import stats

    rng = np.random.default_rng(1)
    a, b = rng.normal(1.0, 1.0, 8), rng.normal(0.0, 2.0, 5)
    d, lo, hi = ch2._welch_ci(a, b)
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert d == pytest.approx(a.mean() - b.mean()) and (lo, hi) == pytest.approx((ci.low, ci.high))


@pytest.mark.parametrize(
    "shift_dc,slope,expected",
    [
        (-0.2, 0.1, "reproduced"),  # the ratio grows with r and DropConnect lowers it
        (+0.2, 0.1, "NOT reproduced"),  # DropConnect raises the ratio
        (-0.2, -0.1, "NOT reproduced"),  # the ratio shrinks with r
        (0.0, 0.1, "inconclusive"),  # DropConnect's effect is noise around 0
    ],
)
def test_fig22_rule_needs_growth_in_r_and_a_dropconnect_gain(shift_dc, slope, expected):
    rng = np.random.default_rng(2)
    rs = [1, 2, 4, 8]
    ratio = 1.2 + slope * np.log2(rs) + rng.normal(0, 0.01, (5, 4))
    spread = 0.05 * np.array([1, -1, 1, -1, 1])[:, None] if shift_dc == 0 else 0.0  # seeds disagree on the sign
    ratio_dc = ratio + shift_dc + spread
    out = ch2.fig22_verdict(ratio, ratio_dc, rs)
    assert out["outcome"] == expected and out["verdict"].startswith(expected + ":")
    assert out["inconclusive"] == (expected == "inconclusive")


@pytest.mark.slow
@pytest.mark.parametrize("exp_id", ["fig2.1", "fig2.2"])
def test_fig21_fig22_quick_runs_carry_a_verdict_and_its_rule(exp_id):
    res = EXPERIMENTS[exp_id].run(seed=0, quick=True)
    _check_verdict_keys(res)
    if exp_id == "fig2.1":
        nums = res["decision_numbers"]
        assert any(k.startswith("extra passes") for k in nums) and any(k.startswith("time to target") for k in nums)
        assert all(len(r["passes_per_repeat"]) == 3 for r in res["rows"])
    else:
        assert len(res["ratio minus ratio with DC after each pass [mean, 95% CI]"]) == 4
        assert all(len(r["loss_ratio [mean, 95% CI]"]) == 3 for r in res["rows"])
