"""Properties of the Byzantine attacks (catalog Chapter 3 section 5.2) and of apply_attack."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st

from boundlab.bounds import BadInput
from boundlab.montecarlo._aggregators import mean, median, trimmed_mean
from boundlab.montecarlo._attacks import (
    ATTACKS,
    AttackContext,
    alie,
    alie_z,
    apply_attack,
    gaussian,
    inside_range,
    label_flip,
    large_value,
    one_sided_shift,
    random_labels,
    stall,
)

BATCH, M_H, D, Q = (3, 2), 12, 5, 4


def _honest(seed: int = 0) -> np.ndarray:
    """Honest gradients with a clear non-zero mean, shape (3, 2, 12, 5)."""
    return 1.0 + np.random.default_rng(seed).standard_normal((*BATCH, M_H, D))


def _ctx(honest: np.ndarray) -> AttackContext:
    return AttackContext(grad_F=honest.mean(axis=-2), k=Q, t=0)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_every_registered_attack_returns_q_rows_per_batch_element(name):
    honest = _honest()
    for q in (0, 1, Q):
        byz = ATTACKS[name](honest, q, np.random.default_rng(0), _ctx(honest))
        assert byz.shape == (*BATCH, q, D)
    full = apply_attack(honest, Q, name, np.random.default_rng(0), _ctx(honest))
    assert full.shape == (*BATCH, Q + M_H, D)
    np.testing.assert_array_equal(full[..., Q:, :], honest)  # Byzantine rows first


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_every_attack_is_deterministic_given_the_seed_and_leaves_honest_untouched(name):
    honest = _honest()
    before = honest.copy()
    a = apply_attack(honest, Q, name, np.random.default_rng(7), _ctx(honest))
    b = apply_attack(honest, Q, name, np.random.default_rng(7), _ctx(honest))
    np.testing.assert_array_equal(a, b)  # NaN compares equal here
    np.testing.assert_array_equal(honest, before)
    a[..., Q:, :] = -1.0  # the returned array never aliases the honest one
    np.testing.assert_array_equal(honest, before)


def test_randomised_attacks_depend_on_the_seed():
    honest = _honest()
    for name in ("gaussian", "large_value_random"):
        a = ATTACKS[name](honest, Q, np.random.default_rng(1))
        b = ATTACKS[name](honest, Q, np.random.default_rng(2))
        assert not np.array_equal(a, b), name


def test_attacks_do_not_use_global_random_state():
    honest = _honest()
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    for name in sorted(ATTACKS):
        ATTACKS[name](honest, Q, np.random.default_rng(0), _ctx(honest))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


# minimum shift of the mean aggregator, per coordinate, for the 4 Byzantine of 16 workers
MOVES = {
    "sign_flip": 0.4,  # (q/m) * (1 + c) * |mean| = 0.25 * 2 * ~1
    "sign_flip_10": 2.0,
    "gaussian": 1.0,  # 0.25 * |N(0, 100^2) averaged over 4|, typical 12
    "large_value": 1e5,
    "large_value_random": 1e3,
    "nan": np.inf,
    "inf": np.inf,
    "-inf": np.inf,
    "1e308": 1e300,
    "alie": 0.02,  # z = Phi^{-1}(11/16) = 0.49, 0.25 * 0.49 * std
    "inner_product": 0.2,  # 0.25 * 1.1 * ~1
    "one_sided_shift": 0.3,
    "stall": 1e5,
    "inside_range": 0.05,
    "inside_range_max": 0.1,
    "optimal_alie": 0.5,  # the scale searched against the median, 0.25 * tau * std
    "optimal_ipm": 0.5,
    "mimic": 0.03,  # 0.25 * |h_j - mean|
    "minmax": 0.1,  # 0.25 * gamma * std
    "minsum": 0.1,
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_every_attack_moves_the_mean_aggregator(name):
    assert set(MOVES) == set(ATTACKS)  # a new attack needs a row here
    honest = _honest()
    full = apply_attack(honest, Q, name, np.random.default_rng(0), _ctx(honest))
    with np.errstate(invalid="ignore"):
        shift = np.abs(mean(full) - mean(honest))
    shift = np.where(np.isnan(shift), np.inf, shift)
    assert np.median(shift) >= MOVES[name]


def test_large_value_moves_the_mean_but_not_the_median():
    honest = _honest()
    full = apply_attack(honest, Q, "large_value", np.random.default_rng(0))
    assert np.all(np.abs(mean(full) - mean(honest)) > 1e5)
    assert np.all(median(full) <= honest.max(axis=-2))


@given(k=st.integers(0, 5), q=st.integers(0, 6), which=st.sampled_from(["kth", "max"]), seed=st.integers(0, 99))
def test_inside_range_values_survive_trimming(k, q, which, seed):
    honest = np.random.default_rng(seed).standard_normal((2, M_H, 3))
    full = apply_attack(
        honest, q, functools.partial(inside_range, which=which), np.random.default_rng(0), AttackContext(k=k)
    )
    _, kept = trimmed_mean(full, k=k, return_mask=True)
    if which == "kth":  # A3: the k trimmed from the top are honest, every Byzantine value is kept
        assert kept[..., :q, :].all()
    else:  # A3': the maximum survives whenever the Byzantine copies outnumber the trim
        if q > k:
            assert kept[..., :q, :].any(axis=-2).all()


def test_inside_range_biases_the_trimmed_mean_upward():
    honest = np.random.default_rng(0).standard_normal((200, 20, 3))
    k = 2
    full = apply_attack(honest, k, "inside_range", np.random.default_rng(0), AttackContext(k=k))
    bias = trimmed_mean(full, k=k) - honest.mean(axis=-2)
    assert bias.mean() > 0.1


def test_one_sided_shift_puts_the_median_at_the_upper_end_of_the_bounded_influence_interval():
    honest = np.random.default_rng(0).standard_normal((4, 8, 3))
    q = 3  # m = 11, the median is the 6th smallest of all: the honest y_((m+1)/2) = y_6
    out = median(apply_attack(honest, q, "one_sided_shift", np.random.default_rng(0)))
    np.testing.assert_array_equal(out, np.sort(honest, axis=-2)[..., 5, :])
    scaled = one_sided_shift(1e9 * honest, q, np.random.default_rng(0))
    assert np.all(scaled > 1e9 * honest.max(axis=-2)[..., None, :])


def test_stall_opposes_the_sign_of_the_true_gradient():
    g = np.array([[2.0, -0.5, 0.0], [-1.0, 1.0, 3.0]])
    byz = stall(np.zeros((2, 5, 3)), 2, np.random.default_rng(0), AttackContext(grad_F=g), c=10.0)
    np.testing.assert_array_equal(byz, np.repeat(-10.0 * np.sign(g)[:, None, :], 2, axis=1))


def test_alie_uses_the_baruch_formula_and_sits_z_standard_deviations_below_the_mean():
    assert alie_z(10, 1) == 0.0  # s = 5, (m - s)/m = 1/2
    assert alie_z(50, 12) == pytest.approx(scipy.stats.norm.ppf(36 / 50))
    honest = _honest()
    byz = alie(honest, Q, np.random.default_rng(0))
    z = alie_z(M_H + Q, Q)
    expected = honest.mean(axis=-2) - z * honest.std(axis=-2, ddof=1)
    np.testing.assert_allclose(byz, np.repeat(expected[..., None, :], Q, axis=-2))


def test_gaussian_noise_has_the_requested_scale():
    byz = gaussian(np.zeros((1, 5, 20000)), 1, np.random.default_rng(0), tau=3.0)
    assert byz.std() == pytest.approx(3.0, rel=0.03)


def test_large_value_random_signs_are_plus_or_minus_c():
    byz = large_value(np.zeros((6, 4)), 50, np.random.default_rng(0), c=2.0, sign="random")
    assert set(np.unique(byz)) == {-2.0, 2.0}


@given(y=st.lists(st.integers(0, 9), max_size=50), n=st.integers(10, 12))
def test_label_flip_is_an_involution_on_valid_labels(y, n):
    y = np.asarray(y, dtype=np.int64)
    flipped = label_flip(y, n)
    np.testing.assert_array_equal(flipped + y, n - 1)
    np.testing.assert_array_equal(label_flip(flipped, n), y)


def test_label_flip_is_the_dissertations_nine_minus_y():
    np.testing.assert_array_equal(label_flip(np.arange(10)), 9 - np.arange(10))


def test_random_labels_are_uniform_and_reproducible():
    y = np.zeros(20000, dtype=int)
    a = random_labels(y, np.random.default_rng(3))
    np.testing.assert_array_equal(a, random_labels(y, np.random.default_rng(3)))
    counts = np.bincount(a, minlength=10)
    assert scipy.stats.chisquare(counts).pvalue > 1e-4


INVALID = [
    (
        "q negative",
        lambda: apply_attack(np.zeros((3, 2)), -2, "gaussian", np.random.default_rng(0)),
        r"q \(-2\) must be >= 0",
    ),
    (
        "q float",
        lambda: ATTACKS["alie"](np.zeros((3, 2)), 2.0, np.random.default_rng(0)),
        r"q \(2.0\) must be an integer",
    ),
    (
        "honest ndim 1",
        lambda: ATTACKS["sign_flip"](np.zeros(3), 1, np.random.default_rng(0)),
        r"honest \(ndim 1, shape \(3,\)\) must have ndim >= 2",
    ),
    (
        "legacy rng",
        lambda: ATTACKS["gaussian"](np.zeros((3, 2)), 1, np.random.RandomState(0)),
        r"rng \(RandomState\) must be a numpy.random.Generator",
    ),
    (
        "unknown attack",
        lambda: apply_attack(np.zeros((3, 2)), 1, "nope", np.random.default_rng(0)),
        r"attack \('nope'\) must be one of",
    ),
    (
        "wrong output shape",
        lambda: apply_attack(np.zeros((3, 2)), 1, lambda h, q, r, c: np.zeros((2, 2)), np.random.default_rng(0)),
        r"the attack's output \(shape \(2, 2\)\) must have shape \(1, 2\)",
    ),
    (
        "stall without grad_F",
        lambda: ATTACKS["stall"](np.zeros((3, 2)), 1, np.random.default_rng(0)),
        r"ctx.grad_F \(None\) must be given",
    ),
    (
        "inside_range k >= m_h",
        lambda: inside_range(np.zeros((3, 2)), 1, np.random.default_rng(0), k=3),
        r"k \(3\) must be an integer in \[0, m_h\) = \[0, 3\)",
    ),
    (
        "nan_inf unknown value",
        lambda: ATTACKS["nan"](np.zeros((3, 2)), 1, np.random.default_rng(0), value="x"),
        r"value \('x'\) must be one of",
    ),
    (
        "large_value sign",
        lambda: large_value(np.zeros((3, 2)), 1, np.random.default_rng(0), sign=2),
        r"sign \(2\) must be 1, -1 or 'random'",
    ),
    (
        "label out of range",
        lambda: label_flip(np.array([0, 10])),
        r"y \(range \[0, 10\]\) must be in \[0, num_classes\)",
    ),
    ("float labels", lambda: label_flip(np.array([0.5])), r"y \(dtype float64\) must hold integer class labels"),
]


@pytest.mark.parametrize("case,call,message", INVALID, ids=[row[0] for row in INVALID])
def test_invalid_attack_arguments_raise_bad_input_naming_the_argument(case, call, message):
    with pytest.raises(BadInput, match=message):
        call()
