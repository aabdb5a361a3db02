"""certify/_network.py: Lemma 5.1's surrogate, certified margins and the Theorem 5.8 bound."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boundlab.bounds import BadInput
from boundlab.certify import (
    build_q,
    certify_network,
    exact_adversarial_margin,
    exact_max_increase,
    load_network,
    network,
    ramp,
    sdp_constant,
    solve_sdp,
    theorem58_bound,
)

LEMMA51_NET = dict(W1=[[1.0, -1.0, 0.0], [0.0, 0.0, 1.0]], W2=[[0.0, 1.0], [4.75, 0.0]])


def _small_net(seed: int, d: int = 3, d1: int = 3, K: int = 3):
    rng = np.random.default_rng(seed)
    return network(rng.standard_normal((d1, d)), rng.standard_normal((K, d1)))


def test_theorem_5_7_counterexample_exact_increase_is_two_eps():
    eps = 0.1
    exact = exact_max_increase([0.0, 0.0], [1.0], [[1.0, -1.0]], eps)
    fixed = solve_sdp(build_q([[1.0, -1.0]], [1.0])).upper
    printed = solve_sdp(build_q([[1.0, -1.0]], [1.0], form="printed")).upper
    assert math.isclose(exact, 2 * eps)
    assert exact <= eps / 4 * fixed <= exact * (1 + 1e-9)  # corrected: sound and tight
    assert eps / 4 * printed < 0.51 * exact  # printed: eps, half the truth


def test_lemma_5_1_counterexample_printed_certifies_an_attackable_point():
    net = network(**LEMMA51_NET)
    x, y, eps, gamma = [0.0, 0.0, 1.0], 0, 0.1, 0.01
    printed = certify_network(net, [x], [y], eps, gamma=gamma, form="printed")
    fixed = certify_network(net, [x], [y], eps, gamma=gamma)
    assert math.isclose(printed.constant.upper, 19.0, rel_tol=1e-9)
    assert math.isclose(fixed.constant.upper, 38.0, rel_tol=1e-9)
    assert printed.robust_accuracy == 1.0 and printed.surrogate_loss == 0.0  # M - eps C / 2 = 0.05 > gamma
    assert exact_adversarial_margin(net, x, y, eps) < 0  # ... yet x' = (0.1, -0.1, 0.9) is misclassified
    assert fixed.robust_accuracy == 0.0 and fixed.surrogate_loss == 1.0


@pytest.mark.parametrize("seed", range(6))
def test_certified_examples_are_never_attackable_by_the_exact_attack(seed):
    net = _small_net(seed)
    rng = np.random.default_rng(100 + seed)
    X = rng.standard_normal((8, net.d))
    y = np.argmax(net.forward(X), axis=1)  # all correct: margins >= 0
    for eps in (1e-3, 1e-2, 5e-2):
        cert = certify_network(net, X, y, eps, pairwise=True)
        exact = np.array([exact_adversarial_margin(net, X[i], int(y[i]), eps) for i in range(len(y))])
        assert np.all(cert.certified_margins <= exact + 1e-12)
        assert np.all(cert.lemma51_margins <= cert.certified_margins)
        # Lemma 5.1: adversarial 0-1 loss <= the surrogate
        assert np.all((exact <= 0) <= ramp(cert.lemma51_margins, cert.gamma))


def test_vertex_enumeration_and_activation_pattern_lps_agree_for_convex_g():
    rng = np.random.default_rng(7)
    for _ in range(5):
        W, v, x = rng.standard_normal((3, 4)), np.abs(rng.standard_normal(3)), rng.standard_normal(4)
        a = exact_max_increase(x, v, W, 0.3, method="vertices")
        b = exact_max_increase(x, v, W, 0.3, method="lp")
        assert math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-9)


def test_c_of_w_is_at_most_4_b1_b2_as_in_5_22():
    net = _small_net(8, 5, 6, 4)
    c = sdp_constant(net)
    b1, b2 = np.abs(net.W1).sum(), np.linalg.norm(net.W2, axis=1).sum()
    assert c.lower <= c.upper <= 4 * b1 * b2


def test_pairwise_constants_are_at_most_twice_c_as_in_5_16():
    net = _small_net(9, 4, 5, 4)
    c = sdp_constant(net, pairwise=True)
    assert c.pair_upper is not None and np.all(np.diag(c.pair_upper) == 0)
    assert np.all(c.pair_upper <= 2 * c.upper * (1 + 1e-6))


def test_rescaling_w1_up_and_w2_down_leaves_margins_c_and_bound_unchanged():
    net = _small_net(10)
    X = np.random.default_rng(10).standard_normal((5, net.d))
    y = np.zeros(5, dtype=int)
    a = certify_network(net, X, y, 0.01)
    b = certify_network(network(3.0 * net.W1, net.W2 / 3.0), X, y, 0.01)
    np.testing.assert_allclose(b.margins, a.margins, rtol=1e-12, atol=1e-12)
    assert math.isclose(a.constant.upper, b.constant.upper, rel_tol=1e-6)
    assert math.isclose(a.bound["printed"], b.bound["printed"], rel_tol=1e-9)


def test_certified_margin_shrinks_linearly_in_eps_and_equals_the_margin_at_zero():
    net = _small_net(11)
    X = np.random.default_rng(11).standard_normal((4, net.d))
    y = np.argmax(net.forward(X), axis=1)
    c = sdp_constant(net)
    zero = certify_network(net, X, y, 0.0, constant=c)
    one = certify_network(net, X, y, 0.1, constant=c)
    np.testing.assert_allclose(zero.certified_margins, zero.margins, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(zero.certified_margins - one.certified_margins, 0.05 * c.upper, rtol=1e-9)


def test_theorem_5_8_proof_variant_doubles_the_complexity_term():
    net = _small_net(12)
    X = np.random.default_rng(12).standard_normal((20, net.d))
    b = theorem58_bound(net, X, 0.25, 0.1, 0.5, 0.05)
    assert math.isclose(b["proof"] - b["printed"], b["complexity_bracket"] / 0.5, rel_tol=1e-12)
    assert math.isclose(b["confidence_term"], 3 * math.sqrt(math.log(40) / 40), rel_tol=1e-12)
    assert b["printed"] > 0.25


def test_ties_count_as_errors():
    net = network([[1.0]], [[1.0], [1.0]])
    cert = certify_network(net, [[1.0]], [0], 0.0)
    assert cert.margins[0] == 0.0 and cert.clean_accuracy == 0.0 and cert.robust_accuracy == 0.0


def test_load_network_reads_an_npz(tmp_path):
    f = tmp_path / "net.npz"
    np.savez(f, W1=np.ones((2, 3)), W2=np.ones((4, 2)))
    net = load_network(f)
    assert (net.d, net.d1, net.K) == (3, 2, 4)


NET = network(np.ones((2, 3)), np.ones((2, 2)))
BAD = [
    (lambda: network(np.ones((2, 3)), np.ones((2, 3))), r"W2 \(shape \(2, 3\)\) must have d1 = 2 columns"),
    (lambda: network(np.ones((2, 3)), np.ones((1, 2))), r"must have K >= 2 rows"),
    (lambda: network([[np.nan, 1.0]], np.ones((2, 1))), r"W1 \(nan\) must contain only finite numbers"),
    (lambda: network(np.ones((2, 3)), [[1.0, np.inf], [0.0, 0.0]]), r"W2 \(inf\) must contain only finite"),
    (lambda: certify_network(NET, np.ones((2, 3)), [0, 1], -0.1), r"eps \(-0.1\) must be a finite number >= 0"),
    (lambda: certify_network(NET, np.ones((2, 3)), [0, 1], math.nan), r"eps \(nan\) must be a finite number"),
    (lambda: certify_network(NET, np.ones((2, 4)), [0, 1], 0.1), r"X \(shape \(2, 4\)\) must have d = 3 columns"),
    (lambda: certify_network(NET, [[1.0, np.nan, 0.0]], [0], 0.1), r"X \(nan\) must contain only finite"),
    (lambda: certify_network(NET, np.ones((2, 3)), [0], 0.1), r"labels \(shape \(1,\)\) must have shape \(2,\)"),
    (lambda: certify_network(NET, np.ones((2, 3)), [0, 2], 0.1), r"labels \(2\) must be integers in 0..1"),
    (lambda: certify_network(NET, np.ones((2, 3)), [0, 0.5], 0.1), r"labels \(0.5\) must be integers"),
    (lambda: certify_network(NET, np.ones((2, 3)), [0, 1], 0.1, gamma=0), r"gamma \(0\) must be > 0"),
    (lambda: certify_network(NET, np.ones((2, 3)), [0, 1], 0.1, delta=1.5), r"delta \(1.5\) must be in \(0, 1\)"),
]


@pytest.mark.parametrize("call,message", BAD)
def test_bad_input_is_rejected_with_a_message_naming_it(call, message):
    with pytest.raises(BadInput, match=message):
        call()


def test_npz_missing_arrays_or_not_an_npz_is_bad_input(tmp_path):
    f = tmp_path / "net.npz"
    np.savez(f, W1=np.ones((2, 3)))
    with pytest.raises(BadInput, match=r"must contain arrays W1 \(d1, d\) and W2 \(K, d1\); missing W2"):
        load_network(f)
    g = tmp_path / "junk.npz"
    g.write_text("not a zip")
    with pytest.raises(BadInput, match="must be a readable .npz file"):
        load_network(g)
    with pytest.raises(BadInput, match="must be an existing .npz file"):
        load_network(tmp_path / "absent.npz")
