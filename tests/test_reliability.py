"""Reliability of the execution layer: no fixed port, no orphaned workers, clean interruption.

These tests start real processes (a parent killed with SIGKILL, a sweep stopped with SIGTERM or
SIGINT, a Dask worker killed mid-sweep) and look at what is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from boundlab.parallel import DaskCluster, InProcess, plan_check, run_check, run_tasks
from boundlab.store import Store

CHECK = "cor3.1/one-sided"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
                out.append(int(entry.name))
    return out


def wait_until(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@contextlib.contextmanager
def port_taken(port: int) -> Iterator[None]:
    """Hold ``port`` on every interface (if someone else holds it already, it is taken all the same)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("", port))
        sock.listen(1)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
    try:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with pytest.raises(OSError):
            probe.bind(("", port))
        probe.close()
        yield
    finally:
        sock.close()


def stored_chunks(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT task, params, root_seed, chunk, n_chunks, chunk_trials FROM chunks").fetchall()
    except sqlite3.OperationalError:  # the store is being created: no table yet
        return []
    finally:
        con.close()


# -- ports --------------------------------------------------------------------------------------


def test_a_dask_local_cluster_runs_the_checks_while_port_8787_is_taken():
    from distributed import LocalCluster

    reference = run_check(CHECK, trials=2000, seed=4, chunks=2)
    with (
        port_taken(8787),
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
    ):
        backend = DaskCluster(cluster.scheduler_address)
        try:
            got = run_check(CHECK, trials=2000, seed=4, chunks=2, backend=backend)
        finally:
            backend.close()
    assert (got.estimate, got.ci_low, got.ci_high) == (reference.estimate, reference.ci_low, reference.ci_high)


def test_no_test_or_source_file_asks_for_the_dashboards_default_port():
    root = Path(__file__).resolve().parents[1]
    offenders = [
        str(p.relative_to(root))
        for folder in ("tests", "src", "montecarlo", "certify")
        for p in (root / folder).rglob("*.py")
        if p.name != Path(__file__).name and ("8787" in p.read_text() or "dashboard_address=None" in p.read_text())
    ]
    assert offenders == []


# -- orphans ------------------------------------------------------------------------------------

PARENT = textwrap.dedent("""
    import multiprocessing.resource_tracker as rt, os, sys, time
    from boundlab.parallel import Processes

    pool = Processes(2)
    ex = pool._ensure()
    busy = [ex.submit(time.sleep, 120) for _ in range(2)]   # both workers in the middle of a task
    time.sleep(0.5)
    print(" ".join(str(p) for p in ex._processes), rt._resource_tracker._pid, flush=True)
    time.sleep(120)
""")


@linux_only
def test_pool_workers_and_the_resource_tracker_die_when_the_parent_is_killed():
    proc = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split()
        assert len(line) == 3, line
        pids = [int(x) for x in line]
        assert all(alive(p) for p in pids)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert wait_until(lambda: not any(alive(p) for p in pids), timeout=15), [p for p in pids if alive(p)]
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


# -- interruption -------------------------------------------------------------------------------


# Chunks long enough (about 0.7 s each) that the sweep cannot finish between seeing two stored chunks and
# the signal, even on a loaded machine.
CHUNK_TRIALS = 60_000


@linux_only
@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_sweep_keeps_finished_chunks_and_resumes_to_the_same_store(tmp_path, sig, code):
    cfg = tmp_path / "sweep.toml"
    chunks = 10
    cfg.write_text(f'seed = 3\n[[check]]\nname = "{CHECK}"\ntrials = {chunks * CHUNK_TRIALS}\nchunks = {chunks}\n')
    store = tmp_path / "s.sqlite"
    argv = [sys.executable, "-m", "boundlab.cli", "sweep", str(cfg), "--jobs", "2", "--store", str(store), "--quiet"]
    # A shell starts background jobs with SIGINT ignored and the child would inherit that (as Unix tools should):
    # give it the default disposition, as a terminal's foreground job has, whatever runs this test.
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert wait_until(lambda: store.exists() and len(stored_chunks(store)) >= 2, timeout=120)
        workers = children(proc.pid)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("boundlab: interrupted")
    assert "finished chunks are in the store" in err and f"boundlab sweep {cfg}" in err
    kept = stored_chunks(store)
    assert 2 <= len(kept) < chunks and len(set(kept)) == len(kept)
    assert wait_until(lambda: not any(alive(p) for p in workers), timeout=15)
    # resuming computes only the missing chunks and ends with every chunk exactly once
    done = subprocess.run(argv + ["--json"], capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr
    final = stored_chunks(store)
    assert len(final) == chunks and len(set(final)) == chunks and set(kept) <= set(final)
    reference = run_check(CHECK, trials=chunks * CHUNK_TRIALS, seed=3, chunks=chunks)
    import json

    row = json.loads(done.stdout)[0]
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == (reference.estimate, reference.ci_low, reference.ci_high)


# -- a Dask worker killed mid-sweep ------------------------------------------------------------


class KillingStore(Store):
    """A store that kills one Dask worker process right after the first chunk is written."""

    victim: int | None = None

    def put(self, *args, **kwargs):
        written = super().put(*args, **kwargs)
        if self.victim is not None:
            os.kill(self.victim, signal.SIGKILL)
            self.victim = None
        return written


def test_a_dask_worker_killed_mid_sweep_loses_and_duplicates_no_chunk(tmp_path):
    from distributed import LocalCluster

    tasks = plan_check(CHECK, trials=8 * 20000, seed=6, chunks=8)
    reference = run_tasks(tasks, InProcess())
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as cluster:
        backend = DaskCluster(cluster.scheduler_address)
        store = KillingStore(tmp_path / "s.sqlite")
        try:
            pids = backend._client.run(os.getpid)
            store.victim = sorted(pids.values())[0]
            got = run_tasks(tasks, backend, store)
            assert store.victim is None and not alive(sorted(pids.values())[0])
            assert store.count() == len(tasks)
        finally:
            backend.close()
            store.close()
    assert len(set(stored_chunks(tmp_path / "s.sqlite"))) == len(tasks)
    for t in tasks:
        a, b = reference[t], got[t]
        assert (a.estimate, a.ci_low, a.ci_high, a.trials) == (b.estimate, b.ci_low, b.ci_high, b.trials)


def _square_or_die(x: int) -> int:
    """Top-level (picklable): square ``x``, except that 3 kills its own worker process as the OOM killer would."""
    if x == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return x * x


def test_a_worker_killed_mid_starmap_loses_only_its_own_item_and_the_pool_recovers():
    from boundlab.parallel import Processes

    backend = Processes(2)
    try:
        got = backend.starmap(_square_or_die, [(x,) for x in range(7)], lost=lambda item, why: ("lost", item[0], why))
        assert [g for g in got if not isinstance(g, tuple)] == [0, 1, 4, 16, 25, 36]
        assert got[3][:2] == ("lost", 3) and "signal 9" in got[3][2] and "out-of-memory" in got[3][2]
        assert backend.starmap(_square_or_die, [(5,), (6,)]) == [25, 36]  # the pool works afterwards
    finally:
        backend.close()


def test_without_lost_a_worker_death_still_raises():
    from concurrent.futures.process import BrokenProcessPool

    from boundlab.parallel import Processes

    backend = Processes(2)
    try:
        with pytest.raises(BrokenProcessPool):
            backend.starmap(_square_or_die, [(x,) for x in range(5)])
    finally:
        backend.abort()


def _allocate(nbytes: int) -> str:
    """Top-level (picklable): try to map ``nbytes`` bytes; what happened."""
    import numpy as np

    try:
        np.empty(nbytes, dtype=np.uint8)
    except MemoryError:
        return "MemoryError"
    return "mapped"


def test_pool_workers_get_a_memory_error_instead_of_the_out_of_memory_killer():
    from boundlab.parallel import Processes, worker_memory_limit

    limit = worker_memory_limit(2)
    if limit is None:  # pragma: no cover - platforms without the machine's memory size
        pytest.skip("the machine's memory is unknown here")
    backend = Processes(2)
    try:
        # more than a worker's share, less than the machine: numpy would map it without the limit
        assert backend.starmap(_allocate, [(int(limit * 1.05),), (1 << 20,)]) == ["MemoryError", "mapped"]
    finally:
        backend.close()


def test_after_a_worker_death_the_next_call_gets_a_new_pool():
    from concurrent.futures.process import BrokenProcessPool

    from boundlab.parallel import Processes

    backend = Processes(2)
    try:
        with pytest.raises(BrokenProcessPool):
            backend.starmap(_square_or_die, [(3,)])
        assert backend.starmap(_square_or_die, [(2,), (4,)]) == [4, 16]
    finally:
        backend.close()
