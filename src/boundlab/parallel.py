"""Execution backends: in-process, local processes (``--jobs J``) and a Dask cluster (``--scheduler``).

Work is a list of :class:`Task` chunks. Chunk ``i`` of ``n`` runs its check with the seed
``SeedSequence(root).spawn(n)[i]`` (the root itself when n = 1), so every backend and every number
of workers computes bit-identical chunk results; the chunks are then pooled in index order
(:func:`boundlab.montecarlo.combine`). With a store, finished chunks are read back instead of
recomputed and each new chunk is written the moment it finishes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from boundlab.bounds import BadInput

if TYPE_CHECKING:  # concurrent.futures is imported when a pool is started
    from concurrent.futures import ProcessPoolExecutor

__all__ = [
    "Task",
    "Backend",
    "InProcess",
    "Processes",
    "DaskCluster",
    "backend_for",
    "execute",
    "run_tasks",
    "run_check",
    "plan_check",
    "local_cluster",
    "without_nanny_malloc_trim",
]

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclasses.dataclass(frozen=True)
class Task:
    """One chunk of work: a check (or experiment) with options, a root seed and a chunk position."""

    kind: str  # "check" or "experiment"
    name: str
    params: tuple[tuple[str, Any], ...]
    root_seed: int
    chunk: int
    n_chunks: int
    chunk_trials: int

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.params)

    @property
    def store_task(self) -> str:
        return f"{self.kind}:{self.name}"


def _registries() -> Any:
    """The montecarlo package with its checks and experiments registered."""
    import boundlab.montecarlo as mc
    import boundlab.montecarlo.checks
    import boundlab.montecarlo.experiments  # noqa: F401

    return mc


def execute(task: Task) -> tuple[Task, Any, float]:
    """Run one chunk (a top-level function, so process pools and Dask can ship it).

    A check's chunk comes back as its :class:`~boundlab.montecarlo.MCResult` (pickled across processes,
    never through JSON); only the store holds JSON.
    """
    mc = _registries()

    t0 = time.perf_counter()
    if task.kind == "check":
        check = mc.CHECKS[task.name]
        seed = mc.chunk_seed(task.root_seed, task.chunk, task.n_chunks)
        result = check.run(task.chunk_trials, seed, **task.options)
    elif task.kind == "experiment":
        opts = task.options
        result = mc.EXPERIMENTS[task.name].run(seed=task.root_seed, quick=bool(opts.get("quick", False)))
        result.pop("figures", None)
    else:  # pragma: no cover
        raise ValueError(task.kind)
    return task, result, time.perf_counter() - t0


class Backend:
    """Runs tasks and yields (task, result, seconds) as they finish."""

    name = "backend"

    def map(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, dict[str, Any], float]]:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        """Release workers (no-op for the in-process backend)."""

    def starmap(
        self, fn: Any, items: Sequence[tuple[Any, ...]], *, lost: Callable[[tuple[Any, ...], str], Any] | None = None
    ) -> list[Any]:
        """``[fn(*item) for item in items]``, in order (``fn`` a top-level function, so it can be shipped).

        Used by experiments whose simulated machines compute on the backend, one call per block and step,
        and by the full report's worst-case searches. With ``lost``, an item whose worker process died
        (killed by the kernel's out-of-memory killer, say) is replaced by ``lost(item, message)`` and the
        other items still run; without it the death raises. In one process there is no worker to lose.

        Examples
        --------
        >>> InProcess().starmap(divmod, [(7, 2), (9, 4)])
        [(3, 1), (2, 1)]
        """
        return [fn(*item) for item in items]


class InProcess(Backend):
    """The default: one process, each chunk vectorised."""

    name = "in-process"

    def map(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, dict[str, Any], float]]:
        for t in tasks:
            yield execute(t)


class Processes(Backend):
    """A local pool of J worker processes (spawned, one BLAS thread each)."""

    name = "processes"

    def __init__(self, jobs: int) -> None:
        if int(jobs) != jobs or jobs < 1:
            raise BadInput(f"jobs ({jobs}) must be an integer >= 1.", name="jobs")
        self.jobs = int(jobs)
        self._pool: ProcessPoolExecutor | None = None

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is not None and getattr(self._pool, "_broken", False):
            self.abort()  # a worker died (out of memory, killed): the next call gets a new pool
        if self._pool is None:
            import concurrent.futures
            import multiprocessing

            saved = {k: os.environ.get(k) for k in _THREAD_VARS}
            os.environ.update({k: "1" for k in _THREAD_VARS})
            try:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=self.jobs,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_die_with_parent,
                    initargs=(os.getpid(), worker_memory_limit(self.jobs)),
                )
                # start every worker now, while the environment pins BLAS to one thread
                list(self._pool.map(_warm, range(self.jobs)))
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
        return self._pool

    def map(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, dict[str, Any], float]]:
        import concurrent.futures

        pool = self._ensure()
        futures = [pool.submit(execute, t) for t in tasks]
        try:
            for fut in concurrent.futures.as_completed(futures):
                yield fut.result()
        except BaseException:  # Ctrl-C, SIGTERM or a failed chunk: stop the running chunks now
            self.abort()
            raise
        finally:
            for fut in futures:
                fut.cancel()

    def abort(self) -> None:
        """Terminate the workers without waiting for their running chunks (nothing of them is stored)."""
        if self._pool is not None:
            for proc in list(getattr(self._pool, "_processes", {}).values()):
                proc.terminate()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def starmap(
        self, fn: Any, items: Sequence[tuple[Any, ...]], *, lost: Callable[[tuple[Any, ...], str], Any] | None = None
    ) -> list[Any]:
        if lost is None:
            pool = self._ensure()
            return [f.result() for f in [pool.submit(fn, *item) for item in items]]
        return self._starmap_surviving(fn, items, lost)

    def _starmap_surviving(
        self, fn: Any, items: Sequence[tuple[Any, ...]], lost: Callable[[tuple[Any, ...], str], Any]
    ) -> list[Any]:
        """:meth:`starmap` that survives a worker's death: at most ``jobs`` items in flight; when the pool
        breaks, the items in flight are suspects and run again alone, in a new pool; one that breaks the
        pool alone is ``lost``."""
        import concurrent.futures
        from concurrent.futures.process import BrokenProcessPool

        out: list[Any] = [None] * len(items)
        suspect = [False] * len(items)
        queue = list(range(len(items)))
        inflight: dict[concurrent.futures.Future[Any], int] = {}
        while queue or inflight:
            pool = self._ensure()
            while queue and len(inflight) < self.jobs:
                if inflight and (suspect[queue[0]] or any(suspect[i] for i in inflight.values())):
                    break  # a suspect runs alone
                i = queue.pop(0)
                inflight[pool.submit(fn, *items[i])] = i
            procs = list(getattr(pool, "_processes", {}).values())  # to read a dead worker's exit code
            done, _ = concurrent.futures.wait(inflight, return_when=concurrent.futures.FIRST_COMPLETED)
            broken = []
            for fut in done:
                i = inflight.pop(fut)
                try:
                    out[i] = fut.result()
                except BrokenProcessPool:
                    broken.append(i)
            if not broken:
                continue
            for proc in procs:  # the dead one may not be reaped yet when the pool reports it
                proc.join(timeout=0.5)
            # the pool sends SIGTERM to the surviving workers: the other codes say how the first one died
            codes = sorted((proc.exitcode for proc in procs if proc.exitcode), key=lambda c: c == -15)
            broken += list(inflight.values())  # the pool is gone: everything in flight failed with it
            alone = len(broken) == 1 and suspect[broken[0]]
            inflight.clear()
            self.abort()
            if alone:
                killed = [c for c in codes if c < 0]
                why = (
                    f"killed by signal {-killed[0]}"
                    + (" (SIGKILL: the kernel's out-of-memory killer sends it)" if -killed[0] == 9 else "")
                    if killed
                    else f"exit code {codes[0]}"
                    if codes
                    else "terminated abruptly"
                )
                out[broken[0]] = lost(items[broken[0]], f"its worker process died ({why}), twice")
            else:
                for i in broken:
                    suspect[i] = True
                queue = [i for i in broken if suspect[i]] + queue
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def worker_memory_limit(jobs: int) -> int | None:
    """Bytes of address space each of ``jobs`` local worker processes may map: 90% of the machine's memory
    shared among them (None where the machine's memory is unknown).

    Within the limit numpy raises ``MemoryError`` in the worker (an error the caller can report) instead of
    the kernel's out-of-memory killer ending the worker, or the machine's other processes, later.

    Examples
    --------
    >>> limit = worker_memory_limit(2)
    >>> limit is None or limit > 0
    True
    """
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return None
    return int(0.9 * total / max(1, int(jobs))) if total > 0 else None


def _die_with_parent(parent: int, memory_limit: int | None = None) -> None:
    """Pool initializer: the worker ends when its parent does, even after ``kill -9`` of the parent, and
    maps at most ``memory_limit`` bytes (``RLIMIT_AS``; see :func:`worker_memory_limit`).

    On Linux the kernel sends SIGKILL at the parent's death (``prctl(PR_SET_PDEATHSIG)``; strictly, at the
    exit of the parent thread that started the worker, so a pool must be created in a thread that
    outlives it); everywhere a daemon thread also polls ``os.getppid()``. Ctrl-C is left to the parent, which stops the pool
    (a worker would otherwise print a KeyboardInterrupt traceback of its own).
    """
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_limit is not None:
        try:
            import resource

            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard == resource.RLIM_INFINITY or memory_limit < hard:
                resource.setrlimit(resource.RLIMIT_AS, (memory_limit, hard))
        except (ImportError, OSError, ValueError):  # pragma: no cover - no resource limits here
            pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # pragma: no cover - no usable libc
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="boundlab-parent-watch", daemon=True).start()


def _warm(_: int) -> int:
    _registries()  # import the registries once per worker

    return os.getpid()


class DaskCluster(Backend):
    """The same chunks on a Dask distributed cluster (``tcp://HOST:PORT``)."""

    name = "dask"

    def __init__(self, address: str, timeout: float = 10.0) -> None:
        if not isinstance(address, str) or "://" not in address:
            raise BadInput(f"scheduler ({address}) must be an address like tcp://HOST:PORT.", name="scheduler")
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover
            raise BadInput(
                "scheduler (dask) needs the dask[distributed] package installed.", name="scheduler"
            ) from None
        self.address = address
        try:
            self._client = Client(address, timeout=f"{timeout}s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise BadInput(
                f"scheduler ({address}) must be reachable within {timeout:g} s: {exc}.", name="scheduler"
            ) from None

    def map(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, dict[str, Any], float]]:
        from distributed import as_completed

        futures = self._client.map(execute, list(tasks), pure=False)
        try:
            for fut in as_completed(futures, loop=self._client.loop):
                yield fut.result()
        finally:
            self._client.cancel(futures)

    def starmap(
        self, fn: Any, items: Sequence[tuple[Any, ...]], *, lost: Callable[[tuple[Any, ...], str], Any] | None = None
    ) -> list[Any]:
        futures = [self._client.submit(fn, *item, pure=False) for item in items]
        if lost is None:
            return list(self._client.gather(futures))
        from distributed import KilledWorker

        out = []
        for item, fut in zip(items, futures):
            try:
                out.append(fut.result())
            except KilledWorker as exc:  # Dask retried it on other workers; each of them died
                out.append(lost(item, f"its Dask workers died ({exc})"))
        return out

    def close(self) -> None:
        self._client.close()


#: Dask's nannies export ``MALLOC_TRIM_THRESHOLD_=65536`` to their workers (``distributed.nanny.pre-spawn-environ``).
#: Setting it turns off glibc's adaptive mmap threshold, so every temporary of a few MB is freshly mapped and
#: page-faulted: a chunk then computes about 1.4x slower than in a ``--jobs`` worker.
MALLOC_TRIM_VAR = "MALLOC_TRIM_THRESHOLD_"
NANNY_MALLOC_KEY = f"distributed.nanny.pre-spawn-environ.{MALLOC_TRIM_VAR}"


def _scrub_nanny_malloc_trim() -> None:
    """Remove the variable from ``os.environ`` if it holds Dask's configured default (a nanny put it there)."""
    import dask
    import distributed  # noqa: F401 (registers the nanny's configuration)

    dask_default = dask.config.get(NANNY_MALLOC_KEY, default=None)
    if dask_default is not None and os.environ.get(MALLOC_TRIM_VAR) == str(dask_default):
        del os.environ[MALLOC_TRIM_VAR]


@contextlib.contextmanager
def without_nanny_malloc_trim() -> Iterator[None]:
    """Within this block, nannies created here start workers with glibc's default (adaptive) allocator.

    Sets the one configuration key to None (a dotted key replaces that key only; ``dask.config.set``
    with a nested dict would merge and keep it), and removes the variable from this process's
    ``os.environ`` when a nanny put it there (nannies write their pre-spawn environment into the
    parent's environment, which every later worker process inherits). A value the user chose (one
    other than Dask's configured default) is left alone.

    Examples
    --------
    >>> import dask
    >>> with without_nanny_malloc_trim():
    ...     dask.config.get(NANNY_MALLOC_KEY) is None
    True
    """
    import dask

    _scrub_nanny_malloc_trim()
    try:
        with dask.config.set({NANNY_MALLOC_KEY: None}):
            yield
    finally:
        _scrub_nanny_malloc_trim()


@contextlib.contextmanager
def local_cluster(n_workers: int = 2, **kwargs: Any) -> Iterator[Any]:
    """A Dask ``LocalCluster`` of nanny-managed worker processes that compute at ``--jobs`` speed.

    Parameters
    ----------
    n_workers : int
        Worker processes (one thread each unless ``threads_per_worker`` is given).
    **kwargs
        Passed to ``distributed.LocalCluster`` (defaults: ``host="127.0.0.1"``, no dashboard).

    Yields
    ------
    distributed.LocalCluster
        Its ``scheduler_address`` is what :class:`DaskCluster` (``--scheduler``) takes.

    Examples
    --------
    >>> with local_cluster(1) as cluster:  # doctest: +SKIP
    ...     backend = DaskCluster(cluster.scheduler_address)
    """
    from distributed import LocalCluster

    # no dashboard; its HTTP server (health checks) on a free port rather than the default one, which may be taken
    options: dict[str, Any] = {
        "threads_per_worker": 1,
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": "127.0.0.1:0",
        "scheduler_kwargs": {"dashboard": False},
        **kwargs,
    }
    with without_nanny_malloc_trim():
        cluster = LocalCluster(n_workers=n_workers, **options)
    try:
        with cluster:
            yield cluster
    finally:
        _scrub_nanny_malloc_trim()


def backend_for(jobs: int | None = None, scheduler: str | None = None, *, timeout: float = 10.0) -> Backend:
    """The backend the options ask for (at most one of ``jobs`` and ``scheduler``)."""
    if jobs is not None and scheduler is not None:
        raise BadInput(f"jobs ({jobs}) and scheduler ({scheduler}) must not both be given.", name="jobs")
    if scheduler is not None:
        return DaskCluster(scheduler, timeout=timeout)
    if jobs is not None and jobs != 1:
        return Processes(jobs)
    if jobs is not None and (int(jobs) != jobs or jobs < 1):
        raise BadInput(f"jobs ({jobs}) must be an integer >= 1.", name="jobs")
    return InProcess()


def plan_check(
    name: str, *, trials: int, seed: int, chunks: int = 1, params: Mapping[str, Any] | None = None
) -> list[Task]:
    """Split ``trials`` of a check into ``chunks`` tasks of ceil(trials / chunks) trials each."""
    mc = _registries()

    if name not in mc.CHECKS:
        raise BadInput(f"check ({name}) must be one of the registered checks (`boundlab verify --list`).", name="check")
    for key, value, low in (("trials", trials, 1), ("chunks", chunks, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or int(value) != value or value < low:
            raise BadInput(f"{key} ({value}) must be an integer >= {low}.", name=key)
    chunk_trials = math.ceil(int(trials) / int(chunks))
    resolved = mc.CHECKS[name].resolve(**(params or {}))  # validates every value before any chunk runs
    opts = {key: resolved[key] for key in (params or {})}
    items = tuple(sorted(opts.items()))
    return [Task("check", name, items, int(seed), i, int(chunks), chunk_trials) for i in range(int(chunks))]


def _as_result(x: Any) -> Any:
    """A check chunk's result as an MCResult, whether it ran here or was read from the store."""
    import boundlab.montecarlo as mc

    return x if isinstance(x, mc.MCResult) else mc.MCResult.from_json(x)


def run_tasks(
    tasks: Sequence[Task],
    backend: Backend | None = None,
    store: Any = None,
    *,
    progress: bool = False,
    label: str = "chunks",
) -> dict[Task, Any]:
    """Run the tasks not already in the store; returns every task's result (stored or new).

    Check chunks that ran are MCResult objects, stored ones JSON mappings (see :func:`_as_result`).
    """
    backend = backend or InProcess()
    results: dict[Task, Any] = {}
    todo: list[Task] = []
    for t in tasks:
        found = (
            None
            if store is None
            else store.get(t.store_task, t.options, t.root_seed, t.chunk, t.n_chunks, t.chunk_trials)
        )
        if found is None:
            todo.append(t)
        else:
            results[t] = found
    bar = _progress(progress, len(todo), label)
    try:
        for task, result, seconds in backend.map(todo):
            if store is not None:
                store.put(
                    task.store_task,
                    task.options,
                    task.root_seed,
                    task.chunk,
                    task.n_chunks,
                    task.chunk_trials,
                    result.to_json() if hasattr(result, "to_json") else result,
                    seconds,
                )
            results[task] = result
            bar.advance()
    finally:
        bar.close()
    return results


def run_check(
    name: str,
    *,
    trials: int,
    seed: int = 0,
    chunks: int = 1,
    params: Mapping[str, Any] | None = None,
    backend: Backend | None = None,
    store: Any = None,
    progress: bool = False,
) -> Any:
    """Run one check in chunks on a backend and pool the chunks: an :class:`MCResult`."""
    mc = _registries()

    tasks = plan_check(name, trials=trials, seed=seed, chunks=chunks, params=params)
    results = run_tasks(tasks, backend, store, progress=progress, label=name)
    parts = [_as_result(results[t]) for t in tasks]
    pooled = mc.combine(parts)
    return dataclasses.replace(pooled, seed=int(seed))


class _NoBar:
    def advance(self) -> None:
        pass

    def close(self) -> None:
        pass


class _RichBar(_NoBar):
    def __init__(self, total: int, label: str) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self._p = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        )
        self._p.start()
        self._task = self._p.add_task(label, total=total)

    def advance(self) -> None:
        self._p.advance(self._task)

    def close(self) -> None:
        self._p.stop()


def _progress(enabled: bool, total: int, label: str) -> _NoBar:
    if enabled and total > 1 and sys.stderr.isatty():
        return _RichBar(total, label)
    return _NoBar()


# ---------------------------------------------------------------------------------------------
# Sweep configurations (boundlab sweep CONFIG.toml)
# ---------------------------------------------------------------------------------------------

_MISSING: Any = object()


@dataclasses.dataclass(frozen=True)
class _Key:
    """One key of a sweep-file table: its type, its default (``_MISSING``: required) and a rule.

    ``must`` finishes the sentence "<where>.<key> (<value>) must be ..." of the error message.
    """

    types: type | tuple[type, ...]
    must: str
    default: Any = _MISSING
    ok: Callable[[Any], bool] = lambda v: True


# The sweep file's schema: one table per TOML table kind, one row per allowed key.
_SWEEP_SCHEMA: dict[str, dict[str, _Key]] = {
    "config": {
        "seed": _Key(int, "an integer >= 0", 0, lambda v: v >= 0),
        "store": _Key(str, "a file path", None),
        "backend": _Key(Mapping, "a table with keys among ['jobs', 'scheduler']", {}),
        "check": _Key(list, "an array of [[check]] tables", []),
        "experiment": _Key(list, "an array of [[experiment]] tables", []),
    },
    "backend": {
        "jobs": _Key(int, "an integer >= 1", None, lambda v: v >= 1),
        "scheduler": _Key(str, "an address like tcp://HOST:PORT", None),
    },
    "check": {
        "name": _Key(str, "a registered check or a result with checks"),
        "trials": _Key(int, "an integer >= 1", ok=lambda v: v >= 1),
        "chunks": _Key(int, "an integer >= 1", 1, lambda v: v >= 1),
        "grid": _Key(Mapping, "a table of parameter values", {}),
        "combine": _Key(str, "'product' or 'zip'", "product", lambda v: v in ("product", "zip")),
        "options": _Key(Mapping, "a table of check options", {}),
    },
    "experiment": {
        "name": _Key(str, "a registered experiment"),
        "quick": _Key(bool, "true or false", False),
        "seeds": _Key(
            list,
            "a list of integers >= 0",
            None,
            lambda v: all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in v),
        ),
    },
}


def _validated(kind: str, table: Any, where: str) -> dict[str, Any]:
    """``table`` checked against ``_SWEEP_SCHEMA[kind]``, with every default filled in.

    Raises :class:`BadInput` naming the first unknown, missing or ill-typed key.

    Examples
    --------
    >>> _validated("check", {"name": "thm3.1/rate-m", "trials": 40}, "config.check[0]")["chunks"]
    1
    >>> _validated("check", {"name": "thm3.1/rate-m", "trials": 0}, "config.check[0]")
    Traceback (most recent call last):
    ...
    boundlab.bounds._errors.BadInput: config.check[0].trials (0) must be an integer >= 1.
    """
    schema = _SWEEP_SCHEMA[kind]
    if not isinstance(table, Mapping):
        raise BadInput(f"{where} ({table}) must be a table.", name=kind)
    unknown = sorted(set(table) - set(schema))
    if unknown:
        raise BadInput(f"{where} has unknown key(s) {unknown}; allowed: {sorted(schema)}.", name=unknown[0])
    out = {}
    for key, rule in schema.items():
        value = table.get(key, rule.default)
        if value is _MISSING:
            raise BadInput(f"{where}.{key} (missing) must be {rule.must}.", name=key)
        if value is not None and value is not rule.default:
            is_bool = isinstance(value, bool)
            if not isinstance(value, rule.types) or (is_bool and rule.types is not bool) or not rule.ok(value):
                raise BadInput(f"{where}.{key} ({value}) must be {rule.must}.", name=key)
        out[key] = value
    return out


@dataclasses.dataclass(frozen=True)
class SweepPlan:
    """A validated sweep: the check points (name, options, trials, chunks), experiments and backend."""

    seed: int
    store: str | None
    jobs: int | None
    scheduler: str | None
    checks: tuple[tuple[str, tuple[tuple[str, Any], ...], int, int], ...]
    experiments: tuple[tuple[str, bool, int], ...]

    def tasks(self) -> list[Task]:
        out: list[Task] = []
        for name, opts, trials, chunks in self.checks:
            out += plan_check(name, trials=trials, seed=self.seed, chunks=chunks, params=dict(opts))
        for name, quick, seed in self.experiments:
            out.append(Task("experiment", name, (("quick", quick),), seed, 0, 1, 1))
        return out


def _expand_values(where: str, key: str, spec: Any) -> list[Any]:
    """One grid axis: a list of values, a range table (log/linear = [lo, hi, k], integer) or one value.

    Kept by hand rather than in ``_SWEEP_SCHEMA``: an axis is a union of three shapes and its range
    rules span keys (positive ends for log), which a per-key table does not express more simply.
    """
    if isinstance(spec, list):
        if not spec:
            raise BadInput(f"{where}.grid.{key} ([]) must list at least one value.", name=key)
        return list(spec)
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"log", "linear", "integer"}
        if unknown:
            raise BadInput(
                f"{where}.grid.{key} has unknown key(s) {sorted(unknown)}: use log = [lo, hi, k] or "
                f"linear = [lo, hi, k].",
                name=key,
            )
        kind = "log" if "log" in spec else "linear" if "linear" in spec else None
        if kind is None or not isinstance(spec[kind], list) or len(spec[kind]) != 3:
            raise BadInput(f"{where}.grid.{key} ({spec}) must be log = [lo, hi, k] or linear = [lo, hi, k].", name=key)
        lo, hi, k = spec[kind]
        if not (isinstance(k, int) and k >= 1) or not all(isinstance(v, (int, float)) for v in (lo, hi)):
            raise BadInput(f"{where}.grid.{key} range ({spec[kind]}) must be [number, number, integer >= 1].", name=key)
        import numpy as np

        if kind == "log":
            if not (lo > 0 and hi > 0):
                raise BadInput(f"{where}.grid.{key} log range ({lo}, {hi}) must have positive ends.", name=key)
            vals = np.geomspace(lo, hi, k)
        else:
            vals = np.linspace(lo, hi, k)
        if spec.get("integer", False):
            vals = np.unique(np.round(vals)).astype(int)
            return [int(v) for v in vals]
        return [float(v) for v in vals]
    return [spec]


def parse_sweep(config: Mapping[str, Any], *, where: str = "config") -> SweepPlan:
    """Validate a sweep configuration (the parsed TOML) into a :class:`SweepPlan`.

    Each table's keys, types and defaults are checked by the declarative ``_SWEEP_SCHEMA``; what
    stays written out here depends on the registries or on several keys at once (a check's name
    resolved to its checks, grid parameters the check accepts, zipped axes of equal length, at
    least one run), where a schema library would need the same code as validator callbacks.

    Examples
    --------
    >>> plan = parse_sweep({"seed": 1, "check": [{"name": "thm3.1/rate-m", "trials": 40, "chunks": 2}]})
    >>> len(plan.tasks())
    2
    """
    import itertools

    mc = _registries()

    top = _validated("config", config, where)
    seed = top["seed"]
    backend = _validated("backend", top["backend"], f"{where}.backend")
    checks = []
    for i, entry in enumerate(top["check"]):
        here = f"{where}.check[{i}]"
        spec = _validated("check", entry, here)
        name, trials, chunks, mode = spec["name"], spec["trials"], spec["chunks"], spec["combine"]
        names = [name] if name in mc.CHECKS else [c.name for c in mc.CHECKS.values() if c.theorem_id == name]
        if not names:
            raise BadInput(f"{here}.name ({name}) must be a registered check or a result with checks.", name="name")
        fixed = dict(spec["options"])
        axes = {k: _expand_values(here, k, v) for k, v in spec["grid"].items()}
        if mode == "zip" and len({len(v) for v in axes.values()}) > 1:
            raise BadInput(
                f"{here}.grid lists must have equal lengths to be zipped: { {k: len(v) for k, v in axes.items()} }.",
                name="grid",
            )
        keys = list(axes)
        points = (
            (list(zip(*axes.values())) if mode == "zip" else list(itertools.product(*axes.values()))) if keys else [()]
        )
        for nm in names:
            accepted = mc.CHECKS[nm].accepted()
            for k in [*keys, *fixed]:
                if k not in accepted:
                    raise BadInput(
                        f"{here}: parameter ({k}) must be one of the options of {nm}: "
                        f"{', '.join(sorted(accepted)) or 'none'}.",
                        name=k,
                    )
            for point in points:
                opts = {**fixed, **dict(zip(keys, point))}
                checks.append((nm, tuple(sorted(opts.items())), trials, chunks))
    experiments = []
    for i, entry in enumerate(top["experiment"]):
        here = f"{where}.experiment[{i}]"
        spec = _validated("experiment", entry, here)
        if spec["name"] not in mc.EXPERIMENTS:
            raise BadInput(
                f"{here}.name ({spec['name']}) must be one of: {', '.join(mc.EXPERIMENTS) or 'none'}.", name="name"
            )
        for s in spec["seeds"] if spec["seeds"] is not None else [seed]:
            experiments.append((spec["name"], spec["quick"], s))
    if not checks and not experiments:
        raise BadInput(f"{where} must list at least one [[check]] or [[experiment]].", name="check")
    return SweepPlan(seed, top["store"], backend["jobs"], backend["scheduler"], tuple(checks), tuple(experiments))


def load_sweep(path: str | os.PathLike[str]) -> SweepPlan:
    """Read and validate a sweep TOML file."""
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            config = tomllib.load(fh)
    except FileNotFoundError:
        raise BadInput(f"config ({path}) must be an existing TOML file.", name="config") from None
    except IsADirectoryError:
        raise BadInput(f"config ({path}) must be a TOML file, not a directory.", name="config") from None
    except OSError as exc:  # unreadable: permissions, a device, ...
        raise BadInput(
            f"config ({path}) must be a readable TOML file ({exc.strerror or exc}).", name="config"
        ) from None
    except UnicodeDecodeError:
        raise BadInput(f"config ({path}) must be UTF-8 TOML text.", name="config") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"config ({path}) must be valid TOML: {exc}.", name="config") from None
    return parse_sweep(config, where=str(path))


def run_sweep(
    plan: SweepPlan, *, backend: Backend | None = None, store: Any = None, progress: bool = False
) -> list[dict[str, Any]]:
    """Run a sweep plan; returns one pooled row per check point and one per experiment run."""
    mc = _registries()

    tasks = plan.tasks()
    results = run_tasks(tasks, backend, store, progress=progress, label="sweep")
    rows = []
    for name, opts, trials, chunks in plan.checks:
        mine = plan_check(name, trials=trials, seed=plan.seed, chunks=chunks, params=dict(opts))
        pooled = mc.combine([_as_result(results[t]) for t in mine])
        rows.append(
            {
                "kind": "check",
                "name": name,
                "options": dict(opts),
                **dataclasses.replace(pooled, seed=plan.seed).to_json(),
            }
        )
    for t in tasks:
        if t.kind == "experiment":
            rows.append({"kind": "experiment", "name": t.name, "seed": t.root_seed, "result": results[t]})
    return rows
