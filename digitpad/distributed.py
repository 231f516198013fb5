"""Training on several processes, GPUs or machines with PyTorch's own distributed engine.

torchrun (`torch.distributed.run`) starts one process per device or core group and tells
each where it stands through environment variables (RANK, WORLD_SIZE, LOCAL_RANK, ...).
A `digitpad train` started that way finds them (`from_environment`), joins the process
group (`join`: NCCL when each process has a CUDA device, gloo otherwise) and trains with
DistributedDataParallel; only rank 0 writes checkpoints and output.

`launch` is the other side: it starts torchrun itself and yields rank 0's progress
records, for `digitpad train --nproc-per-node N` and for the GUI, which stay Qt-free
and torch-process-free that way: a failure or a cancel ends child processes, never the app.

torch is imported inside the functions: the CLI asks `from_environment` before it starts
decoding images in parallel with torch's import.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections import deque
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np

from .errors import DigitpadError

if TYPE_CHECKING:
    from torch import nn

    from .train import TrainConfig, TrainProgress

# How long a process waits for the others at a collective (the first decode of a big
# folder by local rank 0 included) before giving up. A dead process is noticed sooner:
# torchrun stops the others as soon as one exits.
COLLECTIVE_TIMEOUT_S = 30 * 60
# After a cancel, how long torchrun gets to stop its workers before it is killed: more
# than the 30 s it grants them itself, so that it is never killed with workers left over.
STOP_GRACE_S = 40.0


class DistributedError(DigitpadError):
    pass


@dataclass(frozen=True)
class Processes:
    """Where this process stands among those training together; one alone by default."""

    rank: int = 0  # 0 .. world_size-1, across all machines
    world_size: int = 1
    local_rank: int = 0  # on this machine
    local_world_size: int = 1
    backend: str | None = None  # "gloo" or "nccl", once joined
    device: str | None = None  # this process's device, once joined

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def describe(self) -> str:
        """'2 processes (gloo)', for the first line of a run's output."""
        return f"{self.world_size} processes ({self.backend})"


def from_environment(environ=os.environ) -> Processes | None:
    """The place torchrun gave this process, or None when torchrun did not start it."""
    if "RANK" not in environ or "WORLD_SIZE" not in environ:
        return None
    return Processes(
        rank=int(environ["RANK"]), world_size=int(environ["WORLD_SIZE"]),
        local_rank=int(environ.get("LOCAL_RANK", 0)),
        local_world_size=int(environ.get("LOCAL_WORLD_SIZE", 1)),
    )


# --- inside each process -----------------------------------------------------------------


def backend_and_device(device: str, local_rank: int, local_world_size: int):
    """NCCL on cuda:LOCAL_RANK when every process on this machine has a GPU of its own, else
    gloo on the CPU. Asking for CUDA without enough GPUs is an error, not a quiet CPU run."""
    import torch
    import torch.distributed as dist

    name = device.strip().lower()
    wants_cuda = name in ("auto", "gpu") or name.startswith("cuda")
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if wants_cuda and gpus >= local_world_size and dist.is_nccl_available():
        return "nccl", torch.device("cuda", local_rank)
    if name not in ("auto", "cpu"):
        raise DistributedError(
            f"{local_world_size} processes on this machine need a CUDA device each for "
            f"--device {device}, and {gpus} were found; use --device cpu or fewer processes")
    return "gloo", torch.device("cpu")


def join(place: Processes, device: str = "auto") -> Processes:
    """Join the process group torchrun set up; returns `place` with its backend and device."""
    from datetime import timedelta

    import torch
    import torch.distributed as dist

    backend, where = backend_and_device(device, place.local_rank, place.local_world_size)
    if where.type == "cuda":
        torch.cuda.set_device(where)
    dist.init_process_group(backend, timeout=timedelta(seconds=COLLECTIVE_TIMEOUT_S))
    return replace(place, backend=backend, device=str(where))


def leave() -> None:
    import gc

    import torch.distributed as dist

    if dist.is_initialized():
        # The DDP model (its reducer holds the process group) can linger in reference
        # cycles: left to the interpreter's exit, the group's gloo threads were torn down
        # there, and under load one process in a few aborted ("terminate called without an
        # active exception", tests/test_distributed.py). Collected now, the group goes
        # while Python is fully alive.
        gc.collect()
        dist.destroy_process_group()


def barrier() -> None:
    import torch.distributed as dist

    if dist.is_initialized():
        dist.barrier()


def _collective_device():
    """NCCL moves CUDA tensors only; gloo takes CPU ones."""
    import torch
    import torch.distributed as dist

    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def sum_across(values: list[float]) -> list[float]:
    """Each value summed over all processes (the values themselves when alone)."""
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():
        return list(values)
    total = torch.tensor(values, dtype=torch.float64, device=_collective_device())
    dist.all_reduce(total)
    return total.tolist()


def gather_rows(local: np.ndarray) -> np.ndarray:
    """Every process's rows, in rank order, on every process; the shards may differ in length."""
    import torch
    import torch.distributed as dist

    if not dist.is_initialized():
        return local
    device, world = _collective_device(), dist.get_world_size()
    count = torch.tensor([len(local)], device=device)
    counts = [torch.zeros_like(count) for _ in range(world)]
    dist.all_gather(counts, count)
    longest = max(int(c) for c in counts)
    padded = torch.zeros((longest, *local.shape[1:]), dtype=torch.from_numpy(local[:0]).dtype,
                         device=device)
    padded[: len(local)] = torch.from_numpy(np.ascontiguousarray(local)).to(device)
    parts = [torch.zeros_like(padded) for _ in range(world)]
    dist.all_gather(parts, padded)
    return torch.cat([part[: int(c)] for part, c in zip(parts, counts)]).cpu().numpy()


def shard(count: int, place: Processes) -> slice:
    """This process's contiguous share of `count` items (the first ones get one more)."""
    size, extra = divmod(count, place.world_size)
    start = place.rank * size + min(place.rank, extra)
    return slice(start, start + size + (place.rank < extra))


def replicate(model: nn.Module, place: Processes) -> tuple[nn.Module, nn.Module]:
    """(model, what to call in training): DistributedDataParallel keeps the replicas' weights
    identical by averaging the gradients. On GPUs the BatchNorm statistics are synchronised
    too; gloo has no SyncBatchNorm, so on CPUs each process normalises over its own batch
    (and DDP copies rank 0's running statistics to the others at every step)."""
    if not place.distributed:
        return model, model
    from torch import nn
    from torch.nn.parallel import DistributedDataParallel

    if place.backend == "nccl":
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        return model, DistributedDataParallel(model, device_ids=[place.device])
    return model, DistributedDataParallel(model)


# --- starting the processes --------------------------------------------------------------


@dataclass
class Launch:
    """How torchrun starts the processes: how many per machine, and where machines meet."""

    nproc_per_node: int = 1
    nnodes: str = "1"  # machines: "2", or "1:4" for an elastic range
    rdzv_endpoint: str | None = None  # HOST:PORT where several machines meet
    rdzv_id: str = "digitpad"  # the same on every machine of one run
    master_port: int | None = None  # one machine: the port its processes meet at (default: torchrun's free one)


def torchrun_options(how: Launch) -> list[str]:
    options = [f"--nproc-per-node={how.nproc_per_node}", "--max-restarts=0"]
    if how.rdzv_endpoint:
        return options + [f"--nnodes={how.nnodes}", "--rdzv-backend=c10d",
                          f"--rdzv-endpoint={how.rdzv_endpoint}", f"--rdzv-id={how.rdzv_id}"]
    if how.nnodes != "1":
        raise DistributedError("training on several machines needs --rdzv-endpoint HOST:PORT, "
                               "the address they all reach")
    if how.master_port is None:
        # torchrun picks a free port itself and tells its processes: a port chosen here
        # could be taken by another program in the seconds before torchrun binds it.
        return options + ["--standalone"]
    check_port_free(how.master_port)
    return options + ["--master-addr=127.0.0.1", f"--master-port={how.master_port}"]


def check_port_free(port: int) -> None:
    """Refuse a port something else listens on, before three processes import torch."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise DistributedError(f"port {port} is in use on this machine (another training?); "
                                   "pick another with --master-port, or leave it out") from None


def train_options(config: TrainConfig) -> list[str]:
    """`digitpad train` options that make every process build this same run."""
    from .train import TrainConfig

    defaults = TrainConfig()
    if config.model_args != defaults.model_args or config.classes != defaults.classes:
        raise DistributedError("model arguments and class names other than the defaults "
                               "cannot be passed to training processes")
    options = ["--model", config.model, "--epochs", str(config.epochs),
               "--batch-size", str(config.batch_size), "--lr", repr(config.lr),
               "--val-split", repr(config.val_split), "--schedule", config.schedule,
               "--weight-decay", repr(config.weight_decay), "--hard-share", repr(config.hard_share),
               "--seed", str(config.seed),
               "--device", config.device, "--out", config.out_dir]
    flags = {"--augment": config.augment, "--elastic": config.elastic}
    options += [flag for flag, on in flags.items() if on]
    for flag, path in (("--resume", config.resume), ("--init-from", config.init_from)):
        if path:
            options += [flag, path]
    return options


def _environment(how: Launch) -> dict:
    """Unbuffered output (the records come as they are made) and the cores shared out:
    torchrun would give each process one thread and warn about it."""
    from .threads import usable_cores

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("OMP_NUM_THREADS", str(max(1, usable_cores() // how.nproc_per_node)))
    return env


def launch(folder: str, config: TrainConfig, how: Launch, cancel: threading.Event | None = None,
           mix_mnist: bool = False, log: Callable[[str], None] | None = None,
           ) -> Iterator[TrainProgress]:
    """Train on `how.nproc_per_node` processes started by torchrun; yield rank 0's records.

    Setting `cancel` interrupts every process (as Ctrl+C does) and ends with a "cancelled"
    record; checkpoints of finished epochs are kept. Stopping the iteration (a
    KeyboardInterrupt included) stops the processes too. A failed process ends the run
    with a DistributedError that says which one and why. `log` gets each line the
    processes write to stderr (their warnings and errors).
    """
    command = [sys.executable, "-m", "torch.distributed.run", *torchrun_options(how),
               "-m", "digitpad", "train", str(folder), *train_options(config), "--json"]
    if mix_mnist:
        command.append("--mix-mnist")
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=_environment(how), start_new_session=True)
    stopper = _Stopper(child, cancel or threading.Event())
    errors = _StderrTail(child, log, quiet=stopper.stopping)
    try:
        last, last_epoch = yield from _records(child)
        code = child.wait()
    except BaseException:  # the caller stopped iterating: the processes stop with it
        stopper.stop()
        raise
    finally:
        stopper.finish()
        errors.thread.join()
    if stopper.cancelled:
        yield _cancelled(last, last_epoch)
    elif code != 0:
        raise DistributedError(failure_in_words(list(errors.lines), code))


def _records(child) -> Iterator[TrainProgress]:
    """Rank 0's JSON lines as records; returns (the last record, the last epoch's)."""
    from .train import TrainProgress

    last = last_epoch = None
    for line in child.stdout:
        try:
            fields = json.loads(line)
            record = TrainProgress(**fields)
        except (ValueError, TypeError):
            continue  # not a record: a stray print of a library
        last = record
        if record.kind == "epoch":
            last_epoch = record
        yield record
    return last, last_epoch


def _cancelled(last, last_epoch):
    from .train import TrainProgress

    base = last or TrainProgress(kind="cancelled", epoch=0, epochs=0, batch=0, batches=0,
                                 loss=float("nan"), accuracy=float("nan"))
    paths = {"best_path": last_epoch.best_path, "last_path": last_epoch.last_path} if last_epoch \
        else {"best_path": None, "last_path": None}
    return replace(base, kind="cancelled", eta_s=0.0, **paths)


class _StderrTail:
    """Reads the processes' stderr on a thread: keeps the last lines for the error message
    and passes them to `log`, except once `quiet` is set (the tracebacks of a stop we asked for)."""

    def __init__(self, child, log, quiet: threading.Event):
        self.lines: deque[str] = deque(maxlen=400)
        self.thread = threading.Thread(target=self._read, args=(child.stderr, log, quiet), daemon=True)
        self.thread.start()

    def _read(self, stream, log, quiet) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))
            if log is not None and not quiet.is_set():
                log(line.rstrip("\n"))


class _Stopper:
    """Interrupts torchrun on cancel, as Ctrl+C in a terminal does."""

    def __init__(self, child, cancel: threading.Event):
        self.child, self.cancel, self.cancelled = child, cancel, False
        self.stopping = threading.Event()
        self._over = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self._over.is_set():
            if self.cancel.wait(0.1):
                self.cancelled = True
                self.stop()
                return

    def stop(self) -> None:
        """SIGINT to torchrun, which passes SIGTERM on to its workers (each in a session of
        its own) and kills those that outlast its own grace period; SIGKILL if it hangs."""
        self.stopping.set()
        for sig in (signal.SIGINT, signal.SIGKILL):
            try:
                os.killpg(self.child.pid, sig)
                self.child.wait(STOP_GRACE_S)
                return
            except ProcessLookupError:
                return
            except subprocess.TimeoutExpired:
                continue

    def finish(self) -> None:
        self._over.set()
        if self.thread is not threading.current_thread():
            self.thread.join()


_ROOT_CAUSE = re.compile(r"Root Cause.*?rank\s*:\s*(\d+).*?exitcode\s*:\s*(-?\d+)[^\n]*?(SIG[A-Z]+)?\)?\s*\n",
                         re.S)


def failure_in_words(lines: list[str], code: int) -> str:
    """What went wrong, from the processes' stderr: the failed rank's own error when it
    said one, else how it died (torchrun's summary), else the last line written."""
    text = "\n".join(lines)
    if "EADDRINUSE" in text or "address already in use" in text:
        return "the port the processes meet at is in use; pick another with --master-port"
    stopped = re.search(r"SignalException: Process \d+ got signal: (\d+)", text)
    if stopped:
        return (f"torchrun was stopped by {signal.Signals(int(stopped.group(1))).name} from outside; "
                "checkpoints of finished epochs are kept")
    own = {}
    for line in lines:
        match = re.search(r"digitpad: error: rank (\d+): (.*)", line)
        if match:
            own.setdefault(int(match.group(1)), match.group(2))
    root = _ROOT_CAUSE.search(text)
    if root:
        rank, exit_code, sig = int(root.group(1)), int(root.group(2)), root.group(3)
        if rank in own:
            return f"rank {rank}: {own[rank]}"
        how = f"was killed ({sig})" if sig else f"exited with status {exit_code}"
        cause = _last_exception(lines)
        return f"training process rank {rank} {how}; the others were stopped" + \
            (f" ({cause})" if cause and not sig else "")
    if own:
        rank = min(own)
        return f"rank {rank}: {own[rank]}"
    tail = next((line for line in reversed(lines) if line.strip()), "no output")
    return f"the training processes failed (torchrun exit status {code}): {tail}"


def _last_exception(lines: list[str]) -> str | None:
    """The 'SomeError: message' line of the last traceback a process printed."""
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception)\b.*:", line) and "ChildFailedError" not in line:
            return line.strip()
    return None
