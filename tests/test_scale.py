"""Sweeps at scale: identical results on every backend, a crash-safe store, validated sweep files."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from boundlab.bounds import BadInput
from boundlab.cli import main
from boundlab.parallel import InProcess, Processes, parse_sweep, plan_check, run_check, run_sweep, run_tasks
from boundlab.store import SCHEMA_VERSION, Store

CHECK = "cor3.1/one-sided"


# -- backends ---------------------------------------------------------------------------------


def test_chunked_results_are_identical_in_process_and_in_a_process_pool():
    a = run_check(CHECK, trials=8000, seed=5, chunks=4, backend=InProcess())
    pool = Processes(2)
    try:
        b = run_check(CHECK, trials=8000, seed=5, chunks=4, backend=pool)
    finally:
        pool.close()
    assert (a.estimate, a.ci_low, a.ci_high, a.trials) == (b.estimate, b.ci_low, b.ci_high, b.trials)


def test_a_dask_local_cluster_gives_the_in_process_results_bit_for_bit():
    from distributed import LocalCluster

    from boundlab.parallel import DaskCluster

    reference = [run_check(name, trials=t, seed=2, chunks=3) for name, t in ((CHECK, 3000), ("thm3.1/rate-m", 60))]
    # without a dashboard the scheduler still serves HTTP routes on the default port: ":0" takes a free one
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        backend = DaskCluster(cluster.scheduler_address)
        try:
            got = [
                run_check(name, trials=t, seed=2, chunks=3, backend=backend)
                for name, t in ((CHECK, 3000), ("thm3.1/rate-m", 60))
            ]
        finally:
            backend.close()
    for r, g in zip(reference, got):
        assert (r.estimate, r.ci_low, r.ci_high) == (g.estimate, g.ci_low, g.ci_high)


def test_one_chunk_reproduces_the_library_verify():
    from boundlab.montecarlo.checks import verify

    v = verify(CHECK, trials=3000, seed=9)[0]
    r = run_check(CHECK, trials=3000, seed=9)
    assert (v.estimate, v.ci_low, v.ci_high) == (r.estimate, r.ci_low, r.ci_high)


def test_an_unreachable_scheduler_fails_fast_and_writes_nothing(tmp_path, capsys):
    store = tmp_path / "s.sqlite"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[[check]]\nname = "{CHECK}"\ntrials = 100\n')
    t0 = time.perf_counter()
    code = main(
        ["sweep", str(cfg), "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "2", "--store", str(store)]
    )
    assert code == 2 and time.perf_counter() - t0 < 30
    assert "scheduler (tcp://127.0.0.1:9) must be reachable" in capsys.readouterr().err
    assert not store.exists()


# -- store ------------------------------------------------------------------------------------


def test_store_records_a_chunk_once(tmp_path):
    with Store(tmp_path / "s.sqlite") as s:
        assert s.put("t", {"a": 1}, 0, 0, 2, 10, {"x": 1}, 0.1)
        assert not s.put("t", {"a": 1.0}, 0, 0, 2, 10, {"x": 2}, 0.1)
        assert s.count() == 1 and s.get("t", {"a": 1}, 0, 0, 2, 10) == {"x": 1}
        assert s._con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_finished_chunks_are_read_back_not_recomputed(tmp_path):
    calls = []

    class Counting(InProcess):
        def map(self, tasks):
            calls.extend(tasks)
            return super().map(tasks)

    with Store(tmp_path / "s.sqlite") as s:
        first = run_check(CHECK, trials=4000, seed=1, chunks=4, backend=Counting(), store=s)
        second = run_check(CHECK, trials=4000, seed=1, chunks=4, backend=Counting(), store=s)
    assert len(calls) == 4
    assert (first.estimate, first.ci_low) == (second.estimate, second.ci_low)


def _writer(path: str, worker: int, rows: int) -> None:
    with Store(path) as s:
        for i in range(rows):
            s.put("t", {"w": worker}, 0, i, rows, 1, {"i": i}, 0.0)


def test_concurrent_writers_lose_and_duplicate_nothing(tmp_path):
    path = str(tmp_path / "s.sqlite")
    Store(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, w, 150)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with Store(path) as s:
        assert s.count() == 600
        assert len({(r["params"]["w"], r["chunk"]) for r in s.rows()}) == 600


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    p = tmp_path / "notes.sqlite"
    p.write_text("hello, not a database\n" * 10)
    with pytest.raises(BadInput, match="not SQLite"):
        Store(p)
    assert p.read_text().startswith("hello")


def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path):
    p = tmp_path / "other.sqlite"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(BadInput, match="must be a boundlab store"):
        Store(p)
    con = sqlite3.connect(p)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["customers"]


def test_a_store_with_a_newer_schema_is_refused(tmp_path):
    p = tmp_path / "s.sqlite"
    Store(p).close()
    con = sqlite3.connect(p)
    con.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    with pytest.raises(BadInput, match="newer than this boundlab"):
        Store(p)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_location_is_refused(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(BadInput, match="writable"):
            Store(d / "s.sqlite")
    finally:
        d.chmod(0o700)


def test_a_directory_is_not_a_store(tmp_path):
    with pytest.raises(BadInput, match="must be a file path"):
        Store(tmp_path)


# -- crash and resume -------------------------------------------------------------------------

SWEEP = textwrap.dedent(f"""
    seed = 4
    [[check]]
    name = "{CHECK}"
    trials = 120000
    chunks = 60
""")


def test_a_sweep_killed_with_sigkill_resumes_without_losing_or_duplicating_chunks(tmp_path):
    cfg = tmp_path / "sweep.toml"
    cfg.write_text(SWEEP)
    store = tmp_path / "s.sqlite"
    cmd = [sys.executable, "-m", "boundlab.cli", "sweep", str(cfg), "--store", str(store), "--quiet", "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline:
        time.sleep(0.2)
        if store.exists():
            try:
                con = sqlite3.connect(store, timeout=5)
                done = con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
                con.close()
            except sqlite3.OperationalError:
                continue
        if done >= 5 or proc.poll() is not None:
            break
    assert proc.poll() is None, "the sweep finished before it could be killed; make it longer"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    with Store(store) as s:
        partial = s.count()
    assert 5 <= partial < 60
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    resumed = json.loads(out.stdout)[0]
    with Store(store) as s:
        rows = s.rows()
    assert len(rows) == 60 and len({r["chunk"] for r in rows}) == 60
    fresh = run_sweep(parse_sweep({"seed": 4, "check": [{"name": CHECK, "trials": 120000, "chunks": 60}]}))[0]
    assert (resumed["estimate"], resumed["ci_low"], resumed["trials"]) == (
        fresh["estimate"],
        fresh["ci_low"],
        fresh["trials"],
    )


# -- sweep files ------------------------------------------------------------------------------

BAD_SWEEPS = [
    ({"colour": 1, "check": [{"name": CHECK, "trials": 10}]}, "unknown key"),
    ({"check": [{"name": "thm9.9/none", "trials": 10}]}, r"name \(thm9.9/none\) must be a registered check"),
    ({"check": [{"name": CHECK, "trials": 0}]}, r"trials \(0\) must be an integer >= 1"),
    ({"check": [{"name": CHECK, "trials": 10, "chunks": -2}]}, r"chunks \(-2\) must be an integer >= 1"),
    ({"check": [{"name": CHECK, "trials": 10, "grid": {"n": {"log": [0, 100, 3]}}}]}, "must have positive ends"),
    ({"check": [{"name": CHECK, "trials": 10, "grid": {"n": {"log": [1, 100]}}}]}, "must be log = "),
    ({"check": [{"name": CHECK, "trials": 10, "grid": {"zeta": [1, 2]}}]}, r"parameter \(zeta\) must be one of"),
    ({"check": [{"name": CHECK, "trials": 10, "grid": {"n": [1, 2], "t": [1]}, "combine": "zip"}]}, "equal lengths"),
    ({"check": [{"name": CHECK, "trials": 10, "combine": "sideways"}]}, "must be 'product' or 'zip'"),
    ({"check": [{"name": CHECK, "trials": 10, "speed": 3}]}, "unknown key"),
    ({"seed": -1, "check": [{"name": CHECK, "trials": 10}]}, r"seed \(-1\) must be"),
    ({"backend": {"jobs": 0}, "check": [{"name": CHECK, "trials": 10}]}, r"jobs \(0\) must be"),
    ({}, "at least one"),
]


@pytest.mark.parametrize("config,message", BAD_SWEEPS)
def test_invalid_sweep_files_are_rejected_with_the_key_named(config, message):
    with pytest.raises(BadInput, match=message):
        parse_sweep(config)


def test_grids_expand_as_products_or_zips():
    product = parse_sweep({"check": [{"name": CHECK, "trials": 10, "grid": {"n": [100, 200], "t": [1.0, 2.0]}}]})
    zipped = parse_sweep(
        {"check": [{"name": CHECK, "trials": 10, "grid": {"n": [100, 200], "t": [1.0, 2.0]}, "combine": "zip"}]}
    )
    assert len(product.checks) == 4 and len(zipped.checks) == 2
    log = parse_sweep(
        {"check": [{"name": CHECK, "trials": 10, "grid": {"n": {"log": [10, 1000, 3], "integer": True}}}]}
    )
    assert [dict(c[1])["n"] for c in log.checks] == [10, 100, 1000]


def test_sweep_command_runs_and_records_every_chunk(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'seed = 1\n[[check]]\nname = "{CHECK}"\ntrials = 2000\nchunks = 2\ngrid = {{ t = [1.5, 2.0] }}\n')
    store = tmp_path / "s.sqlite"
    code = main(["sweep", str(cfg), "--store", str(store), "--json", "--quiet"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and len(rows) == 2 and all(r["verdict"] == "pass" for r in rows)
    with Store(store) as s:
        assert s.count() == 4


@pytest.mark.slow
def test_report_writes_nonempty_figures_and_the_summary(tmp_path, capsys):
    from boundlab import reporting

    paths = reporting.write_report(tmp_path, formats=["md", "json"], quick=True, experiments=False)
    md = paths[0].read_text()
    figs = sorted((tmp_path / "figures").glob("*.png"))
    assert any(f.name.startswith("rate_") for f in figs) and (tmp_path / "figures" / "coverage.png") in figs
    assert all(f.stat().st_size > 5000 for f in figs)
    assert "## Monte Carlo checks" in md and "| cor3.1/one-sided |" in md and "![coverage]" in md


def test_plan_rejects_unknown_checks_and_bad_sizes():
    with pytest.raises(BadInput, match="check"):
        plan_check("nope", trials=10, seed=0)
    with pytest.raises(BadInput, match=r"chunks \(0\)"):
        plan_check(CHECK, trials=10, seed=0, chunks=0)
    assert run_tasks([]) == {}
