"""The same shard function on Dask (the optional extra ``rewardengine[dask]``): shards as a
``dask.bag``, run by any Dask scheduler — a local one, or a ``distributed`` cluster.

A shard task is plain data (the contract's bytes, a file's byte range or a bucket's files,
a spool folder), so a worker needs only the package and the files at the same paths (a
shared file system); see docs/scale.md. The ceiling and the outputs are put together where
the run started, as with local processes, so the bytes are the same.

A run maps several times (the shards; for unsorted input the parts, then the buckets; with
a contract ceiling the writing): Dask's local ``processes`` scheduler would start a new pool
of processes for each, so this mapper starts one and keeps it while the mapper lives.
"""

from __future__ import annotations

import multiprocessing
import weakref
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from .run import Mapper


def dask_mapper(scheduler: str | Any = "processes", workers: int | None = None) -> Mapper:
    """A mapper running each shard as one partition of a ``dask.bag``; ``scheduler`` is a
    Dask scheduler name or a ``distributed.Client``."""
    import dask.bag as db  # an optional extra: imported only when asked for

    pools: list[ProcessPoolExecutor] = []

    def run(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if not items:
            return []
        bag = db.from_sequence(items, npartitions=len(items)).map(fn)  # type: ignore[no-untyped-call]
        kw: dict[str, Any] = {"scheduler": scheduler}
        if scheduler == "processes":
            if not pools:
                pools.append(ProcessPoolExecutor(
                    workers, mp_context=multiprocessing.get_context("spawn")))
                weakref.finalize(run, pools[0].shutdown)
            kw["pool"] = pools[0]
        elif workers is not None and isinstance(scheduler, str):
            kw["num_workers"] = workers
        return list(bag.compute(**kw))
    return run
