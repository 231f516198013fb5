"""Which compute devices exist, and turning a user's device name into a torch.device."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .errors import DigitpadError


class DeviceError(DigitpadError, ValueError):
    pass


@dataclass(frozen=True)
class DeviceInfo:
    name: str  # what to pass back to resolve_device: "cpu", "cuda:0", "mps"
    label: str  # what a person reads: "CPU", "CUDA 0: NVIDIA H200"


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def available_devices() -> list[DeviceInfo]:
    """Every device this machine can run on, CPU first."""
    devices = [DeviceInfo("cpu", "CPU")]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            label = f"CUDA {index}: {torch.cuda.get_device_name(index)}"
            devices.append(DeviceInfo(f"cuda:{index}", label))
    if _mps_available():
        devices.append(DeviceInfo("mps", "Apple GPU (MPS)"))
    return devices


def resolve_device(name: str | torch.device = "auto") -> torch.device:
    """'auto' picks CUDA, then MPS, then CPU; anything else must exist here."""
    name = str(name).strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda:0")
        return torch.device("mps" if _mps_available() else "cpu")
    known = {d.name for d in available_devices()}
    aliases = {"cuda": "cuda:0", "gpu": "cuda:0"}
    wanted = aliases.get(name, name)
    if wanted not in known:
        listing = ", ".join(["auto", *sorted(known)])
        raise DeviceError(f"device '{name}' is not available here; available: {listing}")
    return torch.device(wanted)
