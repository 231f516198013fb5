"""Training on several processes: 2 gloo processes on the CPU, tiny models, a few batches."""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from digitpad import checkpoint as ckpt
from digitpad.cli import build_parser, main
from digitpad.data import ImageSet
from digitpad.distributed import (
    DistributedError, Launch, Processes, failure_in_words, from_environment, join,
    launch, leave, shard, train_options,
)
from digitpad.train import TrainConfig, train

linux_only = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")


def free_port() -> int:
    """A port free now, for the tests that name one (the launcher leaves that to torchrun)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _learnable_set(count: int = 256) -> ImageSet:
    """Random images whose label is which quarter of the image is brightest."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 120, (count, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 4, count)
    for i, label in enumerate(labels):
        row, col = divmod(int(label), 2)
        images[i, row * 14 : row * 14 + 14, col * 14 : col * 14 + 14] += 120
    return ImageSet(images, labels.astype(np.int64))


def _config(batch_size: int, out: Path) -> TrainConfig:
    return TrainConfig(model="mlp", epochs=2, batch_size=batch_size, val_split=0.25, device="cpu",
                       schedule="constant", seed=0, out_dir=str(out))


def _trained_model(records):
    """Run a train() generator to its end; the model it returns."""
    while True:
        try:
            next(records)
        except StopIteration as end:
            return end.value


def _train_as_rank(rank: int, port: int, out: Path) -> None:
    """One of two processes (torch.multiprocessing.spawn calls it), as torchrun would start it."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE="2", LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE="2")
    torch.set_num_threads(1)
    place = join(from_environment(), "cpu")
    try:
        model = _trained_model(train(_config(32, out / f"rank{rank}"), _learnable_set(), processes=place))
        torch.save(model.state_dict(), out / f"weights{rank}.pt")
    finally:
        leave()


def test_two_processes_stay_identical_and_match_one_process_at_the_same_global_batch(tmp_path):
    torch.multiprocessing.start_processes(_train_as_rank, args=(free_port(), tmp_path), nprocs=2,
                                          start_method="spawn")
    rank0, rank1 = (torch.load(tmp_path / f"weights{r}.pt", weights_only=True) for r in (0, 1))
    assert all(torch.equal(rank0[name], rank1[name]) for name in rank0)
    alone = _trained_model(train(_config(64, tmp_path / "alone"), _learnable_set())).state_dict()
    # 2 processes x 32 see the same 64 images per step as 1 x 64, and DDP averages the two
    # halves' gradients: after 6 Adam steps the weights agree to float rounding.
    assert all(torch.allclose(rank0[name], alone[name], atol=1e-5) for name in rank0)
    assert not any(rank0[name].equal(_fresh_mlp()[name]) for name in rank0)  # it did train
    assert sorted(p.name for p in (tmp_path / "rank0").iterdir()) == ["best.pt", "last.pt"]
    assert not (tmp_path / "rank1").exists()  # rank 0 alone writes checkpoints
    assert ckpt.load(tmp_path / "rank0" / "last.pt").meta["processes"] == 2


def _fresh_mlp():
    from digitpad.models import build_model

    torch.manual_seed(0)
    return build_model("mlp").state_dict()


def test_both_launch_forms_train_report_and_resume(digit_folder, tmp_path, capsys):
    out = tmp_path / "run"
    code = main(["train", str(digit_folder), "--nproc-per-node", "2", "--model", "mlp", "--epochs", "2",
                 "--batch-size", "16", "--device", "cpu", "--out", str(out), "--json"])
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert code == 0, captured.err  # the launcher's words for what went wrong
    assert [r["epoch"] for r in records if r["kind"] == "epoch"] == [1, 2]
    done = records[-1]
    assert done["kind"] == "done" and (done["processes"], done["backend"]) == (2, "gloo")
    assert done["best_val_accuracy"] > 0.5  # chance is 0.1
    assert ckpt.load(out / "last.pt").meta["samples"] == {"train": 216, "validation": 24}
    # torchrun's own form, continuing the same run
    resumed = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node=2", f"--master-port={free_port()}",
         "-m", "digitpad", "train", str(digit_folder), "--model", "mlp", "--epochs", "3", "--batch-size", "16",
         "--device", "cpu", "--out", str(tmp_path / "more"), "--resume", str(out / "last.pt")],
        capture_output=True, text=True, timeout=240)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "training on 2 processes (gloo)" in resumed.stderr and "epoch 3/3: loss" in resumed.stderr
    assert "on 2 processes (gloo); best:" in resumed.stdout
    assert ckpt.load(tmp_path / "more" / "last.pt").meta["epochs"] == 3


def _workers_of(torchrun_pid: int) -> dict[int, int]:
    """{rank: pid} of the processes torchrun started."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            environ = (stat.parent / "environ").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        rank = [item[5:] for item in environ if item.startswith(b"RANK=")]
        if parent == torchrun_pid and rank:
            found[int(rank[0])] = int(stat.parent.name)
    return found


def _long_run(digit_folder, out, at_first_epoch):
    """A launch() of 2 processes meant to last; `at_first_epoch({rank: pid})` is called once."""
    config = TrainConfig(model="mlp", epochs=100, batch_size=8, device="cpu", out_dir=str(out))
    records = launch(str(digit_folder), config, Launch(nproc_per_node=2))
    workers = {}
    for record in records:
        if record.kind == "epoch" and not workers:
            workers = _workers_of(records.gi_frame.f_locals["child"].pid)
            at_first_epoch(workers)


def _gone(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "zombie" in status.read_text()


@linux_only
def test_a_killed_rank_fails_the_run_in_words_and_leaves_whole_checkpoints(digit_folder, tmp_path):
    out, found = tmp_path / "run", {}

    def kill_rank_1(workers):
        found.update(workers)
        os.kill(workers[1], signal.SIGKILL)

    with pytest.raises(DistributedError, match=r"rank 1 was killed \(SIGKILL\); the others were stopped"):
        _long_run(digit_folder, out, kill_rank_1)
    assert _gone(found[0]) and _gone(found[1])
    assert sorted(p.name for p in out.iterdir()) == ["best.pt", "last.pt"]  # no half-written file
    assert ckpt.load(out / "last.pt").meta["epochs"] >= 1


def test_a_port_in_use_is_reported_at_once(digit_folder, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["train", str(digit_folder), "--nproc-per-node", "2", "--master-port", str(port),
                     "--device", "cpu"])
    assert code == 1 and f"port {port} is in use" in capsys.readouterr().err


def test_failures_are_put_in_words_from_torchrun_output():
    summary = """torch.distributed.elastic.multiprocessing.errors.ChildFailedError:
Root Cause (first observed failure):
[0]:
  time      : 2026-11-29_09:27:08
  host      : localhost
  rank      : 1 (local_rank: 1)
  exitcode  : 1 (pid: 7295)
  error_file: <N/A>
"""
    lines = ["digitpad: error: rank 0: lost contact with the other training processes (...)",
             "digitpad: error: rank 1: dataset folder 'x' does not exist", *summary.splitlines()]
    assert failure_in_words(lines, 1) == "rank 1: dataset folder 'x' does not exist"
    lines = ["Traceback (most recent call last):", "ValueError: bad thing", *summary.splitlines()]
    assert failure_in_words(lines, 1) == ("training process rank 1 exited with status 1; "
                                          "the others were stopped (ValueError: bad thing)")
    lines = ["torch.distributed.DistNetworkError: The server socket has failed to listen on any "
             "local network address. port: 29613, useIpv6: false, code: -98, name: EADDRINUSE"]
    assert "port the processes meet at is in use" in failure_in_words(lines, 1)
    lines = ["torch.distributed.elastic.multiprocessing.api.SignalException: Process 7 got signal: 15"]
    assert failure_in_words(lines, 1).startswith("torchrun was stopped by SIGTERM from outside")


def test_a_config_reaches_the_processes_unchanged():
    config = TrainConfig(model="cnn", epochs=7, batch_size=48, lr=3e-4, val_split=0.2, augment=True,
                         elastic=True, seed=5, device="cpu", schedule="constant", weight_decay=1e-4,
                         out_dir="runs/x", resume=None, init_from="base.pt", hard_share=0.35)
    args = build_parser().parse_args(["train", "DIR", *train_options(config)])
    from digitpad.cli import _checked_train_config

    args.init_from = None  # base.pt does not exist; everything else is checked as given
    rebuilt = _checked_train_config(args)
    # Each process records the folder it trained on (for its look-alike index).
    assert rebuilt == TrainConfig(**{**config.__dict__, "init_from": None, "data_dir": str(Path("DIR").resolve())})


def test_shards_cover_everything_once():
    for count in (0, 1, 7, 24):
        parts = [shard(count, Processes(rank=r, world_size=3)) for r in range(3)]
        assert [i for part in parts for i in range(count)[part]] == list(range(count))
