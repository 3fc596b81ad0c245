"""The same shard function on Dask (the optional extra ``rewardengine[dask]``): shards as a
``dask.bag``, run by any Dask scheduler — a local one, or a ``distributed`` cluster.

A shard task is plain data (the contract's bytes, a file's byte range, a spool folder), so
a worker needs only the package and the files at the same paths (a shared file system);
see docs/scale.md. The ceiling and the outputs are put together where the run started, as
with local processes, so the bytes are the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .run import Mapper


def dask_mapper(scheduler: str | Any = "processes", workers: int | None = None) -> Mapper:
    """A mapper running each shard as one partition of a ``dask.bag``; ``scheduler`` is a
    Dask scheduler name or a ``distributed.Client``."""
    import dask.bag as db  # an optional extra: imported only when asked for

    def run(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if not items:
            return []
        bag = db.from_sequence(items, npartitions=len(items)).map(fn)  # type: ignore[no-untyped-call]
        kw: dict[str, Any] = {"scheduler": scheduler}
        if workers is not None and isinstance(scheduler, str):
            kw["num_workers"] = workers
        return list(bag.compute(**kw))
    return run
