"""The command line: train, eval, predict, export-mnist, bench, cache and gui.

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
    _add_cache(commands)
    _add_build_lookalikes(commands)
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
    p.add_argument("--batch-size", type=positive_int, default=64,
                   help="images per optimizer step in each process (N processes: N x this per step)")
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
                   help="fine-tune: start from this checkpoint's weights; validate on DIR's images only")
    p.add_argument("--mix-mnist", action="store_true",
                   help="with --init-from: add 1,000 MNIST digits to the training images")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="processes decoding images (default: one per core)")
    p.add_argument("--json", action="store_true",
                   help="print progress records as JSON lines (batches at most 10 a second)")
    _add_launch_args(p)
    p.set_defaults(run=cmd_train)


def _add_launch_args(p) -> None:
    group = p.add_argument_group(
        "several processes", "Train with PyTorch's DistributedDataParallel on processes started "
        "by torchrun (gloo on CPUs, NCCL when each has a GPU). Also works as "
        "`torchrun --nproc-per-node N -m digitpad train DIR`.")
    group.add_argument("--nproc-per-node", type=positive_int, default=1,
                       help="processes on this machine")
    group.add_argument("--nnodes", default="1", help="machines (run the same command on each)")
    group.add_argument("--rdzv-endpoint", metavar="HOST:PORT", default=None,
                       help="where the machines meet (several machines)")
    group.add_argument("--master-port", type=positive_int, default=None,
                       help="one machine: the port its processes meet at (default: a free one, chosen by torchrun)")


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
    p.add_argument("--number", action="store_true",
                   help="read every digit in the image, left to right, as one number")
    p.add_argument("--neighbours", type=positive_int, default=None, metavar="K",
                   help="also list the K training digits the network finds most similar")
    p.set_defaults(run=cmd_predict)


def _add_build_lookalikes(commands) -> None:
    p = commands.add_parser(
        "build-lookalikes", help="build the look-alike index of a model", formatter_class=_formatter,
        description="Features of 3,000 training digits per class, for `predict --neighbours` and the "
                    "app's look-alikes. Shipped models: from MNIST's IDX files into assets/. A checkpoint "
                    "(--weights): from its training folder (--folder, default: the one it records), "
                    "saved beside it.")
    p.add_argument("--models", nargs="+", choices=MODEL_CHOICES, default=MODEL_CHOICES,
                   help="shipped models to index")
    p.add_argument("--source", metavar="DIR", default=None,
                   help="folder with MNIST's IDX files (for the shipped models)")
    p.add_argument("--weights", metavar="FILE", default=None, help="index this checkpoint instead")
    p.add_argument("--folder", metavar="DIR", default=None, help="its training folder")
    p.set_defaults(run=cmd_build_lookalikes)


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


def _add_cache(commands) -> None:
    p = commands.add_parser("cache", help="the cache of decoded datasets: size, or empty it",
                            formatter_class=_formatter,
                            description="Decoded datasets are kept so that the next run on the same "
                                        "folder starts at once; least recently used ones go when the "
                                        "cache outgrows $DIGITPAD_CACHE_LIMIT_MB.")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--info", action="store_true", help="where it is, how big, how many entries (the default)")
    action.add_argument("--clear", action="store_true", help="remove every cached dataset")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=cmd_cache)


def cmd_cache(args) -> int:
    from . import dataset_cache

    if args.clear:
        count, freed = dataset_cache.clear()
        result = {"removed": count, "freed_bytes": freed}
        text = f"removed {count} cached datasets, {freed / 1e6:.1f} MB"
    else:
        result = dataset_cache.describe()
        text = (f"{result['folder']}: {result['entries']} cached datasets, "
                f"{result['bytes'] / 1e6:.1f} MB of at most {result['limit_bytes'] / 1e6:.0f} MB "
                f"(decoder {result['decoder']})")
    print(json.dumps(result) if args.json else text)
    return 0


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
    from .distributed import from_environment

    place = from_environment()
    if place is not None and place.world_size > 1:
        if _launch_asked(args):
            raise DigitpadError("torchrun started this process already: give --nproc-per-node "
                                "and --rdzv-endpoint to torchrun, not to digitpad train")
        return _train_as_rank(args, place)
    if _launch_asked(args):
        return _launch_training(args)
    dataset, config = _load_while_checking(args)
    _report_skipped(dataset.skipped)
    from .threads import training_threads, use_threads
    from .train import train, training_sets

    threads = training_threads()  # after loading: the decoding workers are not "other programs"
    print(f"{len(dataset)} images from {args.dir}; training '{args.model}' with {threads} CPU "
          f"thread{'s' if threads > 1 else ''} -> {config.out_dir}", file=sys.stderr)
    train_set, validation = training_sets(dataset, config, args.mix_mnist)
    with use_threads(threads):
        return _show_training(_following_load(train(config, train_set, validation=validation)), args.json)


def _following_load(records):
    """Re-decide the thread count as training goes: another program taking the cores
    meanwhile then costs threads, not 25x the time."""
    from .threads import LoadWatch

    load = LoadWatch()
    for record in records:
        load.adjust()
        yield record


def _launch_asked(args) -> bool:
    return args.nproc_per_node > 1 or args.nnodes != "1" or bool(args.rdzv_endpoint)


def _load_while_checking(args):
    """(the decoded dataset, the checked config). Decoding needs no torch: it starts at
    once, in worker processes, while this process spends its seconds importing torch and
    checking the other options."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from .data import load_folder

    stop = threading.Event()
    progress = None if args.json else _tqdm_callback("loading images")
    with ThreadPoolExecutor(1) as background:
        loading = background.submit(load_folder, args.dir, progress=progress,
                                    workers=args.workers, should_stop=stop.is_set)
        try:
            config = _checked_train_config(args)
        except BaseException:
            stop.set()
            raise
        return loading.result(), config


def _checked_train_config(args):
    from .devices import resolve_device
    from .train import TrainConfig, check_config

    out = args.out or f"runs/{args.model}-{time.strftime('%Y%m%d-%H%M%S')}"
    config = TrainConfig(
        model=args.model, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
        val_split=args.val_split, augment=args.augment, elastic=args.elastic, seed=args.seed, device=args.device,
        hard_share=args.hard_share,
        schedule=args.schedule, weight_decay=args.weight_decay, out_dir=out, resume=args.resume,
        init_from=args.init_from,
        data_dir=str(Path(args.dir).resolve()),
    )
    check_config(config)
    resolve_device(config.device)
    if args.mix_mnist and not config.init_from:
        raise DigitpadError("--mix-mnist goes with --init-from (fine-tuning)")
    for path in (config.resume, config.init_from):
        if path:
            from .checkpoint import load

            load(path)
    return config


def _launch_training(args) -> int:
    """Decode once into the shared cache here, then start the processes with torchrun."""
    import signal

    from .distributed import Launch, launch

    # The processes run in sessions of their own, out of the terminal's reach: ending this
    # one by a signal must end them too, as Ctrl+C does (launch stops them on the way out).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    dataset, config = _load_while_checking(args)
    _report_skipped(dataset.skipped)
    how = Launch(nproc_per_node=args.nproc_per_node, nnodes=args.nnodes,
                 rdzv_endpoint=args.rdzv_endpoint, master_port=args.master_port)
    per_machine = f"{args.nproc_per_node} process{'es' if args.nproc_per_node > 1 else ''} per machine"
    print(f"{len(dataset)} images from {args.dir}; training '{args.model}' on {per_machine} "
          f"-> {config.out_dir}", file=sys.stderr)
    records = launch(args.dir, config, how, mix_mnist=args.mix_mnist,
                     log=lambda line: print(line, file=sys.stderr))
    return _show_training(records, args.json)


def _train_as_rank(args, place) -> int:
    """One of the processes torchrun started: join the others, train, and (rank 0) report."""
    import signal

    import torch.distributed as dist

    from .distributed import DistributedError, join, leave
    from .train import train, training_sets

    config = _checked_train_config(args)
    # torchrun stops its workers with SIGTERM (on Ctrl+C, or when another process failed):
    # as an interrupt, it unwinds, so a checkpoint being written is finished or removed.
    signal.signal(signal.SIGTERM, _interrupt)
    place = join(place, config.device)
    try:
        dataset = _load_as_rank(args, place)
        train_set, validation = training_sets(dataset, config, args.mix_mnist)
        records = train(config, train_set, validation=validation, processes=place)
        if not place.is_main:
            for _ in records:
                pass
            return 0
        if not args.json:  # started by `digitpad train --nproc-per-node`, which said it already
            print(f"{len(dataset)} images from {args.dir}; training '{args.model}' -> {config.out_dir}",
                  file=sys.stderr)
        return _show_training(records, args.json)
    except dist.DistError as error:  # another process died or hung: say so in one line
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DistributedError(f"lost contact with the other training processes ({first_line})") from None
    finally:
        leave()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _load_as_rank(args, place):
    """The first process on each machine decodes into the machine's cache; the others wait
    for it and read the cache (they decode themselves only if it could not be written)."""
    from .data import load_folder, scan_folder
    from .distributed import barrier

    scan = scan_folder(args.dir)  # a wrong folder fails in every process, with one message
    if place.local_rank == 0:
        dataset = load_folder(scan, progress=None if args.json or not place.is_main
                              else _tqdm_callback("loading images"), workers=args.workers)
        _report_skipped(dataset.skipped if place.is_main else [])
        barrier()
        return dataset
    barrier()
    return load_folder(scan, workers=1)


# A script reading --json wants each epoch and a live pulse, not thousands of lines a second.
JSON_BATCH_RATE_HZ = 10


def _show_training(records, as_json: bool) -> int:
    """Show a run's records (tqdm and a line per epoch, or JSON lines); the exit status."""
    record = None
    show = _JsonLines() if as_json else _TrainingBars()
    try:
        for record in records:
            show(record)
    except KeyboardInterrupt:
        print("cancelled; checkpoints of finished epochs are kept", file=sys.stderr)
        return 130
    finally:
        show.close()
    if record is None:  # several machines: rank 0 ran on another one
        print("this machine's processes are done; rank 0, on another machine, reported and wrote "
              "the checkpoints", file=sys.stderr)
        return 0
    if record.kind == "cancelled":
        print("cancelled; checkpoints of finished epochs are kept", file=sys.stderr)
        return 130
    if not as_json:
        on = f" on {record.processes} processes ({record.backend})" if record.processes > 1 else ""
        print(f"done in {record.elapsed_s:.1f} s{on}; best: {record.best_path}; last: {record.last_path}")
    return 0


class _JsonLines:
    """Each record as a JSON line on stdout; batches at most JSON_BATCH_RATE_HZ a second."""

    def __init__(self):
        self.last_batch = 0.0

    def __call__(self, record) -> None:
        from dataclasses import asdict

        now = time.monotonic()
        if record.kind == "batch" and record.batch < record.batches \
                and now - self.last_batch < 1.0 / JSON_BATCH_RATE_HZ:
            return
        self.last_batch = now
        print(json.dumps(asdict(record)), flush=True)

    def close(self) -> None:
        pass


class _TrainingBars:
    """A tqdm bar per epoch and a line when it ends, on stderr."""

    def __init__(self):
        self.bar = None
        self.announced = False

    def __call__(self, record) -> None:
        from tqdm import tqdm

        if not self.announced and record.processes > 1:
            print(f"training on {record.processes} processes ({record.backend})", file=sys.stderr)
        self.announced = True
        if record.kind == "batch":
            if self.bar is None or record.batch < self.bar.n:
                self.close()
                self.bar = tqdm(total=record.batches, desc=f"epoch {record.epoch}/{record.epochs}",
                                file=sys.stderr, leave=False)
            self.bar.update(record.batch - self.bar.n)  # records may skip batches (several processes)
            if record.batch % 50 == 0:  # formatting every batch would cost ~2% of an MLP epoch
                self.bar.set_postfix(loss=f"{record.loss:.4f}", acc=f"{record.accuracy:.4f}",
                                     refresh=False)
        elif record.kind == "epoch":
            self.close()
            print(_epoch_line(record), file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


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
    paths = _expand_paths(args.paths)
    if not paths:
        raise DigitpadError(f"no images found in {', '.join(args.paths)}")
    from .threads import PREDICTION_THREADS, use_threads

    predictor = _load_predictor(args)
    with use_threads(PREDICTION_THREADS):
        return _predict_files(args, paths, predictor)


def _predict_files(args, paths: list[Path], predictor) -> int:
    from PIL import Image, UnidentifiedImageError

    index = _lookalike_index(predictor) if args.neighbours else None
    failed = False
    for path in paths:
        try:
            with Image.open(path) as image:
                image.load()
                result = predictor.predict(image)
                extra = _number_fields(predictor, image, index, args.neighbours) if args.number else {}
        except Exception as error:  # noqa: BLE001 - one bad file must not stop the rest
            failed = True
            reason = "not a readable image" if isinstance(error, UnidentifiedImageError) else str(error)
            _print_prediction_error(args.json, path, reason or type(error).__name__)
            continue
        if index is not None:
            extra["neighbours"] = _neighbour_fields(predictor, index, result, args.neighbours)
        _print_prediction(args.json, path, result, predictor.arch, extra)
    return 1 if failed else 0


def _lookalike_index(predictor):
    from .neighbours import index_for

    bar = []  # made on the first report: most indexes load without building anything

    def progress(done: int, total: int) -> None:
        if not bar:
            bar.append(_tqdm_callback("loading the training folder for look-alikes"))
        bar[0](done, total)

    return index_for(predictor, progress=progress)


def _number_fields(predictor, image, index, k) -> dict:
    """"number" and "digits"; each digit lists its own look-alikes when asked for."""
    from .numbers import read_number

    number = read_number(predictor, image)
    digits = []
    for read in number.digits:
        digit = {"box": list(read.box), "digit": read.prediction.digit, "unsure": read.prediction.unsure,
                 "probs": _rounded(read.prediction.probs)}
        if index is not None:
            digit["neighbours"] = _neighbour_fields(predictor, index, read.prediction, k)
        digits.append(digit)
    return {"number": number.text, "digits": digits}


def _neighbour_fields(predictor, index, result, k: int) -> list[dict]:
    from .neighbours import lookalikes

    if result.digit is None:
        return []
    return [{"index": n.index, "label": n.label, "similarity": round(n.similarity, 6)}
            for n in lookalikes(predictor, index, result.input, k)]


def _rounded(probs) -> list[float]:
    return [round(float(p), 6) for p in probs]


def _print_prediction(as_json: bool, path: Path, result, model: str, extra: dict) -> None:
    if as_json:
        print(json.dumps({"path": str(path), "digit": result.digit, "unsure": result.unsure,
                          "probs": _rounded(result.probs), "model": model, **extra}))
        return
    if result.digit is None:
        line = f"{path}: blank"
    elif result.unsure:
        line = f"{path}: not a digit? (best guess {result.digit}, {result.confidence:.1%})"
    else:
        line = f"{path}: {result.digit} ({result.confidence:.1%})"
    if "number" in extra and len(extra["digits"]) > 1:
        line = f"{path}: number {extra['number']}"
        for digit in extra["digits"]:
            if digit.get("neighbours"):
                line += f"\n  {digit['digit']}: look-alikes " + _labels(digit["neighbours"])
    elif extra.get("neighbours"):
        line += "; look-alikes: " + _labels(extra["neighbours"])
    print(line)


def _labels(neighbours: list[dict]) -> str:
    return " ".join(f"{n['label']} ({n['similarity']:.2f})" for n in neighbours)


def cmd_build_lookalikes(args) -> int:
    from .inference import Predictor
    from .neighbours import index_from_folder, index_from_mnist, save_index, shipped_index_path, CACHE_SUFFIX

    if args.weights:
        predictor = Predictor.from_checkpoint(args.weights, device="cpu", gate=False)
        folder = args.folder or (predictor.meta.get("config") or {}).get("data_dir")
        if not folder:
            raise DigitpadError("this checkpoint does not record its training folder; give --folder")
        index = index_from_folder(predictor, folder, progress=_tqdm_callback("loading images"))
        print(f"wrote {save_index(index, args.weights + CACHE_SUFFIX)} ({len(index.labels)} digits)")
        return 0
    if not args.source:
        raise DigitpadError("give --source (the folder with MNIST's IDX files) to index the shipped models")
    for name in args.models:
        predictor = Predictor.from_pretrained(name, device="cpu", gate=False)
        index = index_from_mnist(predictor, args.source)
        print(f"wrote {save_index(index, shipped_index_path(name))} ({len(index.labels)} digits)")
    return 0


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


def _which_process() -> str:
    """'rank 1: ' in a process torchrun started among several: whose error it is."""
    import os

    world = os.environ.get("WORLD_SIZE", "1")
    return f"rank {os.environ['RANK']}: " if "RANK" in os.environ and world != "1" else ""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"])
    try:
        return args.run(args)
    except DigitpadError as error:
        print(f"digitpad: error: {_which_process()}{error}", file=sys.stderr)
        return 1
    except OSError as error:  # a full disk, a read-only folder: say it in one line
        print(f"digitpad: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("digitpad: interrupted", file=sys.stderr)
        return 130
