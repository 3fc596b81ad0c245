"""Timing a whole command for the benchmarks: wall and CPU seconds and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Collection


def measured(cmd: list[str], ok: Collection[int] = (0,)) -> tuple[float, float, float]:
    """(wall s, CPU s of the command and its workers, peak MB of the largest process) of
    ``cmd`` run in a child; an exit code not in ``ok`` stops the benchmark."""
    probe = (
        "import resource,subprocess,sys,time,json;t=time.perf_counter();"
        "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
        "w=time.perf_counter()-t;u=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps([w,u.ru_utime+u.ru_stime,u.ru_maxrss/1024,r.returncode]))")
    # an installed package has compiled bytecode: let the command write and use it
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True,
                         check=True, env=env)
    wall, cpu, peak, code = json.loads(out.stdout)
    if code not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {code}")
    return wall, cpu, peak
