"""The results store: SQLite (standard library), WAL mode, one row per finished chunk.

A row is keyed by (task, canonical parameters, root seed, chunk index, number of chunks, trials
per chunk) and holds the chunk's result as JSON, the package version and the timing. A chunk is
written in one transaction after it finishes, so a process killed at any point leaves either the
whole row or nothing; ``INSERT OR IGNORE`` on the key makes a re-run of a finished chunk a no-op,
so a restarted sweep neither loses nor duplicates chunks. Several processes may write at once
(SQLite's locking, with a busy timeout).

The file is marked with ``PRAGMA application_id`` and carries its schema version; a file that is
not a boundlab store, or has a newer schema, is refused with a clear message.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from boundlab.bounds import BadInput

__all__ = ["Store", "DEFAULT_PATH", "SCHEMA_VERSION", "canonical", "load"]

DEFAULT_PATH = "boundlab-results.sqlite"
SCHEMA_VERSION = 1
APPLICATION_ID = 0x626C6162  # "blab"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    task TEXT NOT NULL,
    params TEXT NOT NULL,
    root_seed INTEGER NOT NULL,
    chunk INTEGER NOT NULL,
    n_chunks INTEGER NOT NULL,
    chunk_trials INTEGER NOT NULL,
    result TEXT NOT NULL,
    version TEXT NOT NULL,
    seconds REAL NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (task, params, root_seed, chunk, n_chunks, chunk_trials)
);
"""


def canonical(params: Mapping[str, Any]) -> str:
    """Canonical JSON of a parameter mapping (sorted keys, floats as repr), the store's key.

    Examples
    --------
    >>> canonical({"n": 100, "alpha": 0.05}) == canonical({"alpha": 0.05, "n": 100.0})
    True
    """

    def norm(v: Any) -> Any:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, (int, float)):
            f = float(v)
            return int(f) if f.is_integer() and abs(f) < 2**53 else f
        if isinstance(v, (list, tuple)):
            return [norm(x) for x in v]
        if isinstance(v, Mapping):
            return {str(k): norm(x) for k, x in sorted(v.items())}
        return str(v)

    return json.dumps(norm(dict(params)), sort_keys=True, separators=(",", ":"))


class Store:
    """A boundlab results store at ``path`` (created on first use).

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "r.sqlite")
    >>> with Store(path) as s:
    ...     s.put("chk", {"n": 1}, 0, 0, 1, 10, {"estimate": 1.0}, 0.01)
    ...     s.get("chk", {"n": 1}, 0, 0, 1, 10)
    True
    {'estimate': 1.0}
    """

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_PATH, *, timeout: float = 60.0) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise BadInput(f"store ({self.path}) must be a file path, not a directory.", name="store")
        if self.path.exists():
            self._check_file()
        else:
            parent = self.path.parent if str(self.path.parent) else Path(".")
            if not parent.exists():
                raise BadInput(f"store ({self.path}) must be in an existing directory.", name="store")
            if not os.access(parent, os.W_OK):
                raise BadInput(f"store ({self.path}) must be in a writable directory.", name="store")
        try:
            self._con = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=NORMAL")
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            raise BadInput(f"store ({self.path}) must be a boundlab SQLite store: {exc}.", name="store") from None

    def _check_file(self) -> None:
        with open(self.path, "rb") as fh:
            head = fh.read(100)
        if len(head) and not head.startswith(b"SQLite format 3\x00"):
            raise BadInput(
                f"store ({self.path}) must be a boundlab SQLite store; this file is not SQLite.", name="store"
            )
        if len(head) >= 72:
            app_id = int.from_bytes(head[68:72], "big")
            if app_id not in (0, APPLICATION_ID):
                raise BadInput(
                    f"store ({self.path}) must be a boundlab store; it belongs to another application "
                    f"(application_id {app_id:#x}).",
                    name="store",
                )
        if not os.access(self.path, os.W_OK):
            raise BadInput(f"store ({self.path}) must be writable.", name="store")

    def _init_schema(self) -> None:
        con = self._con
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "meta" not in tables:
            raise BadInput(
                f"store ({self.path}) must be a boundlab store; it has other tables: {', '.join(sorted(tables))}.",
                name="store",
            )
        if "meta" in tables:
            row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise BadInput(
                    f"store ({self.path}) has schema version {version}, newer than this boundlab's "
                    f"{SCHEMA_VERSION}: upgrade boundlab or use another store.",
                    name="store",
                )
            if app_id not in (0, APPLICATION_ID):
                raise BadInput(f"store ({self.path}) must be a boundlab store.", name="store")
            return
        with self._transaction():
            for stmt in _SCHEMA.strip().split(";"):
                if stmt.strip():
                    con.execute(stmt)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            con.execute("INSERT OR REPLACE INTO meta VALUES ('created', ?)", (_now(),))
        con.execute(f"PRAGMA application_id={APPLICATION_ID}")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._con.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    # -- rows --------------------------------------------------------------------------------

    def put(
        self,
        task: str,
        params: Mapping[str, Any],
        root_seed: int,
        chunk: int,
        n_chunks: int,
        chunk_trials: int,
        result: Mapping[str, Any],
        seconds: float,
    ) -> bool:
        """Record one finished chunk atomically; returns False if it was already there."""
        from boundlab import __version__

        with self._transaction():
            cur = self._con.execute(
                "INSERT OR IGNORE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    task,
                    canonical(params),
                    int(root_seed),
                    int(chunk),
                    int(n_chunks),
                    int(chunk_trials),
                    json.dumps(result, sort_keys=True),
                    __version__,
                    float(seconds),
                    _now(),
                ),
            )
        return cur.rowcount == 1

    def put_many(self, rows: list[tuple[str, Mapping[str, Any], int, int, int, int, Mapping[str, Any], float]]) -> int:
        """Record many finished chunks in one transaction; returns how many were new."""
        from boundlab import __version__

        new = 0
        with self._transaction():
            for task, params, seed, chunk, n_chunks, chunk_trials, result, seconds in rows:
                cur = self._con.execute(
                    "INSERT OR IGNORE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        task,
                        canonical(params),
                        int(seed),
                        int(chunk),
                        int(n_chunks),
                        int(chunk_trials),
                        json.dumps(result, sort_keys=True),
                        __version__,
                        float(seconds),
                        _now(),
                    ),
                )
                new += cur.rowcount
        return new

    def get(
        self, task: str, params: Mapping[str, Any], root_seed: int, chunk: int, n_chunks: int, chunk_trials: int
    ) -> dict[str, Any] | None:
        row = self._con.execute(
            "SELECT result FROM chunks WHERE task=? AND params=? AND root_seed=? AND chunk=? AND n_chunks=? "
            "AND chunk_trials=?",
            (task, canonical(params), int(root_seed), int(chunk), int(n_chunks), int(chunk_trials)),
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def done(
        self, task: str, params: Mapping[str, Any], root_seed: int, n_chunks: int, chunk_trials: int
    ) -> dict[int, dict[str, Any]]:
        """The finished chunks of one (task, params, seed, layout): chunk index -> result."""
        rows = self._con.execute(
            "SELECT chunk, result FROM chunks WHERE task=? AND params=? AND root_seed=? AND n_chunks=? "
            "AND chunk_trials=?",
            (task, canonical(params), int(root_seed), int(n_chunks), int(chunk_trials)),
        )
        return {int(c): json.loads(r) for c, r in rows}

    def count(self) -> int:
        return int(self._con.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def rows(self) -> list[dict[str, Any]]:
        cur = self._con.execute(
            "SELECT task, params, root_seed, chunk, n_chunks, chunk_trials, result, version, "
            "seconds, created FROM chunks ORDER BY task, params, root_seed, chunk"
        )
        keys = (
            "task",
            "params",
            "root_seed",
            "chunk",
            "n_chunks",
            "chunk_trials",
            "result",
            "version",
            "seconds",
            "created",
        )
        out = []
        for r in cur:
            d = dict(zip(keys, r))
            d["params"] = json.loads(d["params"])
            d["result"] = json.loads(d["result"])
            out.append(d)
        return out

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def load(path: str | os.PathLike[str] = DEFAULT_PATH, *, pooled: bool = False) -> Any:
    """Every stored chunk of a results store as a pandas DataFrame (needs the ``pandas`` extra).

    One row per chunk: ``kind`` ("check" or "experiment") and ``name`` (the task), ``params`` (the
    options as a dict) and one ``param_<name>`` column per option, the chunk's key (``root_seed``,
    ``chunk``, ``n_chunks``, ``chunk_trials``), ``version``, ``seconds``, ``created``, ``result``
    (the stored JSON) and, for check chunks, the result's columns (``verdict``, ``estimate``,
    ``ci_low``, ``ci_high``, ``bound``, ... as in :func:`boundlab.frames.results_frame`).

    With ``pooled=True``, one row per complete check run instead (every chunk of a (check, options,
    seed, layout) stored), its chunks pooled by :func:`boundlab.montecarlo.combine` as ``boundlab
    sweep`` pools them; incomplete runs and experiments are left out.

    The file is opened read-only in effect: nothing is written, and a missing file is refused
    rather than created.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "r.sqlite")
    >>> with Store(path) as s:
    ...     s.put("experiment:demo", {"quick": True}, 0, 0, 1, 1, {"accuracy": 0.9}, 0.5)
    True
    >>> load(path)[["kind", "name", "param_quick", "seconds"]].values.tolist()
    [['experiment', 'demo', True, 0.5]]
    """
    from boundlab.frames import require_pandas, results_frame

    pd = require_pandas()
    if not Path(path).is_file():
        raise BadInput(f"store ({path}) must be an existing boundlab store file.", name="store")
    with Store(path) as store:
        rows = store.rows()
    if pooled:
        import boundlab.montecarlo as mc

        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for r in rows:
            if r["task"].startswith("check:"):
                key = (r["task"], canonical(r["params"]), r["root_seed"], r["n_chunks"], r["chunk_trials"])
                groups.setdefault(key, []).append(r)
        runs = []
        for (_, _, seed, n_chunks, _), chunks in groups.items():
            chunks.sort(key=lambda r: r["chunk"])
            if [r["chunk"] for r in chunks] == list(range(n_chunks)):
                parts = [mc.MCResult.from_json(r["result"]) for r in chunks]
                runs.append(mc.combine(parts).to_json() | {"seed": seed})
        return results_frame(runs)
    meta = []
    for r in rows:
        kind, _, name = r["task"].partition(":")
        row: dict[str, Any] = {"kind": kind, "name": name, "params": r["params"]}
        row.update({f"param_{k}": v for k, v in r["params"].items()})
        row.update(
            {
                k: r[k]
                for k in ("root_seed", "chunk", "n_chunks", "chunk_trials", "version", "seconds", "created", "result")
            }
        )
        meta.append(row)
    frame = pd.DataFrame(
        meta,
        columns=None
        if meta
        else [
            "kind",
            "name",
            "params",
            "root_seed",
            "chunk",
            "n_chunks",
            "chunk_trials",
            "version",
            "seconds",
            "created",
            "result",
        ],
    )
    is_check = [r["task"].startswith("check:") for r in rows]
    if any(is_check):
        checks = results_frame([r["result"] for r, c in zip(rows, is_check) if c])
        checks.index = frame.index[is_check]
        # the chunk's own columns say these; the options are already param_<name> columns
        checks = checks.drop(
            columns=[c for c in checks if c in ("name", "seconds", "seed", "trials") or c.startswith("param_")]
        )
        frame = frame.join(checks)
    return frame
