"""Dask workers that boundlab starts compute with glibc's adaptive allocator, like `--jobs` workers."""

from __future__ import annotations

import os

import dask
import distributed  # noqa: F401 (registers the nanny's configuration)

from boundlab.parallel import (
    MALLOC_TRIM_VAR,
    NANNY_MALLOC_KEY,
    DaskCluster,
    local_cluster,
    run_check,
    without_nanny_malloc_trim,
)

CHECK = "cor3.1/one-sided"


def _malloc_trim_setting() -> str | None:
    return os.environ.get(MALLOC_TRIM_VAR)


def test_local_cluster_workers_lack_the_nannys_malloc_trim_threshold_and_agree_bit_for_bit(monkeypatch):
    default = dask.config.get(NANNY_MALLOC_KEY)
    assert default is not None  # what Dask would export without boundlab
    monkeypatch.setenv(MALLOC_TRIM_VAR, str(default))  # as an earlier nanny of this process leaves it
    reference = run_check(CHECK, trials=3000, seed=2, chunks=3)
    with local_cluster(2) as cluster:
        backend = DaskCluster(cluster.scheduler_address)
        try:
            seen = backend._client.run(_malloc_trim_setting)
            got = run_check(CHECK, trials=3000, seed=2, chunks=3, backend=backend)
        finally:
            backend.close()
        assert len(seen) == 2 and set(seen.values()) == {None}
        assert _malloc_trim_setting() is None
    assert _malloc_trim_setting() is None
    assert (reference.estimate, reference.ci_low, reference.ci_high) == (got.estimate, got.ci_low, got.ci_high)


def test_the_setting_is_removed_for_one_key_only_and_restored_afterwards():
    before = dask.config.get("distributed.nanny.pre-spawn-environ")
    with without_nanny_malloc_trim():
        inside = dask.config.get("distributed.nanny.pre-spawn-environ")
        assert inside[MALLOC_TRIM_VAR] is None
        assert {k: v for k, v in inside.items() if k != MALLOC_TRIM_VAR} == {
            k: v for k, v in before.items() if k != MALLOC_TRIM_VAR
        }
    assert dask.config.get("distributed.nanny.pre-spawn-environ") == before


def test_a_malloc_trim_threshold_the_user_chose_is_left_alone(monkeypatch):
    monkeypatch.setenv(MALLOC_TRIM_VAR, "1048577")
    with without_nanny_malloc_trim():
        assert _malloc_trim_setting() == "1048577"
    assert _malloc_trim_setting() == "1048577"
