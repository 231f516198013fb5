"""How the look-alike index was chosen (digitpad.neighbours): its size and its distance,
on tuning sets of its own, never on benchmarks/lookalikes.py's sets.

Tuning sets:
- held-out MNIST training digits: 3,000 training digits (seed 123) kept out of every
  index tried here; the indexes are drawn, class-balanced (seed 0), from the other 57,000.
- drawn: 3,000 hand-drawn digits from digitpad.synth, seed 11 (the benchmark's is 2026).

For each network, index size (digits per class) and feature space (the last Linear's
input, after the ReLU, as the app uses; for the MLP also the hidden layer before its
ReLU) and distance (cosine, Euclidean): the share whose 8 nearest digits' majority label
is the digit (a tie counts as wrong, as in the benchmark).

    python benchmarks/lookalike_tuning.py [--sizes 1000 2000 3000]
"""

import argparse
import sys
from collections import Counter

import numpy as np

from _common import mnist_idx_dir


def majority_agrees(index: np.ndarray, index_labels, queries: np.ndarray, labels, cosine: bool) -> float:
    import torch

    index_t, queries_t = torch.from_numpy(index.astype(np.float32)), torch.from_numpy(queries.astype(np.float32))
    if cosine:
        nearness = torch.nn.functional.normalize(queries_t, dim=1) @ torch.nn.functional.normalize(index_t, dim=1).T
    else:
        nearness = -torch.cdist(queries_t, index_t)
    nearest = index_labels[nearness.topk(8, dim=1).indices.numpy()]
    agree = 0
    for votes, label in zip(nearest, labels):
        top = Counter(votes.tolist()).most_common(2)
        agree += top[0][0] == label and (len(top) == 1 or top[1][1] < top[0][1])
    return agree / len(labels)


def feature_spaces(predictor, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """The last Linear's input (after the ReLU); for the MLP also its hidden layer before it."""
    from digitpad.neighbours import last_linear, penultimate

    spaces = {"after ReLU": penultimate(predictor, inputs)}
    model = predictor.model
    if predictor.arch == "mlp":
        import torch

        from digitpad.scoring import normalise

        with torch.inference_mode():
            x = normalise(torch.as_tensor(inputs.astype(np.float32) / 255), predictor.contract)
            spaces["before ReLU"] = model[: last_linear(model) - 1].eval()(x).numpy()
    return spaces


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 3000], help="digits per class")
    args = parser.parse_args()
    import torch

    from digitpad import Predictor, preprocess
    from digitpad.mnist import read_mnist
    from digitpad.neighbours import balanced_sample
    from digitpad.synth import draw_digit

    torch.set_num_threads(1)
    images, labels = read_mnist(mnist_idx_dir(), "train")
    inputs = np.round(preprocess.preprocess_stack(images) * 255).astype(np.uint8)
    order = np.random.default_rng(123).permutation(len(labels))
    held_out, pool = order[:3000], np.sort(order[3000:])
    rng = np.random.default_rng(11)
    drawn_labels = np.arange(3000) % 10
    drawn = np.stack([np.round(preprocess.preprocess(draw_digit(int(d), rng=rng, dark_ink=bool(rng.random() < 0.7)))
                               * 255).astype(np.uint8) for d in drawn_labels])
    for name in ("mlp", "cnn"):
        predictor = Predictor.from_pretrained(name, device="cpu")
        train_spaces, drawn_spaces = feature_spaces(predictor, inputs), feature_spaces(predictor, drawn)
        for size in args.sizes:
            index = pool[balanced_sample(labels[pool], size)]
            for space, features in train_spaces.items():
                for cosine in (True, False):
                    mnist = majority_agrees(features[index], labels[index], features[held_out], labels[held_out], cosine)
                    hand = majority_agrees(features[index], labels[index], drawn_spaces[space], drawn_labels, cosine)
                    print(f"{name}, {size} per class, {space}, {'cosine' if cosine else 'Euclidean'}: "
                          f"{mnist:.2%} (held-out MNIST training digits), {hand:.2%} (drawn, seed 11)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
