#!/usr/bin/env bash
# The recipe for the shipped weights in assets/: export MNIST to PNG folders, train both
# models on the 60,000 training PNGs through the same preprocessing the app uses (5% held
# out to pick the best epoch and fit the temperature that calibrates confidence), train
# the not-a-digit gate, then measure the models on the 10,000 test PNGs and record that
# figure in each checkpoint.
# Usage: bash assets/train_shipped.sh [MNIST_IDX_DIR] [WORK_DIR]
#   (the MLP: about 20 min with OMP_NUM_THREADS=1 on a heavily shared 2-core machine;
#   the gate comes on top)
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=${1:-../shared/datasets/mnist}
WORK=${2:-data/mnist}
PY=${PY:-python}

[ -f "$WORK/.export-complete" ] || "$PY" -m digitpad export-mnist "$WORK" --source "$MNIST"

# --hard-share: the share of training images that may also be drawn as other hands draw
# (thick/thin pens, tiny, low resolution, gaps, crossed 7s, flagged 1s, wide rotations,
# tremor); the rest get a mild jitter only, so MNIST itself stays read as well as before.
"$PY" -m digitpad train "$WORK/train" --model mlp --epochs 30 --batch-size 128 --lr 2e-3 \
    --augment --hard-share 0.2 --val-split 0.05 --seed 0 --device cpu --out runs/ship-mlp
# The shipped CNN is still the one this script's version at commit 2436a16 trained (15
# epochs with its milder augmentation; `git show 2436a16:assets/train_shipped.sh`): two
# retrainings with the hard-hand augmentation (the lean layout from scratch, and a 3-epoch
# fine-tune of this CNN at hard share 0.3) did not beat it on the exam set or MNIST test
# (README, "Read every hand").
"$PY" assets/train_gate.py "$WORK/train" assets/gate.pt
# The piece judge that helps numbers find where touching digits part (MNIST IDX files).
"$PY" assets/train_piece_judge.py "$MNIST" assets/piece_judge.pt

"$PY" assets/finalize.py runs/ship-mlp/best.pt "$WORK/test" assets/mlp.pt

# The look-alike indexes belong to these weights (each records their fingerprint).
"$PY" -m digitpad build-lookalikes --source "$MNIST"
