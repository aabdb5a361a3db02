"""Test problems: exact population quantities, exact identities and the sufficient-statistic samplers.

Monte Carlo comparisons use a fixed seed and a 5-standard-error tolerance, with the standard error
estimated from the same samples (two-sample: sqrt(se_1^2 + se_2^2)); a correct sampler fails one
such comparison with probability about 6e-7.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate

from boundlab.bounds import BadInput, get
from boundlab.montecarlo._problems import (
    GaussianMean,
    ModelAN,
    ModelE,
    ModelG,
    ModelR,
    NoiseStats,
    QuadraticProblem,
    QuadraticStats,
    SoftmaxRegression,
    abs_third_moment_normal,
    sign_vectors,
)

finite = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)


def _softmax_problem(l2: float = 0.1) -> SoftmaxRegression:
    rng = np.random.default_rng(7)
    X = np.hstack([rng.standard_normal((60, 3)), np.ones((60, 1))])
    y = rng.integers(0, 3, 60)
    return SoftmaxRegression(X, y, n_classes=3, l2=l2)


PROBLEMS = {
    "R": ModelR(d=3, sigma=0.7, radius=1.0, w_star=[0.5, -1.0, 0.25]),
    "G": ModelG(d=3, sigma=1.3, w_star=[1.0, 0.0, -2.0]),
    "E": ModelE(),
    "gauss-mean": GaussianMean(d=2, sigma=2.0, mu=[1.0, -1.0]),
    "AN-logcosh": ModelAN(d=3, phi="logcosh", c=[0.5, -0.5, 2.0]),
    "AN-cos": ModelAN(d=2, phi="cos", a=3.0, noise="exp"),
    "quadratic": QuadraticProblem(np.array([[2.0, 0.5], [0.5, 1.0]]), w_star=[1.0, 2.0], noise=0.3),
    "softmax": _softmax_problem(),
}


def _two_sample_z(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|mean(a) - mean(b)| / SE, column-wise, for samples on axis 0."""
    se = np.sqrt(a.var(axis=0, ddof=1) / a.shape[0] + b.var(axis=0, ddof=1) / b.shape[0])
    return np.abs(a.mean(axis=0) - b.mean(axis=0)) / se


def _moment_features(x: np.ndarray) -> np.ndarray:
    """Columns x_i and the centred products (x_i - mean)(x_j - mean), i <= j: means and covariances."""
    c = x - x.mean(axis=0)
    i, j = np.triu_indices(x.shape[1])
    return np.hstack([x, c[:, i] * c[:, j]])


# ---------------------------------------------------------------------------------------------
# exact identities (no Monte Carlo)
# ---------------------------------------------------------------------------------------------


@given(d=st.integers(1, 9), a=st.lists(finite, min_size=9, max_size=9), sigma=st.floats(0.0, 3.0))
def test_model_r_gradient_variance_by_enumeration_equals_proposition_3_1(d, a, sigma):
    p = ModelR(d=d, sigma=sigma, radius=1.0)
    w = np.array(a[:d])
    exact = (d - 1) * np.sum(w**2) + d * sigma**2
    assert float(p.gradient_variance(w)) == pytest.approx(exact, rel=1e-12, abs=1e-12)


@given(d=st.integers(1, 8), a=st.lists(finite, min_size=8, max_size=8), sigma=st.floats(0.0, 3.0))
def test_model_r_coordinate_variance_by_enumeration_equals_eq_3_8(d, a, sigma):
    ws = np.linspace(-1, 1, d)
    p = ModelR(d=d, sigma=sigma, w_star=ws)
    w = np.array(a[:d])
    e = w - ws
    expected = np.sum(e**2) - e**2 + sigma**2
    np.testing.assert_allclose(p.coordinate_variance(w), expected, rtol=1e-12, atol=1e-12)


def _W123(a: np.ndarray) -> tuple[float, float, float]:
    idx = range(len(a))
    W1 = float(np.sum(a**6))
    W2 = sum(a[i] ** 4 * a[j] ** 2 for i, j in itertools.permutations(idx, 2))
    W3 = sum(a[i] ** 2 * a[j] ** 2 * a[k] ** 2 for i, j, k in itertools.permutations(idx, 3))
    return W1, float(W2), float(W3)


@given(a=st.lists(finite, min_size=1, max_size=8))
def test_identity_3_13_cube_of_sum_of_squares_expands_into_W1_W2_W3(a):
    a = np.array(a)
    W1, W2, W3 = _W123(a)
    assert float(np.sum(a**2)) ** 3 == pytest.approx(W1 + 3 * W2 + W3, rel=1e-10, abs=1e-12)


@given(a=st.lists(finite, min_size=1, max_size=8))
def test_identity_3_16_sixth_rademacher_moment_is_W1_plus_15_W2_plus_15_W3(a):
    a = np.array(a)
    W1, W2, W3 = _W123(a)
    sixth = float(np.mean((sign_vectors(len(a)) @ a) ** 6))
    assert sixth == pytest.approx(W1 + 15 * W2 + 15 * W3, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("c,s", [(0.0, 1.0), (0.3, 1.0), (-2.0, 0.5), (5.0, 2.0), (1e-3, 3.0), (10.0, 0.1)])
def test_abs_third_moment_formula_matches_numerical_integration(c, s):
    f = lambda x: abs(x) ** 3 * math.exp(-0.5 * ((x - c) / s) ** 2) / (s * math.sqrt(2 * math.pi))  # noqa: E731
    lo, hi = c - 40 * s, c + 40 * s
    numeric = integrate.quad(f, lo, hi, points=[0.0] if lo < 0 < hi else None, epsabs=0, epsrel=1e-12, limit=200)[0]
    assert float(abs_third_moment_normal(c, s)) == pytest.approx(numeric, rel=1e-9)


def test_abs_third_moment_with_zero_scale_is_the_cube_of_the_mean():
    np.testing.assert_array_equal(abs_third_moment_normal([-2.0, 3.0], 0.0), [8.0, 27.0])


def test_sign_vectors_are_all_distinct_sign_patterns():
    S = sign_vectors(5)
    assert S.shape == (32, 5) and set(np.unique(S)) == {-1, 1}
    assert len({tuple(r) for r in S}) == 32


@given(d=st.integers(2, 8), a=st.lists(finite, min_size=8, max_size=8), sigma=st.floats(0.05, 3.0))
def test_model_r_skewness_lies_between_one_and_the_tight_constant_and_below_sqrt_480(d, a, sigma):
    gamma = ModelR(d=d, sigma=sigma).coordinate_skewness(np.array(a[:d]))
    assert np.all(gamma >= 1 - 1e-12)  # Lyapunov
    assert np.all(gamma <= ModelR.S_tight + 1e-12)  # sharp Khintchine, catalog [NOTE]
    assert np.all(gamma <= math.sqrt(480))


def test_model_r_skewness_at_w_star_is_that_of_a_gaussian():
    np.testing.assert_allclose(
        ModelR(d=4, sigma=2.0).coordinate_skewness(np.zeros(4)), 2 * math.sqrt(2 / math.pi), rtol=1e-13
    )


def test_model_r_skewness_matches_direct_rademacher_enumeration_without_noise():
    # sigma = 0: Delta_k = x_k * sum_{i != k} x_i a_i; enumerate all 2^d sign vectors directly
    a = np.array([0.3, -1.1, 0.7, 2.0])
    X = sign_vectors(4).astype(float)
    delta = X * (X @ a)[:, None] - a  # x_k (x'a) - a_k
    gamma = np.mean(np.abs(delta) ** 3, axis=0) / np.mean(delta**2, axis=0) ** 1.5
    np.testing.assert_allclose(ModelR(d=4, sigma=0.0).coordinate_skewness(a), gamma, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# golden values
# ---------------------------------------------------------------------------------------------


def test_model_e_skewness_is_12_over_e_minus_2_by_integration():
    third = (
        integrate.quad(lambda z: abs(z - 1) ** 3 * math.exp(-z), 0, 1)[0]
        + integrate.quad(lambda z: abs(z - 1) ** 3 * math.exp(-z), 1, np.inf)[0]
    )
    assert ModelE.S == pytest.approx(third, rel=1e-10)
    assert ModelE.S == pytest.approx(2.4145533, abs=5e-8)


@pytest.mark.parametrize("n,golden", [(10, 0.0331285), (100, 0.00333135), (1000, 0.000333314)])
def test_model_e_skewness_floor_matches_golden_values(n, golden):
    assert ModelE.skewness_floor(n) == pytest.approx(golden, rel=2e-6)


def test_an_cos_minimiser_and_minimum_match_golden_values_for_a_equal_3():
    p = ModelAN(d=3, phi="cos", a=3.0)
    w0 = float(p.w_star[0])
    assert w0 == pytest.approx(2.2788626, abs=1e-7)
    assert p.F_star / 3 == pytest.approx(0.6455091, abs=1e-7)
    np.testing.assert_allclose(p.grad_F(p.w_star), 0.0, atol=1e-12)
    assert 1 - 3 * math.cos(w0) > 0  # a strict local minimum
    grid = np.linspace(-8, 8, 200001)
    assert float(p.F_star) / 3 <= np.min(grid**2 / 2 + 3 * np.cos(grid)) + 1e-12  # and global


@pytest.mark.parametrize("alpha,n,golden", [(0.1, 100, 0.0279421), (0.05, 1000, 0.0041750)])
def test_observation_3_1_exact_separation_matches_golden_values(alpha, n, golden):
    assert GaussianMean(d=1, sigma=1.0).lower_bound_separation(n, alpha) == pytest.approx(golden, abs=1e-7)


def test_model_r_constants_reproduce_the_catalog_delta_through_the_registry():
    thm = get("thm3.8")
    names = {p.name for p in thm.params}
    c = ModelR(d=2, sigma=1.0, radius=1.0).constants(skewness="tight")
    params = {k: v for k, v in c.items() if k in names}
    assert set(params) == {"d", "D", "L_hat", "V", "S"}
    assert thm.evaluate(n=1000, m=1000, alpha=0.05, **params) == pytest.approx(0.0620161, abs=1e-7)


def test_model_e_constants_reproduce_the_catalog_delta_through_the_registry():
    thm = get("thm3.8")
    names = {p.name for p in thm.params}
    params = {k: v for k, v in ModelE().constants().items() if k in names}
    assert thm.evaluate(n=100, m=201, alpha=10 / 201, **params) == pytest.approx(0.3224444, abs=1e-7)


def test_model_r_constants_follow_the_catalog():
    c = ModelR(d=5, sigma=0.5, radius=2.0).constants()
    assert c == {
        "d": 5,
        "D": 4.0,
        "L_hat": 5.0,
        "L_F": 1.0,
        "lambda_F": 1.0,
        "V": math.sqrt(4 * 4 + 5 * 0.25),
        "S": 480.0,
        "v": math.sqrt(0.25 + 4),
    }
    assert ModelR(d=5).constants(skewness="proof")["S"] == pytest.approx(21.908902, abs=1e-6)


# ---------------------------------------------------------------------------------------------
# population gradients, losses and minimisers
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_population_gradient_matches_central_finite_differences_of_F(name):
    p = PROBLEMS[name]
    rng = np.random.default_rng(3)
    w = rng.standard_normal((4, p.d))
    h = 1e-6
    fd = np.stack([(p.F(w + h * e) - p.F(w - h * e)) / (2 * h) for e in np.eye(p.d)], axis=-1)
    np.testing.assert_allclose(p.grad_F(w), fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_w_star_is_a_stationary_point_with_value_F_star(name):
    p = PROBLEMS[name]
    np.testing.assert_allclose(p.grad_F(p.w_star), 0.0, atol=1e-7)
    assert float(p.F(p.w_star)) == pytest.approx(p.F_star, abs=1e-12)
    rng = np.random.default_rng(4)
    if name != "AN-cos":  # convex problems: w* is a global minimum
        assert np.all(p.F(p.w_star + rng.standard_normal((50, p.d))) >= p.F_star - 1e-12)


@pytest.mark.parametrize("name", ["R", "G", "E", "gauss-mean", "quadratic"])
def test_population_loss_of_quadratic_models_matches_definition_3_9(name):
    p = PROBLEMS[name]
    w = np.random.default_rng(5).standard_normal((6, p.d))
    c_F = p.F_star + 0.5 * p.w_star @ p.H_F @ p.w_star
    direct = 0.5 * np.einsum("ri,ij,rj->r", w, p.H_F, w) + w @ p.p_F + c_F
    np.testing.assert_allclose(p.F(w), direct, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_local_gradients_have_shape_R_m_d_and_average_to_grad_F_in_expectation(name):
    p = PROBLEMS[name]
    stats = (
        p.sample(np.random.default_rng(6), 2, 3, 4)
        if name == "softmax"
        else p.sample(np.random.default_rng(6), 4000, 5, 8)
    )
    w = np.random.default_rng(7).standard_normal((stats.R, p.d)) * 0.5
    g = p.local_gradients(stats, w)
    assert g.shape == (stats.R, stats.m, p.d)
    if name != "softmax":  # unbiased: E grad F_i(w) = grad F(w)
        diff = (g - p.grad_F(w)[:, None, :]).reshape(-1, p.d)
        z = np.abs(diff.mean(axis=0)) / (diff.std(axis=0, ddof=1) / math.sqrt(diff.shape[0]))
        assert np.all(z < 5)


def test_softmax_local_gradients_average_to_the_gradient_on_the_union_of_shards():
    p = _softmax_problem(l2=0.05)
    stats = p.sample(np.random.default_rng(0), R=3, m=4, n=10)
    w = np.random.default_rng(1).standard_normal((3, p.d))
    g = p.local_gradients(stats, w).mean(axis=1)
    for r in range(3):
        rows = stats.indices[r].ravel()
        shard = SoftmaxRegression(p.features[rows], p.labels[rows], n_classes=3, l2=0.05)
        np.testing.assert_allclose(g[r], shard.grad_F(w[r]), rtol=1e-12, atol=1e-14)


def test_softmax_shards_are_disjoint_and_label_flips_hit_only_the_first_q_machines():
    p = _softmax_problem()
    s = p.sample(np.random.default_rng(0), R=5, m=6, n=10)
    assert all(len(np.unique(s.indices[r])) == 60 for r in range(5))
    f = s.flip_labels(2, 3)
    np.testing.assert_array_equal(f.labels[:, :2], 2 - s.labels[:, :2])
    np.testing.assert_array_equal(f.labels[:, 2:], s.labels[:, 2:])


# ---------------------------------------------------------------------------------------------
# samplers against direct simulation
# ---------------------------------------------------------------------------------------------


def test_model_r_d2_sampler_matches_direct_int8_sampler_in_mean_and_covariance():
    p = ModelR(d=2, sigma=0.8, w_star=[1.0, -0.5])
    a = p.sample(np.random.default_rng(10), 500, 40, 6, method="d2")
    b = p.sample(np.random.default_rng(11), 500, 40, 6, method="direct")
    feats = [np.column_stack([s.H[..., 0, 1].ravel(), s.b[..., 0].ravel(), s.b[..., 1].ravel()]) for s in (a, b)]
    assert np.all(_two_sample_z(_moment_features(feats[0]), _moment_features(feats[1])) < 5)
    # the noise correlation given H (Cov = sigma^2 H / n) shows only in a third-order moment: E[h n_0 n_1]
    resid = [f[:, 1:] - np.column_stack([1.0 - 0.5 * f[:, 0], f[:, 0] - 0.5]) for f in feats]  # b - H w*
    third = [(f[:, 0] * r[:, 0] * r[:, 1])[:, None] for f, r in zip(feats, resid)]
    assert _two_sample_z(third[0], third[1])[0] < 5
    assert third[1].mean() == pytest.approx(0.8**2 / 6**2, rel=0.2)  # E[h * sigma^2 h / n] = sigma^2 / n^2
    # and the exact law of h = H_01: mean 0, variance 1/n
    h = feats[1][:, 0]
    assert abs(h.mean()) < 5 * math.sqrt(1 / 6 / h.size)
    assert np.array_equal(np.unique(a.H[..., 0, 1] * 6), np.unique(b.H[..., 0, 1] * 6))


def test_model_r_direct_sampler_has_unit_diagonal_and_noiseless_b_equals_H_w_star():
    p = ModelR(d=4, sigma=0.0, w_star=[1.0, 2.0, -1.0, 0.5])
    s = p.sample(np.random.default_rng(0), 7, 3, 9, method="direct")
    assert np.all(np.diagonal(s.H, axis1=-2, axis2=-1) == 1.0)
    np.testing.assert_allclose(s.b, s.H @ p.w_star, rtol=0, atol=1e-14)
    np.testing.assert_allclose(np.round(s.H * 9), s.H * 9, atol=1e-12)  # X'X is an integer matrix


def test_model_r_direct_sampler_is_exact_least_squares_of_explicit_data():
    # the int8 path against an explicit float computation from the same random stream
    p = ModelR(d=3, sigma=0.5, w_star=[0.1, 0.2, 0.3])
    s = p.sample(np.random.default_rng(42), 2, 3, 5, method="direct")
    rng = np.random.default_rng(42)
    bits = np.unpackbits(rng.integers(0, 256, size=(2 * 3 * 5 * 3 + 7) // 8, dtype=np.uint8))[:90]
    X = (2.0 * bits - 1).reshape(2, 3, 5, 3)
    y = X @ p.w_star + 0.5 * rng.standard_normal((2, 3, 5))
    np.testing.assert_allclose(s.H, np.einsum("rmni,rmnj->rmij", X, X) / 5, rtol=1e-15)
    np.testing.assert_allclose(s.b, np.einsum("rmni,rmn->rmi", X, y) / 5, rtol=1e-13, atol=1e-15)


def test_model_g_wishart_sampler_matches_direct_gaussian_features_in_mean_and_covariance():
    p = ModelG(d=2, sigma=0.7, w_star=[1.0, -2.0])
    a = p.sample(np.random.default_rng(20), 1000, 20, 5, method="wishart")
    b = p.sample(np.random.default_rng(21), 1000, 20, 5, method="direct")
    feats = [
        np.column_stack(
            [
                s.H[..., 0, 0].ravel(),
                s.H[..., 0, 1].ravel(),
                s.H[..., 1, 1].ravel(),
                s.b[..., 0].ravel(),
                s.b[..., 1].ravel(),
            ]
        )
        for s in (a, b)
    ]
    assert np.all(_two_sample_z(_moment_features(feats[0]), _moment_features(feats[1])) < 5)


def test_model_g_local_erm_given_H_is_gaussian_with_covariance_sigma2_inverse_nH():
    p = ModelG(d=3, sigma=0.5, w_star=[0.3, -0.2, 1.0])
    n = 6
    s = p.sample(np.random.default_rng(30), 2000, 10, n, method="direct")
    e = p.local_minimizers(s) - p.w_star  # (R, m, d)
    L = np.linalg.cholesky(n * s.H)  # whiten: L' e / sigma ~ N(0, I)
    z = (np.swapaxes(L, -1, -2) @ e[..., None])[..., 0].reshape(-1, 3) / 0.5
    assert np.all(np.abs(z.mean(axis=0)) < 5 / math.sqrt(z.shape[0]))
    cov = np.cov(z, rowvar=False)
    se = math.sqrt(2 / z.shape[0])  # SE of a N(0,1) variance estimate; off-diagonals have SE 1/sqrt(N)
    assert np.all(np.abs(cov - np.eye(3)) < 5 * se)


def test_model_e_gamma_sampler_matches_averaged_exponential_data():
    a = ModelE().sample(np.random.default_rng(40), 4000, 10, 7, method="gamma").b.reshape(-1, 1)
    b = ModelE().sample(np.random.default_rng(41), 4000, 10, 7, method="direct").b.reshape(-1, 1)
    assert np.all(_two_sample_z(_moment_features(a), _moment_features(b)) < 5)


def test_model_an_exponential_noise_means_are_centred_with_variance_s2_over_n():
    p = ModelAN(d=2, noise="exp", noise_scale=2.0)
    z = p.sample(np.random.default_rng(50), 5000, 10, 4).zbar.reshape(-1, 2)
    assert np.all(np.abs(z.mean(axis=0)) < 5 * math.sqrt(1.0 / z.shape[0]))
    sq = z**2  # E z^2 = s^2/n = 1
    assert np.all(np.abs(sq.mean(axis=0) - 1.0) < 5 * sq.std(axis=0) / math.sqrt(z.shape[0]))


def test_gaussian_mean_byzantine_mask_is_bernoulli_alpha():
    s = GaussianMean(d=1).sample(np.random.default_rng(60), 2000, 50, 10, alpha=0.2)
    k = s.byzantine.sum()
    N = s.byzantine.size
    assert abs(k / N - 0.2) < 5 * math.sqrt(0.2 * 0.8 / N)


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_sampling_is_reproducible_from_the_generator_alone(name):
    p = PROBLEMS[name]
    a = p.sample(np.random.default_rng(99), 3, 4, 5)
    b = p.sample(np.random.default_rng(99), 3, 4, 5)
    w = np.ones((3, p.d)) * 0.1
    np.testing.assert_array_equal(p.local_gradients(a, w), p.local_gradients(b, w))


def test_statistics_take_machines_and_concatenate_preserve_the_gradients():
    p = ModelR(d=3)
    s = p.sample(np.random.default_rng(0), 6, 5, 10)
    w = np.random.default_rng(1).standard_normal((6, 3))
    g = p.local_gradients(s, w)
    joined = QuadraticStats.concatenate([s.take(slice(0, 2)), s.take(slice(2, 6))])
    np.testing.assert_array_equal(p.local_gradients(joined, w), g)
    np.testing.assert_array_equal(p.local_gradients(s.machines(slice(2, None)), w), g[:, 2:])
    ns = NoiseStats(np.arange(24.0).reshape(2, 3, 4))
    assert ns.machines(slice(1, None)).m == 2 and ns.take([1]).R == 1


def test_default_model_r_sample_stays_far_below_two_gibibytes():
    # R*m*n*d int8 features at the default check sizes: 40 MB; H (R, m, d, d) float64: 32 MB
    assert 1000 * 40 * 100 * 10 < 2**31 / 20


# ---------------------------------------------------------------------------------------------
# invalid input
# ---------------------------------------------------------------------------------------------

BAD = [
    (lambda: ModelR(d=0), "d"),
    (lambda: ModelR(d=2, sigma=-1.0), "sigma"),
    (lambda: ModelR(d=2, radius=0.0), "radius"),
    (lambda: ModelR(d=2, w_star=[1.0, 2.0, 3.0]), "w_star"),
    (lambda: ModelR(d=3).sample(np.random.default_rng(0), 1, 2, 3, method="d2"), "d"),
    (lambda: ModelR(d=2).sample(np.random.default_rng(0), 0, 2, 3), "R"),
    (lambda: ModelR(d=2).sample(np.random.default_rng(0), 1, 2.5, 3), "m"),
    (lambda: ModelR(d=2).sample(0, 1, 2, 3), "rng"),
    (lambda: ModelR(d=2).sample(np.random.default_rng(0), 1, 2, 3, method="x"), "method"),
    (lambda: ModelR(d=8).sample(np.random.default_rng(0), 10**4, 10**3, 10**3, method="direct"), "R"),
    (lambda: ModelG(d=3, sigma=0.0), "sigma"),
    (lambda: ModelG(d=3).sample(np.random.default_rng(0), 1, 2, 2), "n"),
    (lambda: ModelE(radius=-1), "radius"),
    (lambda: ModelAN(phi="sin"), "phi"),
    (lambda: ModelAN(noise="cauchy"), "noise"),
    (lambda: ModelAN(phi="cos", a=0.5), "a"),
    (lambda: GaussianMean(d=1).sample(np.random.default_rng(0), 1, 2, 3, alpha=0.5), "alpha"),
    (lambda: GaussianMean(d=1).lower_bound_separation(10, 0.7), "alpha"),
    (lambda: QuadraticProblem(np.array([[1.0, 2.0], [0.0, 1.0]]), w_star=[0, 0]), "H_F"),
    (lambda: QuadraticProblem(np.diag([1.0, -1.0]), w_star=[0, 0]), "H_F"),
    (lambda: SoftmaxRegression(np.ones((4, 2)), np.array([0, 1, 2, 3]), n_classes=3), "labels"),
    (lambda: _softmax_problem().sample(np.random.default_rng(0), 1, 7, 10), "n"),
    (lambda: ModelR(d=2).constants(skewness="max"), "skewness"),
    (lambda: sign_vectors(21), "k"),
    (lambda: abs_third_moment_normal(0.0, -1.0), "s"),
]


@pytest.mark.parametrize("make,name", BAD, ids=[f"{i}-{n}" for i, (_, n) in enumerate(BAD)])
def test_invalid_problem_arguments_raise_bad_input_naming_the_argument(make, name):
    with pytest.raises(BadInput, match=rf"^{name}") as info:
        make()
    assert info.value.name == name
    assert str(info.value).endswith(".")


@pytest.mark.parametrize("order", ["C", "F"])
def test_product_layout_gives_each_trial_the_same_bits_whatever_the_batch_and_the_memory_order_of_w(order):
    p = ModelR(d=10, sigma=1.0)
    s = p.sample(np.random.default_rng(0), 9, 7, 20)
    fast = s.for_products()
    w = np.asarray(np.random.default_rng(1).standard_normal((9, 10)), order=order)
    batch = fast.local_gradients(w)
    for r in range(9):
        one = s.take(slice(r, r + 1)).for_products().local_gradients(np.ascontiguousarray(w[r : r + 1]))
        np.testing.assert_array_equal(batch[r : r + 1], one)
    plain = s.local_gradients(w)
    np.testing.assert_allclose(batch, plain, rtol=1e-13, atol=1e-13 * np.abs(plain).max())


def test_product_layout_leaves_shared_or_identity_curvatures_as_they_are():
    ident = QuadraticStats(H=None, b=np.zeros((2, 3, 4)))
    shared = QuadraticStats(H=np.broadcast_to(np.eye(4), (1, 1, 4, 4)), b=np.zeros((2, 3, 4)))
    assert ident.for_products() is ident and shared.for_products() is shared
    once = ModelR(d=4).sample(np.random.default_rng(0), 2, 3, 5).for_products()
    assert once.for_products() is once
