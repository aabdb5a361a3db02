"""Property-based tests of your own lemmas: hypothesis strategies and assertions with the checks' semantics.

Strategies
----------
* :func:`params` -- parameters of a registered result inside its domains and hypotheses (``params("thm3.1")``).
* :func:`byzantine_instances` -- honest messages, a Byzantine count and the attacked message array.
* :func:`gradient_sets` -- per-sample gradient matrices ``(n, d)``, dense or sparse.
* :func:`relu_networks` -- a small one-hidden-layer ReLU network with data.

Assertions
----------
* :func:`assert_bound_holds` -- a Monte Carlo estimate against a bound with the verdict rules of
  :class:`~boundlab.montecarlo.MCResult` (t interval for means, exact Clopper-Pearson for probabilities).

The fixtures ``boundlab_rng`` (a seeded generator) and ``boundlab_store`` (a results store in a temporary
directory) come with the pytest plug-in :mod:`boundlab.pytest_plugin`, registered through the ``pytest11``
entry point. hypothesis is needed: ``pip install 'boundlab[test]'``.

Examples
--------
>>> from hypothesis import given, settings
>>> @settings(max_examples=5, derandomize=True)
... @given(p=params("eq3.4"))
... def test_eps_in_range(p):
...     assert 0 < p["eps"] < 0.5
>>> test_eps_in_range()
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised in an environment without hypothesis
    raise ImportError(
        "boundlab.testing needs hypothesis, which is in the [test] extra: "
        "pip install 'boundlab[test]' (or pip install hypothesis)."
    ) from exc

from boundlab.bounds import REGISTRY, AbstractBound, BadInput, get
from boundlab.montecarlo import (
    MCResult,
    apply_attack,
    available,
    clopper_pearson,
    resolve_problem,
    t_interval,
)

__all__ = ["assert_bound_holds", "byzantine_instances", "gradient_sets", "params", "relu_networks"]


def _draw_value(draw: Any, p: Any, example: float | None, near: bool) -> float:
    if near and example is not None:
        x = float(example) * math.exp(draw(st.floats(-math.log(2), math.log(2)), label=p.name))
    else:
        lo, hi = p.typical
        if lo > 0 and hi / lo > 20:
            x = math.exp(draw(st.floats(math.log(lo), math.log(hi)), label=p.name))
        else:
            x = draw(st.floats(lo, hi), label=p.name)
    if p.integer:
        x = float(max(round(x), 1 if p.lower >= 1 else 0))
    lo_b = p.lower if not math.isinf(p.lower) else -1e300
    hi_b = p.upper if not math.isinf(p.upper) else 1e300
    return float(np.clip(x, lo_b, hi_b))


def _admissible(thm: AbstractBound, values: dict[str, Any]) -> bool:
    if not all(bool(thm.param(k).contains(np.asarray(v))) for k, v in values.items()):
        return False
    try:
        ev = thm.assess(**values)
    except BadInput:
        return False
    return not ev.violated


def params(result_id: str, *, near_example: bool | None = None, **fixed: float) -> st.SearchStrategy[dict[str, float]]:
    """Parameters of a registered result drawn from its typical ranges, inside its domains and hypotheses.

    Each required parameter (and each one the result's example sets) is drawn log-uniformly over its
    typical range when that spans more than a factor 20, uniformly otherwise, or near the example (a factor
    in [1/2, 2]); counts are rounded. Draws that leave a domain or violate a decidable hypothesis (condition
    (3.2), alpha < 1/2, ...) are rejected, so a test sees only admissible points. Computed defaults (the
    tightest eps) are left to the result.

    Parameters
    ----------
    result_id : str
        A registered id with a bound (``thm3.1``, ``lem3.3``, ...).
    near_example : bool, optional
        Force draws near the example (True) or from the typical ranges (False); default: both.
    **fixed
        Values held fixed (``params("thm3.1", d=2)``).

    Examples
    --------
    >>> from hypothesis import find
    >>> p = find(params("thm3.1", d=2), lambda p: p["m"] > 100)
    >>> p["d"], p["m"] > 100
    (2, True)
    """
    thm = get(result_id)
    if not isinstance(thm, AbstractBound):
        known = sorted(k for k, v in REGISTRY.items() if isinstance(v, AbstractBound))
        raise BadInput(
            f"result_id ({result_id}) must be a registered result with a bound: {', '.join(known[:8])}, ...",
            name="result_id",
        )
    for k in fixed:
        thm.param(k)  # raises naming the parameters
    example = thm.example_params()

    @st.composite
    def draw_params(draw: Any) -> dict[str, float]:
        near = draw(st.booleans(), label="near the example") if near_example is None else near_example
        out: dict[str, float] = {}
        for p in thm.params:
            if p.name in fixed:
                out[p.name] = fixed[p.name]
            elif p.required or p.name in example:
                out[p.name] = _draw_value(draw, p, example.get(p.name), near)
        return out

    return draw_params().filter(lambda v: _admissible(thm, v))


@st.composite
def gradient_sets(
    draw: Any, *, n: tuple[int, int] = (2, 30), d: tuple[int, int] = (1, 20), sparse: bool | None = None
) -> np.ndarray:
    """Per-sample gradient matrices ``(n, d)``: dense Gaussian rows, or sparse rows (few non-zeros each).

    Sparse rows with disjoint supports are the high-diversity regime (Delta_D up to 1); rows close to a
    common direction the low one. Every matrix has a non-zero sum (the diversity is defined).

    Examples
    --------
    >>> from hypothesis import find
    >>> find(gradient_sets(sparse=True), lambda g: g.shape[0] > 3).shape[0]
    4
    """
    rows = draw(st.integers(*n), label="n")
    cols = draw(st.integers(*d), label="d")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    is_sparse = draw(st.booleans(), label="sparse") if sparse is None else sparse
    if is_sparse:
        g = rng.standard_normal((rows, cols)) * (rng.random((rows, cols)) < draw(st.floats(0.05, 0.5)))
    else:
        common = draw(st.floats(0.0, 3.0), label="common direction")
        g = rng.standard_normal((rows, cols)) + common * rng.standard_normal(cols)
    if not np.any(g.sum(axis=0)):
        g[0, 0] += 1.0
    return g


@st.composite
def byzantine_instances(
    draw: Any,
    *,
    m: tuple[int, int] = (3, 30),
    d: tuple[int, int] = (1, 5),
    alpha: tuple[float, float] = (0.0, 0.45),
    problem: str = "model_r",
    attacks: Sequence[str] | None = None,
    n: int = 10,
) -> dict[str, Any]:
    """A Byzantine instance: honest messages from a registered problem at ``w*``, an attack and q Byzantine rows.

    Returns a dict with ``messages`` ``(m, d)`` (Byzantine rows first), ``honest`` ``(m - q, d)``, ``q``,
    ``m``, ``attack`` (a registered name) and ``byzantine`` (a boolean mask of the first ``q`` rows).

    Examples
    --------
    >>> from hypothesis import find
    >>> inst = find(byzantine_instances(), lambda i: i["q"] >= 2)
    >>> inst["messages"].shape[0] == inst["m"], int(inst["byzantine"].sum())
    (True, 2)
    """
    mm = draw(st.integers(*m), label="m")
    dd = draw(st.integers(*d), label="d")
    a = draw(st.floats(*alpha), label="alpha")
    q = min(int(math.floor(a * mm)), (mm - 1) // 2)
    names = [x for x in (attacks or available("attack")) if x not in ("nan", "inf", "-inf", "1e308", "stall")]
    attack = draw(st.sampled_from(sorted(names)), label="attack")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    p = resolve_problem(problem)(d=dd)
    stats = p.sample(rng, 1, mm - q, n)
    w = np.asarray(p.w_star, dtype=float)[None, :]
    honest = np.asarray(p.local_gradients(stats, w))[0]
    messages = apply_attack(honest, q, attack, rng)
    mask = np.zeros(mm, dtype=bool)
    mask[:q] = True
    return {"messages": messages, "honest": honest, "q": q, "m": mm, "attack": attack, "byzantine": mask}


@st.composite
def relu_networks(
    draw: Any, *, d: tuple[int, int] = (2, 6), width: tuple[int, int] = (2, 8), samples: tuple[int, int] = (2, 20)
) -> dict[str, np.ndarray]:
    """A one-hidden-layer ReLU network ``f(x) = v' relu(W x)`` with data ``X`` (rows) and labels ``y`` in +-1.

    Examples
    --------
    >>> from hypothesis import find
    >>> net = find(relu_networks(), lambda net: net["W"].shape[0] >= 3)
    >>> net["W"].shape[1] == net["X"].shape[1], set(np.unique(net["y"])) <= {-1.0, 1.0}
    (True, True)
    """
    dd = draw(st.integers(*d), label="d")
    h = draw(st.integers(*width), label="width")
    ns = draw(st.integers(*samples), label="samples")
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    W = rng.standard_normal((h, dd)) / math.sqrt(dd)
    v = rng.standard_normal(h) / math.sqrt(h)
    X = rng.standard_normal((ns, dd))
    y = np.where(rng.random(ns) < 0.5, -1.0, 1.0)
    return {"W": W, "v": v, "X": X, "y": y}


def assert_bound_holds(
    estimate_fn: Callable[[np.random.Generator, int], Any],
    bound: float,
    *,
    rule: Literal["upper", "probability", "failure"] = "upper",
    trials: int = 1000,
    seed: int = 0,
    confidence: float = 0.999,
    strict: bool = False,
    name: str = "assert_bound_holds",
) -> MCResult:
    """Assert that a Monte Carlo estimate respects ``bound``, with the verdict rules of the checks.

    ``estimate_fn(rng, trials)`` returns ``trials`` samples: real values whose mean is claimed <= ``bound``
    (``rule="upper"``, a t interval), or booleans, the success events of a probability claimed >= ``bound``
    (``rule="probability"``) or failure events claimed <= ``bound`` (``rule="failure"``), both with the exact
    Clopper-Pearson interval. Raises :class:`AssertionError` when the verdict is ``fail`` (the whole interval
    on the wrong side), and with ``strict=True`` also when it is ``inconclusive``.

    Returns
    -------
    MCResult
        The result, with its interval, verdict, tightness and resolving power.

    Examples
    --------
    >>> assert_bound_holds(lambda rng, k: rng.random(k) < 0.9, 0.8, rule="probability", trials=2000).verdict
    'pass'
    >>> assert_bound_holds(lambda rng, k: rng.random(k) < 0.9, 0.95, rule="probability", trials=2000)
    Traceback (most recent call last):
    ...
    AssertionError: assert_bound_holds: probability ... fails the bound 0.95 ...
    """
    if rule not in ("upper", "probability", "failure"):
        raise BadInput(f"rule ({rule}) must be one of upper, probability, failure.", name="rule")
    if isinstance(trials, bool) or int(trials) != trials or trials < 2:
        raise BadInput(f"trials ({trials}) must be an integer >= 2.", name="trials")
    if not 0 < confidence < 1:
        raise BadInput(f"confidence ({confidence}) must be in (0, 1).", name="confidence")
    rng = np.random.default_rng(seed)
    samples = np.asarray(estimate_fn(rng, int(trials)))
    if samples.shape != (int(trials),):
        raise BadInput(
            f"estimate_fn's output (shape {samples.shape}) must have shape ({int(trials)},).", name="estimate_fn"
        )
    if rule == "upper":
        est, lo, hi = t_interval(samples.astype(float), confidence)
        quantity = "mean"
    else:
        if samples.dtype != bool and not np.all((samples == 0) | (samples == 1)):
            raise BadInput(
                f"estimate_fn's output (dtype {samples.dtype}) must be events (booleans) for rule {rule}.",
                name="estimate_fn",
            )
        k = int(samples.sum())
        lo, hi = clopper_pearson(k, int(trials), confidence)
        est = k / int(trials)
        quantity = "probability" if rule == "probability" else "failure frequency"
    res = MCResult(
        name,
        "user",
        quantity,
        float(est),
        float(lo),
        float(hi),
        float(bound),
        rule,
        int(trials),
        seed,
        0.0,
        confidence=confidence,
    )
    if res.verdict == "fail" or (strict and res.verdict == "inconclusive"):
        raise AssertionError(
            f"{name}: {quantity} {est:.6g} ({confidence:.3g} interval [{lo:.6g}, {hi:.6g}], "
            f"{trials} trials, seed {seed}) {'fails' if res.verdict == 'fail' else 'cannot decide'} "
            f"the bound {bound:g} (rule {rule})."
        )
    return res
