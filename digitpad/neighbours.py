"""Look-alikes: the training digits a network finds most similar to a drawing.

"Similar" is measured where the network itself compares things: its penultimate layer,
the input of its last Linear layer (the features the final scores are weighed from).
Two digits with nearby features get nearby scores, so a wrong answer shown beside its
look-alikes explains itself.

An index holds, per model, 30,000 training digits (3,000 per class) as the network
saw them (28x28), their labels, where they came from, and their features: unit length
(so the dot product is the cosine similarity), stored as uint8 with one scale per row
(ReLU features are never negative). Why 3,000 per class: the MLP's 8 nearest digits
voted for the right digit 96.4% of the time with 1,000, 97.6% with 3,000 (held-out MNIST
training digits; hand-drawn digits, synth seed 11: 96.9% -> 97.5%); plain cosine after
the ReLU beat Euclidean distance and the features before the ReLU
(benchmarks/lookalike_tuning.py). 30,000 keep the MLP's file under 8 MB. The search is
one matrix-vector product in torch, which keeps to the app's one thread: numpy's BLAS
spreads it over every core and, with the other core busy, took 24 ms instead of 0.6 ms
(measured, 10,000 x 256). It records a fingerprint of the weights it was built with: an
index built for other weights is refused, never silently used.

The shipped models' indexes live in assets/ (`digitpad build-lookalikes` makes them);
a checkpoint trained with `digitpad train` records its folder and gets its index built
from it, cached beside the checkpoint.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from .errors import DigitpadError
from .files import atomic_write

if TYPE_CHECKING:
    from .inference import Predictor

PER_CLASS = 3_000
SHOWN = 8
CACHE_SUFFIX = ".lookalikes.npz"


class NoLookalikes(DigitpadError):
    """This model has no look-alike index; the message says why and what to do."""


@dataclass
class Neighbour:
    index: int  # where the digit came from: its index in MNIST's training set, or in the folder
    label: int
    similarity: float  # cosine similarity of the features, 1.0 = the same
    image: np.ndarray  # (28, 28) uint8, light on black: what the network saw


@dataclass
class LookalikeIndex:
    features: np.ndarray  # (N, D) float32, unit rows
    labels: np.ndarray  # (N,) uint8
    images: np.ndarray  # (N, 28, 28) uint8
    source: np.ndarray  # (N,) int64: index in the training set
    fingerprint: str  # of the weights the features came from
    origin: str  # what the digits are, e.g. "MNIST training set"
    stored: tuple[np.ndarray, np.ndarray]  # the unit features as saved: uint8 (N, D), scale per row (N,)

    @classmethod
    def from_features(cls, features: np.ndarray, labels, images, source, fingerprint: str, origin: str):
        """From raw penultimate features (ReLU outputs: never negative)."""
        if (features < 0).any():
            raise ValueError("uint8 storage needs non-negative features")
        unit = _unit(features.astype(np.float32))
        scale = np.maximum(unit.max(axis=1), 1e-12).astype(np.float32)
        quantised = np.round(unit / scale[:, None] * 255).astype(np.uint8)
        return cls.from_stored(quantised, scale, labels, images, source, fingerprint, origin)

    @classmethod
    def from_stored(cls, quantised: np.ndarray, scale: np.ndarray, labels, images, source,
                    fingerprint: str, origin: str):
        unit = _unit(quantised.astype(np.float32) * (scale[:, None] / 255))
        return cls(unit, np.asarray(labels, np.uint8), np.asarray(images, np.uint8),
                   np.asarray(source, np.int64), fingerprint, origin, (quantised, scale))

    def nearest(self, feature: np.ndarray, k: int = SHOWN) -> list[Neighbour]:
        """The k most similar digits, most similar first."""
        import torch

        query = torch.from_numpy(_unit(feature.astype(np.float32)[None])[0])
        similarity = torch.mv(torch.from_numpy(self.features), query).numpy()
        k = min(k, len(similarity))
        top = np.argpartition(-similarity, k - 1)[:k]
        top = top[np.argsort(-similarity[top], kind="stable")]
        return [Neighbour(int(self.source[i]), int(self.labels[i]), float(similarity[i]), self.images[i])
                for i in top]


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def last_linear(model):
    """Index of the model's last Linear layer (its input is the penultimate feature)."""
    from torch import nn

    positions = [i for i, layer in enumerate(model) if isinstance(layer, nn.Linear)]
    if not isinstance(model, nn.Sequential) or not positions:
        raise NoLookalikes("look-alikes need a Sequential model that ends in a Linear layer")
    return positions[-1]


def penultimate(predictor: "Predictor", inputs: np.ndarray, batch: int = 1000) -> np.ndarray:
    """(N, 28, 28) preprocessed inputs in 0..1 (or uint8) -> (N, D) penultimate features."""
    import torch

    from .scoring import normalise

    inputs = np.asarray(inputs)
    scale = 255.0 if inputs.dtype == np.uint8 else 1.0
    trunk = predictor.model[: last_linear(predictor.model)].eval()
    out = []
    with torch.inference_mode():
        for start in range(0, len(inputs), batch):
            x = torch.as_tensor(inputs[start : start + batch].astype(np.float32) / scale).to(predictor.device)
            out.append(trunk(normalise(x, predictor.contract)).float().cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def fingerprint(predictor: "Predictor") -> str:
    """Short hash of the model's weights: features from other weights are other features."""
    digest = hashlib.sha256(predictor.arch.encode())
    for name, tensor in sorted(predictor.checkpoint.state_dict.items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def balanced_sample(labels: np.ndarray, per_class: int = PER_CLASS, seed: int = 0) -> np.ndarray:
    """Sorted indices of up to `per_class` items of each label, chosen with a seed."""
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        where = np.flatnonzero(labels == label)
        chosen.append(rng.choice(where, size=min(per_class, len(where)), replace=False))
    return np.sort(np.concatenate(chosen))


def build_index(predictor: "Predictor", images: np.ndarray, labels: np.ndarray, source: np.ndarray,
                origin: str) -> LookalikeIndex:
    """An index of these preprocessed uint8 digits for this predictor's network."""
    return LookalikeIndex.from_features(penultimate(predictor, images), labels, images, source,
                                        fingerprint(predictor), origin)


def save_index(index: LookalikeIndex, path: str | os.PathLike) -> Path:
    """Atomic; features as uint8 with one scale per row."""
    quantised, scale = index.stored
    with atomic_write(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, features=quantised, scale=scale, labels=index.labels, images=index.images,
                                source=index.source, fingerprint=index.fingerprint, origin=index.origin)
    return Path(path)


def load_index(path: str | os.PathLike) -> LookalikeIndex:
    try:
        with np.load(path) as saved:
            return LookalikeIndex.from_stored(saved["features"], saved["scale"], saved["labels"], saved["images"],
                                              saved["source"], str(saved["fingerprint"]), str(saved["origin"]))
    except (OSError, KeyError, ValueError) as error:
        raise NoLookalikes(f"the look-alike index {path} is missing or damaged ({error})") from None


def shipped_index_path(name: str) -> Path:
    from .paths import assets_dir

    return assets_dir() / f"lookalikes-{name}.npz"


REBUILD_SHIPPED = "rebuild it with: digitpad build-lookalikes --source MNIST_IDX_DIR"


def index_for(predictor: "Predictor", progress: Callable[[int, int], None] | None = None) -> LookalikeIndex:
    """The look-alike index for this predictor's weights, or NoLookalikes saying why not.

    Shipped models read assets/; a checkpoint reads its cache beside it, else builds it
    from the training folder its checkpoint records (`progress` follows the loading).
    """
    from .models import MODELS

    if predictor.source in MODELS:
        index = load_index(shipped_index_path(predictor.source))
        if index.fingerprint != fingerprint(predictor):
            raise NoLookalikes(f"the shipped look-alike index was built for other '{predictor.source}' "
                               f"weights; {REBUILD_SHIPPED}")
        return index
    if predictor.source is None:
        raise NoLookalikes("this model was not loaded from a file, so its training digits are unknown")
    cache = Path(predictor.source + CACHE_SUFFIX)
    if cache.is_file():
        index = load_index(cache)
        if index.fingerprint == fingerprint(predictor):
            return index
    folder = (predictor.meta.get("config") or {}).get("data_dir")
    if not folder:
        raise NoLookalikes("this checkpoint does not record the folder it was trained on, "
                           "so it has no look-alikes")
    if not Path(folder).is_dir():
        raise NoLookalikes(f"the folder this checkpoint was trained on ({folder}) is gone, "
                           "so it has no look-alikes")
    index = index_from_folder(predictor, folder, progress)
    save_index(index, cache)
    return index


def index_from_folder(predictor: "Predictor", folder: str | os.PathLike,
                      progress: Callable[[int, int], None] | None = None) -> LookalikeIndex:
    """Up to PER_CLASS digits per class of a training folder (file order: sorted)."""
    from .data import load_folder

    dataset = load_folder(folder, progress=progress)
    chosen = balanced_sample(dataset.labels)
    return build_index(predictor, dataset.images[chosen], dataset.labels[chosen], chosen, f"the folder {folder}")


def index_from_mnist(predictor: "Predictor", source: str | os.PathLike) -> LookalikeIndex:
    """PER_CLASS MNIST training digits per class (seeded), read from the IDX files."""
    from . import preprocess
    from .mnist import read_mnist

    images, labels = read_mnist(source, "train")
    chosen = balanced_sample(labels)
    digits = np.round(preprocess.preprocess_stack(images[chosen]) * 255).astype(np.uint8)
    return build_index(predictor, digits, labels[chosen], chosen, "MNIST training set")


def lookalikes(predictor: "Predictor", index: LookalikeIndex, digit_input: np.ndarray,
               k: int = SHOWN) -> list[Neighbour]:
    """The k training digits nearest to one preprocessed 28x28 input."""
    return index.nearest(penultimate(predictor, digit_input[None])[0], k)
