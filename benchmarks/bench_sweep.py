"""Sweep scaling: --jobs 2 vs --jobs 1 vs a Dask LocalCluster, and the results store's overhead.

One CPU-bound sweep (64 chunks of the Corollary 3.1 coverage check) is timed on each backend in the
same run (Dask three times: boundlab's ``local_cluster``, worker processes under nannies without the
nanny's ``MALLOC_TRIM_THRESHOLD_``; Dask's default LocalCluster, the same with it; and a LocalCluster
whose two workers are threads of the benchmark's own process); each backend runs the sweep twice, and
the first run (cold workers: per-process caches, page faults)
is reported beside the second (warm); worker start-up is reported separately. The
store is timed by writing 10^5 chunk rows, one transaction each as a sweep writes them, and
compared with the measured compute time of one chunk. Usage:
    python benchmarks/bench_sweep.py [--chunks 64] [--chunk-trials 100000] [--rows 100000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from boundlab.parallel import InProcess, Processes, Task, execute, plan_check, run_tasks
from boundlab.store import Store


def timed_sweep(tasks: list[Task], backend) -> tuple[float, dict]:
    t0 = time.perf_counter()
    res = run_tasks(tasks, backend)
    return time.perf_counter() - t0, res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=64)
    ap.add_argument("--chunk-trials", type=int, default=100_000)
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    tasks = plan_check("cor3.1/one-sided", trials=args.chunks * args.chunk_trials, seed=0, chunks=args.chunks)

    one, ref = timed_sweep(tasks, InProcess())
    per_chunk = [execute(t)[2] for t in tasks[:5]]

    t0 = time.perf_counter()
    pool = Processes(2)
    pool._ensure()
    start_pool = time.perf_counter() - t0
    two_cold, res2 = timed_sweep(tasks, pool)
    two, _ = timed_sweep(tasks, pool)  # the same sweep again on warm workers
    pool.close()
    assert res2 == ref, "process pool results differ"

    from distributed import LocalCluster, Worker

    from boundlab.parallel import DaskCluster, local_cluster

    def dask_default(**kwargs):
        return LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, **kwargs
        )

    dask_runs = {}
    for label, make in (
        ("boundlab.parallel.local_cluster: nannies, no MALLOC_TRIM_THRESHOLD_", local_cluster),
        ("Dask's default: nannies exporting MALLOC_TRIM_THRESHOLD_=65536", dask_default),
        ("workers as threads of this process", lambda: dask_default(worker_class=Worker)),
    ):
        t0 = time.perf_counter()
        with make() as cluster:
            backend = DaskCluster(cluster.scheduler_address)
            backend._client.run(lambda: __import__("boundlab.montecarlo"))
            start = time.perf_counter() - t0
            cold, res3 = timed_sweep(tasks, backend)
            warm, _ = timed_sweep(tasks, backend)
            backend.close()
        assert res3 == ref, "dask results differ"
        dask_runs[label] = (warm, cold, start)

    with tempfile.TemporaryDirectory() as tmp:
        with Store(Path(tmp) / "bench.sqlite") as s:
            t0 = time.perf_counter()
            for i in range(args.rows):
                s.put(
                    "bench", {"n": i % 97}, 0, i, args.rows, 1, {"estimate": 1.0, "ci_low": 0.9, "ci_high": 1.0}, 0.01
                )
            write = time.perf_counter() - t0

    chunk = statistics.median(per_chunk)
    print(f"sweep: {args.chunks} chunks x {args.chunk_trials} trials of cor3.1/one-sided (2-core machine)")
    print(f"  --jobs 1 (in-process):  {one:7.2f} s")
    print(
        f"  --jobs 2 (processes):   {two:7.2f} s warm, {two_cold:.2f} s first run (+ {start_pool:.2f} s worker "
        f"start-up)   speed-up {one / two:.2f}x warm, {one / (two_cold + start_pool):.2f}x first run with start-up "
        f"(target >= 1.7x)"
    )
    for label, (dask, dask_cold, start_dask) in dask_runs.items():
        print(
            f"  Dask LocalCluster ({label}):\n      {dask:7.2f} s warm, {dask_cold:.2f} s first run "
            f"(+ {start_dask:.2f} s start-up)   Dask / --jobs 2 = {dask / two:.3f} warm, "
            f"{dask_cold / two_cold:.3f} first run (target <= 1.15)"
        )
    print("  results identical on every backend: True")
    print(
        f"store: {args.rows:,} rows, one transaction each: {write:.2f} s = {write / args.rows * 1e6:.0f} us/row; "
        f"median chunk compute {chunk * 1e3:.0f} ms -> store overhead {write / args.rows / chunk * 100:.3f}% "
        f"of the sweep (target < 5%)"
    )


if __name__ == "__main__":
    main()
