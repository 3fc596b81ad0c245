"""How many worker processes a run may start.

A daemonic process (a worker of a ``multiprocessing.Pool``, of a Dask nanny, of a test
harness) may not start children: there ``--jobs`` runs its shards one after another in the
process itself. The results are the same bytes either way; only the time differs.
"""

from __future__ import annotations

import multiprocessing


def usable_jobs(jobs: int) -> int:
    """``jobs``, or 1 where this process may not start worker processes."""
    return 1 if multiprocessing.current_process().daemon else jobs
