"""The gradient-diversity calculator and the ``boundlab diversity`` command."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.sparse as sps
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from boundlab.bounds import BadInput
from boundlab.cli import main
from boundlab.montecarlo import _diversity as div

grads = arrays(
    np.float64, st.tuples(st.integers(2, 12), st.integers(1, 6)), elements=st.floats(-10, 10, allow_nan=False, width=64)
)


def test_golden_values_of_a_small_gradient_set():
    s = div.diversity([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    assert (s.A, s.S, s.C) == (4.0, 8.0, 4.0)
    assert s.Delta_D == 0.5 and s.B_D == 1.5 and math.isclose(s.M2, 4 / 3) and math.isclose(s.G, 8 / 9)


def test_orthogonal_gradients_give_b_d_equal_to_n_and_equal_gradients_give_one():
    assert div.diversity(np.eye(5)).B_D == 5.0
    assert div.diversity(np.ones((7, 3))).B_D == 1.0


def test_gradients_summing_to_zero_give_infinite_b_d():
    assert div.diversity([[1.0, 2.0], [-1.0, -2.0]]).B_D == math.inf


@settings(max_examples=60, deadline=None)
@given(g=grads)
def test_b_d_is_at_least_one(g):
    if not np.any(g) or not np.any(g.sum(0)):
        return
    assert div.diversity(g).B_D >= 1 - 1e-9


@settings(max_examples=60, deadline=None)
@given(g=grads, data=st.data())
def test_b_d_is_invariant_to_permutation_scaling_and_rotation(g, data):
    if not np.any(g) or np.sum(g.sum(0) ** 2) < 1e-6 * np.sum(g**2):
        return
    base = div.diversity(g).B_D
    perm = np.random.default_rng(data.draw(st.integers(0, 99))).permutation(g.shape[0])
    q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((g.shape[1], g.shape[1])))
    for h in (g[perm], -3.5 * g, g @ q):
        assert math.isclose(div.diversity(h).B_D, base, rel_tol=1e-7)


def test_replicating_each_point_r_times_leaves_b_d_unchanged():
    g = np.random.default_rng(0).standard_normal((10, 4)) + 0.5
    assert math.isclose(div.diversity(np.repeat(g, 4, axis=0)).B_D, div.diversity(g).B_D)


def test_sparse_and_dense_inputs_agree():
    g = sps.random(40, 30, density=0.1, random_state=0, format="csr")
    a, b = div.diversity(g), div.diversity(g.toarray())
    assert math.isclose(a.B_D, b.B_D) and math.isclose(a.A_q, b.A_q)


@pytest.mark.parametrize("model", ["logistic", "squared", "hinge"])
def test_glm_shortcut_equals_the_materialised_computation(model):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 7))
    y = np.sign(rng.standard_normal(300)) if model != "squared" else rng.standard_normal(300)
    w = rng.standard_normal(7) * 0.3
    a, b = div.glm_diversity(X, y, w, model), div.diversity(div.glm_gradients(X, y, w, model))
    for attr in ("A", "S", "A_q", "B_D"):
        assert math.isclose(getattr(a, attr), getattr(b, attr), rel_tol=1e-10)


def test_glm_shortcut_accepts_zero_one_labels_and_sparse_x():
    X = sps.random(50, 8, density=0.3, random_state=2, format="csr")
    y = (np.arange(50) % 2).astype(float)
    assert math.isclose(div.glm_diversity(X, y).B_D, div.glm_diversity(X.toarray(), 2 * y - 1).B_D)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_glm_lower_bounds_hold_at_random_models(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((30, 4)) * rng.lognormal(0, 0.5, (30, 1))
    y = np.sign(rng.standard_normal(30))
    s = div.glm_diversity(X, y, rng.standard_normal(4), "logistic")
    lb, lbn = div.glm_lower_bound(X), div.glm_lower_bound_normalized(X)
    assert lb <= lbn * (1 + 1e-9) and lbn <= s.B_D * (1 + 1e-9)


def test_glm_lower_bound_golden_value():
    X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    assert math.isclose(div.glm_lower_bound(X), 3 * 1.0 / np.linalg.norm(X, 2) ** 2)


def test_conflict_graph_bound_is_tight_on_cliques_and_degree_weighted_is_tighter():
    g = np.zeros((6, 3))
    g[0:2, 0], g[2:4, 1], g[4:6, 2] = 1.0, 2.0, 3.0
    cg = div.conflict_graph_bound(g, g)
    assert cg["rho"] == 1 and cg["bound"] == 3.0 == div.diversity(g).B_D
    rng = np.random.default_rng(0)
    h = np.where(rng.random((20, 15)) < 0.2, rng.standard_normal((20, 15)), 0.0)
    cg = div.conflict_graph_bound(h, h)
    assert cg["bound"] <= cg["weighted_bound"] * (1 + 1e-12) <= div.diversity(h).B_D * (1 + 1e-9)


@settings(max_examples=60, deadline=None)
@given(g=grads, p=st.floats(0, 0.99), sigma=st.floats(0, 5))
def test_mechanisms_increase_the_batch_size_bound_in_both_regimes(g, p, sigma):
    if not np.any(g) or np.sum(g.sum(0) ** 2) < 1e-9:
        return
    s = div.diversity(g)
    for v in div.mechanism_bounds(s, p=p, sigma=sigma).values():
        if s.C >= 0:
            assert v >= s.B_D * (1 - 1e-9)
        else:
            assert v > s.n * (1 - 1e-9)


def test_quantization_leaves_b_d_unchanged_for_one_sparse_gradients():
    s = div.diversity([[1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    assert math.isclose(div.b_quant(s), s.B_D)


def test_differential_diversity_uses_gradient_differences():
    g1 = np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    g2 = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    assert math.isclose(div.differential_diversity(g1, g2).B_D, div.diversity(g1 - g2).B_D)


def test_slack_delta_golden_value():
    s = div.diversity(np.eye(4))
    assert div.slack_delta(s, 3) == 0.5


BAD = [
    (lambda: div.diversity([[1.0, 2.0], [3.0]]), "ragged"),
    (lambda: div.diversity(np.zeros((0, 3))), "non-empty"),
    (lambda: div.diversity([[1.0, np.nan]]), "finite"),
    (lambda: div.diversity([[np.inf, 0.0]]), "finite"),
    (lambda: div.diversity(np.zeros((3, 2))), "all zero"),
    (lambda: div.diversity(sps.csr_matrix((3, 2))), "all zero"),
    (lambda: div.b_drop(div.diversity(np.eye(2)), 1.0), r"p \(1\) must be in \[0, 1\)"),
    (lambda: div.b_drop(div.diversity(np.eye(2)), -0.1), r"p \(-0.1\)"),
    (lambda: div.b_sgld(div.diversity(np.eye(2)), -1.0), r"sigma \(-1\) must be"),
    (lambda: div.slack_delta(div.diversity(np.eye(2)), 3), r"B \(3\) must be <= n \(2\)"),
    (lambda: div.glm_diversity(np.eye(3), [1, 1], model="logistic"), r"y \(length 2\)"),
    (lambda: div.glm_diversity(np.eye(3), [1, 2, 3], model="logistic"), "labels"),
    (lambda: div.glm_diversity(np.eye(3), [1, 1, 1], w=[0.0], model="logistic"), r"w \(length 1\)"),
    (lambda: div.glm_diversity(np.eye(3), [1, 1, 1], model="probit"), r"model \(probit\)"),
    (lambda: div.glm_diversity(np.eye(2), [1.0, 2.0], w=[1.0, 2.0], model="squared"), "all zero"),
    (lambda: div.differential_diversity(np.eye(2), np.eye(2)), "all zero"),
    (lambda: div.differential_diversity(np.eye(2), np.eye(3)), "shape"),
]


@pytest.mark.parametrize("fn,message", BAD)
def test_bad_input_raises_a_clear_error(fn, message):
    with pytest.raises(BadInput, match=message):
        fn()


# ---- command line ------------------------------------------------------------------------------


@pytest.fixture()
def files(tmp_path):
    rng = np.random.default_rng(0)
    G = rng.standard_normal((30, 4)) + 0.2
    np.save(tmp_path / "G.npy", G)
    np.savetxt(tmp_path / "G.csv", G, delimiter=",")
    X = rng.standard_normal((40, 3))
    y = np.sign(rng.standard_normal(40))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    np.savez(tmp_path / "Xz.npz", X=X)
    sps.save_npz(tmp_path / "Gs.npz", sps.csr_matrix(np.where(np.abs(G) > 1, G, 0.0)))
    np.save(tmp_path / "Z.npy", np.zeros((3, 2)))
    np.save(tmp_path / "Gnan.npy", np.array([[1.0, np.nan]]))
    return tmp_path, G, X, y


def test_cli_json_from_gradients_matches_the_library(files, capsys):
    path, G, _, _ = files
    code = main(
        [
            "diversity",
            "--gradients",
            str(path / "G.npy"),
            "--drop",
            "0.4",
            "--sgld",
            "0.1",
            "--quant",
            "--batch",
            "5",
            "--json",
        ]
    )
    doc = json.loads(capsys.readouterr().out)
    s = div.diversity(G)
    assert code == 0
    assert {"n", "Delta_D", "B_D", "M2", "lower_bounds", "mechanisms", "delta"} <= set(doc)
    assert math.isclose(doc["B_D"], s.B_D) and math.isclose(doc["mechanisms"]["B_drop"], div.b_drop(s, 0.4))
    assert math.isclose(doc["delta"], 4 / s.B_D)


def test_cli_reads_csv_and_sparse_npz(files, capsys):
    path, G, _, _ = files
    assert main(["diversity", "--gradients", str(path / "G.csv"), "--json"]) == 0
    assert math.isclose(json.loads(capsys.readouterr().out)["B_D"], div.diversity(G).B_D)
    assert main(["diversity", "--gradients", str(path / "Gs.npz"), "--json"]) == 0
    assert "conflict_graph" in json.loads(capsys.readouterr().out)["lower_bounds"]


def test_cli_glm_mode_reports_the_lower_bounds(files, capsys):
    path, _, X, y = files
    code = main(
        ["diversity", "--data", str(path / "Xz.npz"), "--labels", str(path / "y.npy"), "--model", "logistic", "--json"]
    )
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and math.isclose(doc["B_D"], div.glm_diversity(X, y).B_D)
    assert doc["lower_bounds"]["glm"] <= doc["B_D"]


def test_cli_digits_prints_human_readable_text(capsys):
    assert main(["diversity", "--data", "digits", "--drop", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "B_D(w)" in out and "n = 1797" in out and "B_drop" in out


def test_cli_differential_mode(files, capsys):
    path, G, _, _ = files
    np.save(path / "G2.npy", G * 0.5)
    assert (
        main(["diversity", "--gradients", str(path / "G.npy"), "--gradients-prime", str(path / "G2.npy"), "--json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["input"] == "differential"


@pytest.mark.parametrize(
    "argv,message",
    [
        (["diversity"], "input (missing)"),
        (["diversity", "--gradients", "nope.npy"], "must be an existing"),
        (["diversity", "--gradients", "{p}/Z.npy"], "all zero"),
        (["diversity", "--gradients", "{p}/Gnan.npy"], "finite"),
        (["diversity", "--gradients", "{p}/G.npy", "--drop", "1.5"], "drop (1.5) must be in [0, 1)"),
        (["diversity", "--gradients", "{p}/G.npy", "--sgld", "-2"], "sgld (-2)"),
        (["diversity", "--gradients", "{p}/G.npy", "--batch", "31"], "B (31) must be <= n (30)"),
        (["diversity", "--data", "{p}/X.npy"], "labels (missing)"),
        (["diversity", "--data", "{p}/X.npy", "--labels", "{p}/G.npy"], "y (length"),
        (["diversity", "--data", "{p}/X.npy", "--labels", "{p}/y.npy", "--model", "probit"], "model (probit)"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(files, capsys, argv, message):
    path = files[0]
    code = main([a.replace("{p}", str(path)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_closed_forms_golden_values():
    s = div.diversity([[1.0, 1.0], [1.0, 0.0]])  # A = 3, S = 5, C = 2, A_q = 2 sqrt(2) + 1, n = d = 2
    assert math.isclose(div.b_drop(s, 0.25), 2 * 3 / (3 + 0.75 * 2))
    assert math.isclose(div.b_sgld(s, 0.5), 2 * (3 + 2 * 2 * 0.25) / (5 + 2 * 2 * 0.25))
    aq = 2 * math.sqrt(2) + 1
    assert math.isclose(div.b_quant(s), 2 * aq / (aq + 2))


def test_the_diversity_command_reports_the_simple_noise_scale_as_n_delta_minus_one(tmp_path, capsys):
    G = np.random.default_rng(0).standard_normal((40, 3)) + 0.5
    np.save(tmp_path / "G.npy", G)
    assert main(["diversity", "--gradients", str(tmp_path / "G.npy"), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    ns = r["noise_scale"]
    assert ns["B_simple"] == pytest.approx(r["B_D"] - 1, rel=1e-12)
    mean = G.mean(axis=0)
    assert ns["B_simple"] == pytest.approx(((G - mean) ** 2).sum(axis=1).mean() / (mean @ mean), rel=1e-12)


def test_a_generator_of_batches_on_the_command_line_streams_to_the_in_memory_result(tmp_path, monkeypatch, capsys):
    G = np.random.default_rng(1).standard_normal((60, 4)) + 1.0
    np.save(tmp_path / "G.npy", G)
    (tmp_path / "usergrads.py").write_text(
        "import numpy as np\n"
        f"G = np.load({str(tmp_path / 'G.npy')!r})\n"
        "def batches():\n"
        "    for i in range(0, len(G), 7):\n"
        "        yield G[i:i + 7]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["diversity", "--gradients", "usergrads:batches", "--sample", "--json"]) == 0
    streamed = json.loads(capsys.readouterr().out)
    assert main(["diversity", "--gradients", str(tmp_path / "G.npy"), "--sample", "--json"]) == 0
    in_memory = json.loads(capsys.readouterr().out)["noise_scale"]
    assert streamed["input"] == "stream" and streamed["n"] == 60
    assert streamed["B_simple"] == pytest.approx(in_memory["B_simple"], rel=1e-12)
    low, high = streamed["sample"]["interval"]
    assert low <= streamed["sample"]["B_simple"] <= high


def test_a_gradient_generator_that_cannot_be_imported_is_refused_naming_it(capsys):
    assert main(["diversity", "--gradients", "no_such_module_xyz:batches"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("boundlab: error: gradients (no_such_module_xyz:batches) must be a file or an importable")
