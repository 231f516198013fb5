"""The command line: train, eval, predict, export-mnist, bench and gui.

Heavy imports (torch, the GUI) happen inside the commands, so `digitpad --help` is quick.
Errors a user can act on are one line on stderr, exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import __version__
from .errors import DigitpadError

# The names in models.MODELS, spelled out so that `--help` needs no torch import
# (tests/test_cli.py checks that the two agree).
MODEL_CHOICES = ["mlp", "cnn"]


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _formatter(prog):
    return argparse.ArgumentDefaultsHelpFormatter(prog, max_help_position=32)


def _add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", choices=MODEL_CHOICES, default="cnn",
                        help="which shipped model to use")
    parser.add_argument("--weights", metavar="FILE", default=None,
                        help="a checkpoint to use instead of the shipped weights")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digitpad", formatter_class=_formatter,
        description="Draw digits and watch neural networks read them. "
                    "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"digitpad {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_train(commands)
    _add_eval(commands)
    _add_predict(commands)
    _add_export(commands)
    _add_bench(commands)
    _add_export_model(commands)
    gui = commands.add_parser("gui", help="open the drawing app (the default)",
                              formatter_class=_formatter)
    gui.set_defaults(run=cmd_gui)
    return parser


def _add_train(commands) -> None:
    p = commands.add_parser("train", help="train a model on a folder of digit images",
                            formatter_class=_formatter,
                            description="Train on DIR, laid out as DIR/0 .. DIR/9.")
    p.add_argument("dir", help="dataset folder with subfolders 0..9")
    p.add_argument("--model", choices=MODEL_CHOICES, default="cnn", help="architecture")
    p.add_argument("--epochs", type=positive_int, default=5, help="passes over the training images")
    p.add_argument("--batch-size", type=positive_int, default=64, help="images per optimizer step")
    p.add_argument("--lr", type=positive_float, default=1e-3, help="Adam learning rate")
    p.add_argument("--val-split", type=float, default=0.1,
                   help="share of images held out for validation (0 to train on all)")
    p.add_argument("--augment", action="store_true",
                   help="random rotation/scale/shear/shift and stroke width while training")
    p.add_argument("--elastic", action="store_true", help="with --augment: also elastic warps")
    p.add_argument("--hard-share", type=float, default=0.2, metavar="SHARE",
                   help="with --augment: share of images that may also get thick/thin pens, tiny "
                        "sizes, pen gaps, crossed 7s, wide rotations and tremor (the rest: mild jitter)")
    p.add_argument("--schedule", choices=["cosine", "constant"], default="cosine",
                   help="learning-rate schedule")
    p.add_argument("--weight-decay", type=float, default=0.0, help="Adam weight decay")
    p.add_argument("--seed", type=int, default=0, help="seed for the split, order and augmentation")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    p.add_argument("--out", default=None, help="folder for best.pt and last.pt "
                   "(default: runs/MODEL-YYYYmmdd-HHMMSS)")
    p.add_argument("--resume", metavar="FILE", default=None, help="continue from a last.pt")
    p.add_argument("--init-from", metavar="FILE", default=None,
                   help="start from these weights (same architecture): fine-tune them")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="processes decoding images (default: one per core)")
    p.set_defaults(run=cmd_train)


def _add_eval(commands) -> None:
    p = commands.add_parser("eval", help="accuracy of a model on a folder of digit images",
                            formatter_class=_formatter)
    p.add_argument("dir", nargs="?", help="dataset folder with subfolders 0..9")
    p.add_argument("--sample", action="store_true",
                   help="use the built-in sample of 1,000 MNIST test digits instead of DIR")
    _add_model_args(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--batch-size", type=positive_int, default=1000, help="images per forward pass")
    p.set_defaults(run=cmd_eval)


def _add_predict(commands) -> None:
    p = commands.add_parser("predict", help="read the digit in image files",
                            formatter_class=_formatter,
                            description="Folders are searched recursively, in sorted order.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    _add_model_args(p)
    p.add_argument("--json", action="store_true", help="one JSON object per image and line")
    p.set_defaults(run=cmd_predict)


def _add_export(commands) -> None:
    p = commands.add_parser("export-mnist", help="write MNIST as PNG folders",
                            formatter_class=_formatter,
                            description="Writes OUT/train/0..9 and OUT/test/0..9.")
    p.add_argument("out", help="output folder")
    p.add_argument("--source", default=None, metavar="DIR",
                   help="folder with the four IDX files (.gz or not); "
                        "without it, download with torchvision (needs internet)")
    p.set_defaults(run=cmd_export_mnist)


def _add_bench(commands) -> None:
    p = commands.add_parser("bench", help="latency of one prediction, per model and device",
                            formatter_class=_formatter)
    p.add_argument("--models", nargs="+", choices=MODEL_CHOICES, default=MODEL_CHOICES)
    p.add_argument("--devices", nargs="+", default=None, help="default: every available device")
    p.add_argument("--repeats", type=positive_int, default=300, help="timed predictions per pair")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=cmd_bench)


def _add_export_model(commands) -> None:
    p = commands.add_parser("export-model", help="write a model as ONNX or TorchScript",
                            formatter_class=_formatter,
                            description="Writes OUT (.onnx or .pt) and OUT.json, its input contract. "
                                        "The graph takes preprocessed 28x28 inputs in 0..1 and returns "
                                        "calibrated probabilities.")
    p.add_argument("out", help="output file")
    p.add_argument("--format", choices=["onnx", "torchscript"], default="onnx")
    _add_model_args(p)
    p.set_defaults(run=cmd_export_model)


def cmd_export_model(args) -> int:
    from .export import export_model

    args.device = "cpu"  # exported graphs are device-neutral; trace on the CPU
    model, info = export_model(_load_predictor(args), args.out, args.format)
    print(f"wrote {model} and {info}")
    return 0


def _load_predictor(args):
    from .inference import Predictor

    if args.weights:
        return Predictor.from_checkpoint(args.weights, device=args.device)
    return Predictor.from_pretrained(args.model, device=args.device)


def _tqdm_callback(description: str):
    from tqdm import tqdm

    bar = tqdm(desc=description, unit="img", file=sys.stderr, leave=False)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def cmd_train(args) -> int:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from .data import load_folder

    # Decoding needs no torch: it starts now, in worker processes, while this process
    # spends its seconds importing torch and checking the other options.
    stop = threading.Event()
    with ThreadPoolExecutor(1) as background:
        loading = background.submit(load_folder, args.dir, progress=_tqdm_callback("loading images"),
                                    workers=args.workers, should_stop=stop.is_set)
        try:
            config = _checked_train_config(args)
        except BaseException:
            stop.set()
            raise
        dataset = loading.result()
    _report_skipped(dataset.skipped)
    print(f"{len(dataset)} images from {args.dir}; training '{args.model}' -> {config.out_dir}",
          file=sys.stderr)
    return _run_training(config, dataset)


def _checked_train_config(args):
    from .devices import resolve_device
    from .train import TrainConfig, check_config

    out = args.out or f"runs/{args.model}-{time.strftime('%Y%m%d-%H%M%S')}"
    config = TrainConfig(
        model=args.model, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
        val_split=args.val_split, augment=args.augment, elastic=args.elastic, seed=args.seed, device=args.device,
        hard_share=args.hard_share, init_from=args.init_from,
        schedule=args.schedule, weight_decay=args.weight_decay, out_dir=out, resume=args.resume,
    )
    check_config(config)
    resolve_device(config.device)
    if config.resume:
        from .checkpoint import load

        load(config.resume)
    return config


def _run_training(config, dataset) -> int:
    from tqdm import tqdm

    from .train import train

    bar = None
    try:
        for record in train(config, dataset):
            if record.kind == "batch":
                if bar is None or record.batch == 1:
                    bar = tqdm(total=record.batches, desc=f"epoch {record.epoch}/{record.epochs}",
                               file=sys.stderr, leave=False)
                bar.update(1)
                if record.batch % 50 == 0:  # formatting every batch would cost ~2% of an MLP epoch
                    bar.set_postfix(loss=f"{record.loss:.4f}", acc=f"{record.accuracy:.4f}",
                                    refresh=False)
            elif record.kind == "epoch":
                bar.close()
                print(_epoch_line(record), file=sys.stderr)
    except KeyboardInterrupt:
        print("cancelled; checkpoints of finished epochs are kept", file=sys.stderr)
        return 130
    print(f"done in {record.elapsed_s:.1f} s; best: {record.best_path}; last: {record.last_path}")
    return 0


def _epoch_line(record) -> str:
    val = "-" if record.val_accuracy is None else f"{record.val_accuracy:.4f}"
    return (f"epoch {record.epoch}/{record.epochs}: loss {record.loss:.4f}, "
            f"train acc {record.accuracy:.4f}, val acc {val}, "
            f"{record.samples_per_s:,.0f} samples/s, {record.elapsed_s:.1f} s")


def _report_skipped(skipped) -> None:
    if skipped:
        print(f"skipped {len(skipped)} unreadable or blank images:", file=sys.stderr)
        for path, reason in skipped[:20]:
            print(f"  {path}: {reason}", file=sys.stderr)
        if len(skipped) > 20:
            print(f"  ... and {len(skipped) - 20} more", file=sys.stderr)


def cmd_eval(args) -> int:
    from .data import load_folder, scan_folder
    from .evaluation import evaluate_images

    if args.sample == bool(args.dir):
        raise DigitpadError("give a dataset folder or --sample (one of them)")
    if args.sample:
        from .mnist import load_sample

        predictor, dataset = _load_predictor(args), load_sample()
    else:
        scan = scan_folder(args.dir)  # a wrong folder is reported before the model loads
        predictor = _load_predictor(args)
        dataset = load_folder(scan, progress=_tqdm_callback("loading images"))
    if len(dataset) == 0:
        raise DigitpadError(f"'{args.dir}' has no usable images ({len(dataset.skipped)} skipped)")
    report = evaluate_images(predictor, dataset, args.batch_size)
    if args.json:
        print(json.dumps({**report.to_json(), "model": predictor.arch}))
        return 0
    _report_skipped(dataset.skipped)
    print(f"{predictor.name}: accuracy {report.accuracy:.4%} on {report.n} images; "
          f"calibration error (ECE) {report.ece:.2%}"
          + ("" if report.unsure is None else f"; {report.unsure:.2%} turned away as not digits"))
    for digit, accuracy in report.per_class.items():
        shown = "-" if accuracy is None else f"{accuracy:.2%}"
        print(f"  {digit}: {shown}")
    return 0


def _expand_paths(paths: list[str]) -> list[Path]:
    from .data import IMAGE_SUFFIXES

    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES))
        else:
            found.append(path)  # a missing file is reported per file, not as a usage error
    return found


def cmd_predict(args) -> int:
    from PIL import Image, UnidentifiedImageError

    paths = _expand_paths(args.paths)
    if not paths:
        raise DigitpadError(f"no images found in {', '.join(args.paths)}")
    predictor = _load_predictor(args)
    failed = False
    for path in paths:
        try:
            with Image.open(path) as image:
                image.load()
                result = predictor.predict(image)
        except Exception as error:  # noqa: BLE001 - one bad file must not stop the rest
            failed = True
            reason = "not a readable image" if isinstance(error, UnidentifiedImageError) else str(error)
            _print_prediction_error(args.json, path, reason or type(error).__name__)
            continue
        _print_prediction(args.json, path, result, predictor.arch)
    return 1 if failed else 0


def _print_prediction(as_json: bool, path: Path, result, model: str) -> None:
    if as_json:
        print(json.dumps({"path": str(path), "digit": result.digit, "unsure": result.unsure,
                          "probs": [round(float(p), 6) for p in result.probs], "model": model}))
    elif result.digit is None:
        print(f"{path}: blank")
    elif result.unsure:
        print(f"{path}: not a digit? (best guess {result.digit}, {result.confidence:.1%})")
    else:
        print(f"{path}: {result.digit} ({result.confidence:.1%})")


def _print_prediction_error(as_json: bool, path: Path, reason: str) -> None:
    if as_json:
        print(json.dumps({"path": str(path), "error": reason}))
    else:
        print(f"{path}: error: {reason}", file=sys.stderr)


def cmd_export_mnist(args) -> int:
    from .mnist import export_mnist

    counts = export_mnist(args.out, args.source,
                          progress_for=lambda split: _tqdm_callback(f"writing {split}"))
    print(f"wrote {counts['train']} training and {counts['test']} test images to {args.out}")
    return 0


def cmd_bench(args) -> int:
    from .benchmarking import bench_latency

    rows = bench_latency(args.models, args.devices, args.repeats)
    if args.json:
        print(json.dumps({"latency_ms": rows}))
    else:
        for row in rows:
            print(f"{row['model']} on {row['device']}: median {row['median_ms']:.3f} ms, "
                  f"p95 {row['p95_ms']:.3f} ms (preprocessing + forward, {row['threads']} thread)")
    return 0


def cmd_gui(args) -> int:
    try:
        from .gui.app import run_app
    except ImportError as error:
        raise DigitpadError(f"the app cannot start: {error}") from None
    return run_app()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"])
    try:
        return args.run(args)
    except DigitpadError as error:
        print(f"digitpad: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a full disk, a read-only folder: say it in one line
        print(f"digitpad: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("digitpad: interrupted", file=sys.stderr)
        return 130
