"""Checkpoints: weights plus everything needed to use them without guessing.

A checkpoint is a plain dict of tensors, strings and numbers, so it loads with
``torch.load(weights_only=True)``: a file that needs arbitrary Python objects to load is
refused, never run. It records the architecture and its arguments, the class names and
the input contract (size, normalisation, preprocessing version), and how it was trained.
Saving is atomic: a temp file beside the target, then ``os.replace``.
"""

from __future__ import annotations

import datetime as _dt
import os
import pickle
import re
import platform
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from . import preprocess
from .errors import DigitpadError
from .files import atomic_write
from .models import UnknownModelError, build_model

FORMAT = "digitpad-checkpoint"
FORMAT_VERSION = 1
CLASSES = [str(d) for d in range(10)]


class CheckpointError(DigitpadError):
    """A checkpoint file that cannot be used; the message says why, for the user."""


@dataclass
class Checkpoint:
    arch: str
    arch_args: dict
    state_dict: dict
    classes: list = field(default_factory=lambda: list(CLASSES))
    input: dict = field(default_factory=preprocess.input_contract)
    meta: dict = field(default_factory=dict)
    training_state: dict | None = None  # optimizer and progress, only in resumable files

    def build(self) -> nn.Module:
        """The model with these weights, in eval mode, on the CPU."""
        model = build_model(self.arch, **self.arch_args)
        model.load_state_dict(self.state_dict)
        return model.eval()


def library_versions() -> dict:
    import PIL

    return {
        "torch": str(torch.__version__),  # TorchVersion is not a plain str: weights_only refuses it
        "numpy": str(np.__version__),
        "pillow": str(PIL.__version__),
        "python": platform.python_version(),
    }


def from_model(model: nn.Module, arch: str, arch_args: dict, **meta) -> Checkpoint:
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    stamp = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    meta = {"date": stamp, "versions": library_versions(), **meta}
    return Checkpoint(arch=arch, arch_args=dict(arch_args), state_dict=state, meta=meta)


def save(checkpoint: Checkpoint, path: str | os.PathLike) -> Path:
    """Write atomically: the old file stays whole until the new one is complete."""
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "arch": checkpoint.arch,
        "arch_args": checkpoint.arch_args,
        "state_dict": checkpoint.state_dict,
        "classes": checkpoint.classes,
        "input": checkpoint.input,
        "meta": checkpoint.meta,
    }
    if checkpoint.training_state is not None:
        payload["training_state"] = checkpoint.training_state
    with atomic_write(path) as tmp:
        torch.save(payload, tmp)
    return Path(path)


def load(path: str | os.PathLike) -> Checkpoint:
    """Read and check a checkpoint; any problem is one CheckpointError with a reason."""
    path = Path(path)
    payload = _read_safely(path)
    checkpoint = _from_payload(payload, path)
    _check_weights_fit(checkpoint, path)
    return checkpoint


def _read_safely(path: Path) -> dict:
    name = path.name
    if not path.is_file():
        raise CheckpointError(f"cannot load '{path}': no such file")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        global_name = re.search(r"GLOBAL ([\w.]+)", str(error))
        if global_name:
            raise CheckpointError(
                f"refused '{name}': it contains Python objects other than weights "
                f"({global_name.group(1)}), which could run code when loaded"
            ) from None
        raise CheckpointError(
            f"cannot load '{name}': the file is truncated, corrupt or not a PyTorch "
            "checkpoint (it does not unpickle)"
        ) from None
    except Exception as error:  # noqa: BLE001 - junk bytes fail in many ways (struct.error...)
        raise CheckpointError(
            f"cannot load '{name}': the file is truncated, corrupt or not a PyTorch "
            f"checkpoint ({_first_line(error)})"
        ) from None


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def _from_payload(payload, path: Path) -> Checkpoint:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(
            f"cannot load '{path.name}': it is a PyTorch file but not a digitpad "
            "checkpoint (train one with 'digitpad train')"
        )
    try:
        checkpoint = Checkpoint(
            arch=str(payload["arch"]),
            arch_args=dict(payload.get("arch_args", {})),
            state_dict=dict(payload["state_dict"]),
            classes=list(payload.get("classes", CLASSES)),
            input=dict(payload["input"]),
            meta=dict(payload.get("meta", {})),
            training_state=payload.get("training_state"),
        )
        version = int(payload.get("format_version", 0))
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(
            f"cannot load '{path.name}': the digitpad checkpoint is incomplete ({error!r} "
            "is missing or malformed)"
        ) from None
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"cannot load '{path.name}': it was written by a newer digitpad "
            f"(format {version}); please upgrade"
        )
    size = checkpoint.input.get("size")
    if size != preprocess.SIZE:
        raise CheckpointError(
            f"cannot load '{path.name}': it expects {size}x{size} inputs, "
            f"digitpad makes {preprocess.SIZE}x{preprocess.SIZE}"
        )
    return checkpoint


def _check_weights_fit(checkpoint: Checkpoint, path: Path) -> None:
    try:
        checkpoint.build()
    except UnknownModelError as error:
        raise CheckpointError(f"cannot load '{path.name}': {error}") from None
    except (RuntimeError, TypeError, KeyError) as error:
        raise CheckpointError(
            f"cannot load '{path.name}': its weights do not fit the '{checkpoint.arch}' "
            f"architecture ({_first_line(error)})"
        ) from None
