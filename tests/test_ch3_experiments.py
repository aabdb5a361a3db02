"""Chapter 3's experiments: the models' gradients, the Byzantine machines, the backends, the reports."""

from __future__ import annotations

import json

import numpy as np
import pytest

from boundlab.cli import main
from boundlab.montecarlo.experiments import EXPERIMENTS, ch3
from boundlab.parallel import InProcess, Processes


def _central_differences(f, theta: np.ndarray, coords: np.ndarray, h: float = 1e-6) -> np.ndarray:
    e = np.eye(theta.size)
    return np.array([(f(theta + h * e[i]) - f(theta - h * e[i])) / (2 * h) for i in coords])


@pytest.mark.parametrize("model", ["lr", "cnn"])
def test_hand_written_gradients_match_central_finite_differences(model):
    rng = np.random.default_rng(4)
    X, y = rng.random((6, 64)), rng.integers(0, 10, 6)
    if model == "cnn":
        theta, fn = ch3.cnn_init(rng) + 0.05 * rng.standard_normal(1370), ch3.cnn_loss_grad
    else:
        theta, fn = 0.3 * rng.standard_normal(650), ch3.softmax_loss_grad
    _, g = fn(theta, X, y)
    coords = rng.choice(theta.size, 60, replace=False)
    fd = _central_differences(lambda t: float(fn(t, X, y)[0]), theta, coords)
    np.testing.assert_allclose(g[coords], fd, rtol=1e-5, atol=1e-8)


def test_batched_gradients_equal_the_per_setting_gradients():
    rng = np.random.default_rng(5)
    theta = np.stack([ch3.cnn_init(rng), ch3.cnn_init(rng)])
    X, y = rng.random((4, 64)), rng.integers(0, 10, (2, 4))
    _, g = ch3.cnn_loss_grad(theta, np.broadcast_to(X, (2, 4, 64)), y)
    for a in range(2):
        np.testing.assert_array_equal(g[a], ch3.cnn_loss_grad(theta[a], X, y[a])[1])


def test_the_network_problem_per_sample_gradients_are_the_single_sample_gradients():
    rng = np.random.default_rng(6)
    X, y = rng.random((7, 64)), rng.integers(0, 10, 7)
    prob = ch3.CnnProblem(X, y)
    w = np.stack([ch3.cnn_init(rng) + 0.05 * rng.standard_normal(1370) for _ in range(2)])
    idx = rng.integers(0, 7, (2, 5))
    G = prob.per_sample(w, idx)
    assert G.shape == (2, 5, 1370)
    for r in range(2):
        for b in range(5):
            want = ch3.cnn_loss_grad(w[r], X[idx[r, b : b + 1]], y[idx[r, b : b + 1]])[1]
            np.testing.assert_allclose(G[r, b], want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(prob.batch_sum(w, idx), G.sum(axis=1), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(prob.full_gradients(w[0]), prob.per_sample(w[:1], np.arange(7)[None])[0])
    acc = prob.accuracy(w)
    assert acc.shape == (2,) and acc[0] == np.mean(ch3.cnn_predict(w[0], X) == y)
    assert prob.loss(w)[1] == ch3.cnn_loss_grad(w[1], X, y)[0]


@pytest.mark.parametrize(
    "X,y",
    [(np.zeros((3, 65)), np.zeros(3, int)), (np.zeros((3, 64)), np.zeros(2, int)), (np.zeros(64), np.zeros(1, int))],
)
def test_the_network_problem_rejects_data_that_are_not_8x8_images_with_one_label_each(X, y):
    from boundlab.bounds import BadInput

    with pytest.raises(BadInput, match="X, y"):
        ch3.CnnProblem(X, y)


def test_byzantine_machines_send_the_gradient_of_flipped_labels_and_honest_ones_do_not_change():
    spec = ch3.DigitsSpec("lr", m=10, q=1, corruption="flip", attacked=(False, True))
    theta = np.random.default_rng(0).standard_normal((2, 650)) * 0.1
    theta[1] = theta[0]
    G = ch3.machine_gradients(spec, 3, (0, 1), theta, 0)
    Xs, y = ch3._split(3, 10, 1, "flip")[2:4]
    np.testing.assert_allclose(G[1, 0], ch3.softmax_loss_grad(theta[0], Xs[0], 9 - y[0])[1])
    np.testing.assert_allclose(G[0, 0], ch3.softmax_loss_grad(theta[0], Xs[0], y[0])[1])
    np.testing.assert_array_equal(G[0, 1], G[1, 1])


def test_local_batches_are_ten_percent_of_a_shard_and_depend_on_seed_step_and_machine_only():
    spec = ch3.DigitsSpec("cnn", m=10, q=1, corruption="flip", attacked=(True,), batch_frac=0.1)
    theta = ch3.cnn_init(np.random.default_rng(1))[None]
    a = ch3.machine_gradients(spec, 0, (2,), theta, 7)
    b = ch3.machine_gradients(spec, 0, (0, 1, 2), theta, 7)
    c = ch3.machine_gradients(spec, 0, (2,), theta, 8)
    np.testing.assert_array_equal(a[:, 0], b[:, 2])
    assert not np.array_equal(a, c)


def test_the_one_round_median_ignores_one_machine_with_random_labels_better_than_the_mean_at_the_model_level():
    spec = ch3.DigitsSpec("lr", m=10, q=1, corruption="random", attacked=(False, True), ridge=1e-2)
    W = ch3.local_models(spec, 0, tuple(range(10)), 60)
    assert W.shape == (2, 10, 650)
    np.testing.assert_array_equal(W[0, 1:], W[1, 1:])  # honest machines train on the same data
    assert not np.allclose(W[0, 0], W[1, 0])


def _small_gd(backend):
    spec = ch3.DigitsSpec("cnn", m=10, q=1, corruption="flip", attacked=(False, True, True, True), batch_frac=0.1)
    return ch3.byzantine_gd(
        spec,
        ("mean", "mean", "median", "trimmed mean"),
        [0, 1],
        steps=4,
        lr=0.1,
        beta=0.1,
        eval_every=2,
        backend=backend,
    )


def test_gd_runs_are_bit_identical_in_process_and_in_a_process_pool():
    ref = _small_gd(None)
    pool = Processes(2)
    try:
        runs = [_small_gd(InProcess()), _small_gd(pool)]
    finally:
        pool.close()
    for r in runs:
        np.testing.assert_array_equal(r["theta"], ref["theta"])
        np.testing.assert_array_equal(r["test_accuracy"], ref["test_accuracy"])


@pytest.mark.slow
def test_gd_runs_on_a_dask_local_cluster_are_bit_identical_to_in_process_runs():
    from boundlab.parallel import DaskCluster, local_cluster

    ref = _small_gd(None)
    with local_cluster(2) as cluster:  # loopback, a free port for its HTTP server
        backend = DaskCluster(cluster.scheduler_address)
        try:
            got = _small_gd(backend)
        finally:
            backend.close()
    np.testing.assert_array_equal(got["theta"], ref["theta"])
    np.testing.assert_array_equal(got["test_accuracy"], ref["test_accuracy"])


@pytest.mark.slow
def test_reproduce_with_two_processes_prints_the_in_process_numbers(capsys):
    ref = EXPERIMENTS["tab3.4"].run(seed=0, quick=True)
    assert main(["reproduce", "tab3.4", "--quick", "--jobs", "2", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["summary"] == json.loads(json.dumps(ref["summary"]))


@pytest.mark.parametrize("exp_id", ["tab3.2", "tab3.4"])
def test_quick_runs_put_the_printed_accuracy_beside_the_measured_one_with_an_interval(exp_id, tmp_path):
    res = EXPERIMENTS[exp_id].run(seed=0, quick=True, out_dir=tmp_path)
    printed = res["paper"]["test accuracy (%)"]
    assert [r["paper (%)"] for r in res["summary"]] == list(printed.values())
    for r in res["summary"]:
        assert r["95% CI low"] <= r["measured (%)"] <= r["95% CI high"]
    assert isinstance(res["reproduced"], bool) and res["verdict"].startswith(("reproduced", "NOT reproduced"))
    for f in res["figures"]:
        assert (tmp_path / f.split("/")[-1]).exists()


@pytest.mark.slow
@pytest.mark.parametrize("exp_id", ["tab3.3", "fig3.2"])
def test_quick_cnn_runs_report_both_models_and_draw_the_curves(exp_id, tmp_path):
    res = EXPERIMENTS[exp_id].run(seed=0, quick=True, out_dir=tmp_path)
    assert len(res["summary"]) in (4, 8) and res["figures"]
    assert all((tmp_path / f.split("/")[-1]).exists() for f in res["figures"])


def test_a_spec_with_half_the_machines_byzantine_is_rejected():
    with pytest.raises(ValueError, match=r"q \(5\) must be in \[0, m/2\)"):
        ch3.DigitsSpec("lr", m=10, q=5, corruption="flip", attacked=(True,))
