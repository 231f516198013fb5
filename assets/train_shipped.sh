#!/usr/bin/env bash
# The recipe for the shipped weights in assets/: export MNIST to PNG folders, train both
# models on the 60,000 training PNGs through the same preprocessing the app uses (5% held
# out to pick the best epoch and fit the temperature that calibrates confidence), train
# the not-a-digit gate, then measure the models on the 10,000 test PNGs and record that
# figure in each checkpoint.
# Usage: bash assets/train_shipped.sh [MNIST_IDX_DIR] [WORK_DIR]   (about 25 min on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${1:-../shared/datasets/mnist}
WORK=${2:-data/mnist}
PY=${PY:-python}

[ -f "$WORK/.export-complete" ] || "$PY" -m digitpad export-mnist "$WORK" --source "$MNIST"

"$PY" -m digitpad train "$WORK/train" --model mlp --epochs 40 --batch-size 64 --lr 1e-3 \
    --augment --val-split 0.05 --seed 0 --device cpu --out runs/ship-mlp
"$PY" -m digitpad train "$WORK/train" --model cnn --epochs 15 --batch-size 128 --lr 3e-3 \
    --augment --val-split 0.05 --seed 0 --device cpu --out runs/ship-cnn
"$PY" assets/train_gate.py "$WORK/train" assets/gate.pt

for model in mlp cnn; do
    "$PY" assets/finalize.py "runs/ship-$model/best.pt" "$WORK/test" "assets/$model.pt"
done

# The look-alike indexes belong to these weights (each records their fingerprint).
"$PY" -m digitpad build-lookalikes --source "$MNIST"
