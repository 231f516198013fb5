"""How many threads digitpad's work should use: the cores actually free to this process.

os.cpu_count() counts the machine's cores, not this process's: a CPU affinity mask
(taskset, a batch scheduler) or a container's CPU quota leaves fewer, and another
program may be keeping some of them busy. OpenMP threads beyond the cores that can run
them do not share the work, they wait on each other at every barrier: measured here,
one CNN prediction went from 2 ms to over 100 ms with 2 threads on 2 busy cores. So:

- a user's OMP_NUM_THREADS always wins;
- otherwise the count is the cores in the affinity mask, capped by the cgroup quota,
  and for long work (training) by the cores that were idle over a short sample;
- one drawing (a 28x28 input) is predicted with one thread: its arithmetic is smaller
  than the cost of waking a second one.

Only the standard library here (threadpoolctl when present): cheap to import anywhere.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import time
from pathlib import Path

PREDICTION_THREADS = 1
CGROUP_ROOT = Path("/sys/fs/cgroup")


def requested_threads(environ=os.environ) -> int | None:
    """OMP_NUM_THREADS as a positive count (its first level when nested, "4,2" -> 4)."""
    value = environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    try:
        count = int(value)
    except ValueError:
        return None
    return count if count > 0 else None


def affinity_cores() -> int:
    """Cores this process may run on (an affinity mask narrows it; os.cpu_count does not)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def cgroup_quota_cores(root: Path = CGROUP_ROOT, proc_cgroup: Path = Path("/proc/self/cgroup")) -> float | None:
    """The CPU quota of this process's cgroup (and its parents), in cores; None if unlimited.

    cgroup v2 writes "quota period" (or "max period") in cpu.max; v1 writes the two
    numbers to cpu.cfs_quota_us and cpu.cfs_period_us (-1: unlimited).
    """
    quotas = []
    for folder in _cgroup_folders(root, proc_cgroup):
        v2 = _read_numbers(folder / "cpu.max")
        if v2 and len(v2) == 2 and v2[0] is not None:
            quotas.append(v2[0] / v2[1])
        quota, period = _read_numbers(folder / "cpu.cfs_quota_us"), _read_numbers(folder / "cpu.cfs_period_us")
        if quota and period and quota[0] is not None and quota[0] > 0:
            quotas.append(quota[0] / period[0])
    return min(quotas) if quotas else None


def _cgroup_folders(root: Path, proc_cgroup: Path) -> list[Path]:
    """This process's cgroup folder and its parents, for v2 and v1's cpu controller."""
    folders = []
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            base = root
        elif "cpu" in controllers.split(","):
            base = root / controllers
            if not base.is_dir():
                base = root / "cpu"
        else:
            continue
        here = base / path.lstrip("/")
        while True:
            folders.append(here)
            if here == base or base not in here.parents:
                break
            here = here.parent
    return folders or [root]


def _read_numbers(path: Path) -> list[float | None] | None:
    """The whitespace-separated numbers of a cgroup file ("max" -> None); None if absent."""
    try:
        words = path.read_text().split()
    except OSError:
        return None
    return [None if word == "max" else float(word) for word in words] or None


def usable_cores() -> int:
    """Cores this process may use at most: affinity, capped by the cgroup quota."""
    cores = affinity_cores()
    quota = cgroup_quota_cores()
    if quota is not None:
        cores = min(cores, max(1, math.floor(quota)))
    return cores


def idle_cores(sample_s: float = 0.1, stat: Path = Path("/proc/stat")) -> float | None:
    """Cores the machine left idle over a short sample (None where /proc/stat is absent)."""
    first = _cpu_times(stat)
    if first is None:
        return None
    time.sleep(sample_s)
    second = _cpu_times(stat)
    busy, total = second[0] - first[0], second[1] - first[1]
    if total <= 0:
        return None
    return (os.cpu_count() or 1) * (1.0 - busy / total)


def _cpu_times(stat: Path) -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs from /proc/stat's first line."""
    try:
        fields = [int(value) for value in stat.read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def training_threads(measure_load: bool = True, reserve: int = 0) -> int:
    """Threads for a long computation (training, evaluation): OMP_NUM_THREADS if set,
    else the usable cores, fewer when other programs keep some busy; `reserve` cores are
    left for other work of this process (the app's live prediction)."""
    requested = requested_threads()
    if requested is not None:
        return requested
    cores = usable_cores()
    if measure_load:
        idle = idle_cores()
        if idle is not None:
            # Half a core idle counts: a thread there still runs most of the time.
            cores = min(cores, max(1, round(idle)))
    return max(1, cores - reserve)


class LoadWatch:
    """Re-decides the thread count of a long computation while it runs.

    Every `interval_s` it asks how many cores this process could use: the CPU time it
    got itself over the interval plus the cores that stayed idle. When another program
    takes cores, the process's own share drops and so does the count; when it stops,
    the idle cores show and the count grows again (up to the usable cores). Checking is
    one clock read between checks, so it can be called after every batch.
    """

    def __init__(self, interval_s: float = 2.0, reserve: int = 0, stat: Path = Path("/proc/stat")):
        self.interval_s, self.reserve, self.stat = interval_s, reserve, stat
        self.fixed = requested_threads()  # the user's OMP_NUM_THREADS is never second-guessed
        self._mark = self._sample()

    def _sample(self):
        return time.monotonic(), _cpu_times(self.stat), time.process_time()

    def threads(self) -> int | None:
        """A new thread count when the interval has passed (None otherwise, or when unknown)."""
        if self.fixed is not None or time.monotonic() - self._mark[0] < self.interval_s:
            return None
        (then, machine_then, own_then), now = self._mark, self._sample()
        self._mark = now
        if machine_then is None or now[1] is None or now[1][1] <= machine_then[1]:
            return None
        busy, total = now[1][0] - machine_then[0], now[1][1] - machine_then[1]
        idle = (os.cpu_count() or 1) * (1.0 - busy / total)
        own = (now[2] - own_then) / max(now[0] - then, 1e-6)
        return max(1, min(usable_cores(), round(own + idle)) - self.reserve)

    def adjust(self) -> None:
        """Apply threads() to torch when it has an answer."""
        count = self.threads()
        if count is not None:
            set_torch_threads(count)


def set_torch_threads(count: int) -> None:
    """Set torch's intra-op thread count (process-wide), only when it changes."""
    import torch

    if torch.get_num_threads() != count:
        torch.set_num_threads(count)


@contextlib.contextmanager
def use_threads(count: int):
    """torch's thread count set to `count` for a while, then put back."""
    import torch

    before = torch.get_num_threads()
    set_torch_threads(count)
    try:
        yield
    finally:
        set_torch_threads(before)


@functools.lru_cache(maxsize=1)
def single_threaded_numpy() -> bool:
    """Keep numpy's BLAS to one thread (unless the user set its thread count).

    digitpad's numpy products are small (a drawing's resampling: 200x200 by 200x20), and
    OpenBLAS's threads, asleep between calls, cost milliseconds to wake on a busy
    machine: measured 0.04 -> 1.6 ms per product. Returns whether a limit was set.
    """
    if any(os.environ.get(name) for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")):
        return False
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return False
    threadpool_limits(limits=1, user_api="blas")
    return True
