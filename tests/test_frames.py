"""pandas DataFrames of grid evaluations, check results and the results store."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

from boundlab.bounds import BadInput, get
from boundlab.montecarlo import MCResult
from boundlab.parallel import run_check
from boundlab.store import Store, load

pd = pytest.importorskip("pandas")

CHECK = "cor3.1/one-sided"
THM38 = {"n": 1000, "m": 1000, "d": 2, "alpha": 0.05, "D": 2, "L_hat": 2, "V": 3**0.5, "S": 1.6}


def test_a_grid_evaluation_has_one_row_per_point_with_the_values_eval_computes():
    alphas = np.array([0.01, 0.05, 0.1])
    ns = np.array([[1000], [10000]])
    ev = get("thm3.8").assess(**{**THM38, "alpha": alphas, "n": ns})
    df = ev.to_frame()
    assert df.shape[0] == 6 and df.attrs["id"] == "thm3.8"
    assert {"alpha", "n", "value", "holds", "violated", "nonvacuous"} <= set(df.columns)
    for _, row in df.iterrows():
        one = get("thm3.8").evaluate(**{**THM38, "alpha": row["alpha"], "n": row["n"]})
        assert row["value"] == pytest.approx(float(one), rel=1e-12)


def test_a_scalar_evaluation_is_one_row():
    df = get("thm3.8").assess(**THM38).to_frame()
    assert df.shape[0] == 1 and df["value"][0] == pytest.approx(float(get("thm3.8").evaluate(**THM38)))


def test_the_holds_column_is_false_exactly_where_a_condition_fails_and_names_it():
    ev = get("thm3.8").assess(**{**THM38, "alpha": np.array([0.05, 0.49])})
    df = ev.to_frame()
    per_point = np.logical_and.reduce(
        [np.broadcast_to(c["holds"], (2,)) for c in ev.conditions if c["holds"] is not None]
    )
    assert df["holds"].tolist() == per_point.tolist() == [True, False]
    assert "condition (3.2)" in df["violated"][1]
    for holds, violated in zip(df["holds"], df["violated"]):
        assert (violated == "") == bool(holds)


def test_a_check_result_frame_carries_the_verdict_interval_and_options():
    r = run_check(CHECK, trials=2000, seed=3, params={"t": 2.0})
    df = r.to_frame()
    assert df.shape[0] == 1
    row = df.iloc[0]
    assert (row["name"], row["verdict"], row["estimate"], row["ci_low"], row["ci_high"]) == (
        CHECK,
        r.verdict,
        r.estimate,
        r.ci_low,
        r.ci_high,
    )
    assert row["param_t"] == 2.0


def test_a_list_of_results_is_one_row_each_in_order():
    from boundlab.frames import to_frame

    rs = [MCResult("c", "thm3.1", "q", e, e, e, 1.0, "upper", 10, i, 0.0) for i, e in enumerate((0.5, 2.0))]
    df = to_frame(rs)
    assert df["seed"].tolist() == [0, 1] and df["verdict"].tolist() == ["pass", "fail"]


def test_the_store_loads_every_chunk_with_its_result_and_pools_complete_runs(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        pooled = run_check(CHECK, trials=4000, seed=1, chunks=2, store=store)
        store.put("experiment:demo", {"quick": True}, 7, 0, 1, 1, {"accuracy": 0.9}, 0.5)
    df = load(path)
    checks = df[df["kind"] == "check"]
    assert len(df) == 3 and checks["chunk"].tolist() == [0, 1] and checks["chunk_trials"].tolist() == [2000, 2000]
    assert set(checks["name"]) == {CHECK} and checks["verdict"].notna().all()
    assert df[df["kind"] == "experiment"]["result"].iloc[0] == {"accuracy": 0.9}
    runs = load(path, pooled=True)
    assert len(runs) == 1
    assert (runs["estimate"][0], runs["ci_low"][0], runs["ci_high"][0], runs["trials"][0]) == (
        pooled.estimate,
        pooled.ci_low,
        pooled.ci_high,
        pooled.trials,
    )


def test_loading_a_missing_store_is_refused_and_creates_nothing(tmp_path):
    with pytest.raises(BadInput, match=r"store \(.*nope.sqlite\) must be an existing"):
        load(tmp_path / "nope.sqlite")
    assert not (tmp_path / "nope.sqlite").exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda: MCResult("c", "thm3.1", "q", 0.2, 0.1, 0.25, 1.0, "upper", 10, 0, 0.0).to_frame(),
        lambda: get("thm3.8").assess(**THM38).to_frame(),
    ],
    ids=["check-result", "evaluation"],
)
def test_without_pandas_the_error_names_the_pandas_extra(monkeypatch, make):
    real_import = builtins.__import__

    def blocked(name, *args, **kwargs):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", blocked)
    with pytest.raises(ImportError, match=r"pip install boundlab\[pandas\]"):
        make()
