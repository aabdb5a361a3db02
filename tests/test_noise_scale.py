"""The gradient noise scale beside the diversity: n Delta_D = 1 + B_simple exactly; streamed = in memory."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sps
from hypothesis import given, settings

from boundlab.bounds import BadInput
from boundlab.montecarlo import diversity, gradient_noise_scale
from boundlab.testing import gradient_sets


@settings(max_examples=40, deadline=None)
@given(g=gradient_sets())
def test_n_delta_d_equals_one_plus_b_simple_to_1e_12(g):
    r = gradient_noise_scale(g)
    if np.isfinite(r.B_simple):
        assert abs(r.n * r.Delta_D - (1 + r.B_simple)) <= 1e-12 * max(1.0, r.n * r.Delta_D)


@settings(max_examples=40, deadline=None)
@given(g=gradient_sets())
def test_b_d_agrees_with_the_chapter_2_calculator(g):
    assert gradient_noise_scale(g).B_D == pytest.approx(diversity(g).B_D, rel=1e-10)


@settings(max_examples=30, deadline=None)
@given(g=gradient_sets())
def test_streamed_batches_files_and_sparse_input_agree_with_in_memory(g, tmp_path_factory):
    ref = gradient_noise_scale(g)
    path = tmp_path_factory.mktemp("g") / "g.npy"
    np.save(path, g)

    def batches():
        for i in range(0, g.shape[0], 3):
            yield g[i : i + 3]

    for other in (
        gradient_noise_scale(batches),
        gradient_noise_scale(path, block=2),
        gradient_noise_scale(sps.csr_matrix(g)),
    ):
        assert other.n == ref.n
        assert other.B_D == pytest.approx(ref.B_D, rel=1e-10)
        assert other.B_simple == pytest.approx(ref.B_simple, rel=1e-9, abs=1e-12)


def test_the_sample_estimators_cover_the_true_noise_scale():
    rng = np.random.default_rng(0)
    mean = np.full(5, 0.3)
    true = 5 / float(mean @ mean)  # tr(Sigma) = 5 for identity covariance
    covered = 0
    for _ in range(40):
        r = gradient_noise_scale(rng.standard_normal((2000, 5)) + mean, sample=True, groups=20)
        lo, hi = r.sample["interval"]
        covered += lo <= true <= hi
    assert covered >= 30  # nominal 95%: 38 expected


def test_unbiased_estimators_are_unbiased_on_average():
    rng = np.random.default_rng(1)
    mean = np.array([1.0, -0.5])
    tr = []
    G2 = []
    for _ in range(2000):
        r = gradient_noise_scale(rng.standard_normal((8, 2)) + mean, sample=True, groups=2)
        tr.append(r.sample["tr_Sigma"])
        G2.append(r.sample["G_norm2"])
    assert np.mean(tr) == pytest.approx(2.0, abs=0.08)
    assert np.mean(G2) == pytest.approx(1.25, abs=0.06)


BAD = [
    (lambda tmp: np.zeros((3, 2)), "all zero"),
    (lambda tmp: tmp / "missing.npy", "must be an existing file"),
    (lambda tmp: (tmp / "g.txt").write_text("1") and tmp / "g.txt", "must be a .npy, .npz or .pt file"),
    (lambda tmp: [np.ones((2, 2)), np.ones((2, 3))].__iter__(), "must all have width d = 2"),
    (lambda tmp: np.array([[np.nan, 1.0]]), "must be finite"),
]


@pytest.mark.parametrize(("make", "match"), BAD, ids=[m for _, m in BAD])
def test_bad_gradients_raise_bad_input(make, match, tmp_path):
    with pytest.raises(BadInput, match=match):
        gradient_noise_scale(make(tmp_path))


def test_the_docs_example_runs_and_reports_about_eleven():
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "noise-scale.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    ns: dict = {}
    exec(compile(code, "docs/noise-scale.md", "exec"), ns)
    lo, hi = ns["r"].sample["interval"]
    assert lo < 5 / 0.45 < hi
    assert ns["r"].B_D == pytest.approx(1 + ns["r"].B_simple, rel=1e-12)
