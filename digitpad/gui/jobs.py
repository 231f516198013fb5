"""The work the window's workers run, off the GUI thread. Each imports the core (and
torch) itself, so building a window never waits for torch. Generators yield progress
and are cancelled between steps; plain functions return one result.
"""

from __future__ import annotations

import gc
import importlib
import sys
import threading
import time
from dataclasses import dataclass

from ..threads import PREDICTION_THREADS, LoadWatch, set_torch_threads, training_threads
from .workers import describe_error

# Thread budget: torch's intra-op thread count is process-wide. A drawing is read with one
# thread (a second one only makes OpenMP threads wait on each other when another program
# keeps a core busy: measured 4 ms -> 100+ ms). Training takes the cores that are free
# except one (TRAINING_RESERVE), which stays with the window and the live reading: with
# every core training, the window stalled 120 ms and the bars' p95 was 50 ms on a quiet
# 2-core machine; with one kept, 51 ms and 30 ms (benchmarks/gui_latency.py). A LoadWatch
# gives threads back when other programs get busy.
TRAINING_RESERVE = 1
_threads_configured = False


def configure_torch_once() -> None:
    """The first time torch is used in the app: one thread for a drawing. Later calls
    do nothing, so loading a model never takes threads away from a running training."""
    global _threads_configured
    if not _threads_configured:
        set_torch_threads(PREDICTION_THREADS)
        _threads_configured = True


_imports_lock = threading.Lock()


def import_quietly(*modules: str) -> None:
    """Import modules that live as long as the process without freezing the window.

    torch (on loading a model) and torch._dynamo (which every torch optimizer imports)
    each create a few hundred thousand objects. While they import, every full garbage
    collection walks all the new ones holding the GIL: pauses of 60-140 ms on the
    worker threads, during which the window froze (measured with gc.callbacks in
    benchmarks/gui_latency.py). So automatic collection waits while they import, and
    every object then alive is frozen out of the collector's way; collection itself
    resumes at once and keeps working for everything made later. The price: cyclic
    garbage made during those imports is frozen too and never freed, a one-off few
    thousand objects (measured: ~7,000 for torch, ~1,900 for torch._dynamo), against a
    collect-then-freeze that would stall the window another 120-150 ms."""
    missing = [name for name in modules if name not in sys.modules]
    if not missing:
        return
    with _imports_lock:  # a second thread waits rather than re-enabling collection early
        enabled = gc.isenabled()
        gc.disable()
        try:
            for name in missing:
                importlib.import_module(name)
        finally:
            gc.freeze()
            if enabled:
                gc.enable()


# Progress records per second while training: enough for smooth curves, few enough
# that the GUI thread never has a backlog.
PROGRESS_RATE_HZ = 10


@dataclass
class LoadResult:
    generation: int  # which request this answers: only the latest one counts
    source: str
    device: str
    predictor: object = None
    error: str = ""


def load_predictor(generation: int, source: str, device: str) -> LoadResult:
    """A shipped model by name or a checkpoint by path; a refusal comes back in words."""
    import_quietly("digitpad.inference")
    from ..inference import Predictor
    from .state import SHIPPED

    configure_torch_once()
    try:
        if source in SHIPPED:
            predictor = Predictor.from_pretrained(source, device=device)
        else:
            predictor = Predictor.from_checkpoint(source, device=device)
    except Exception as error:  # noqa: BLE001 - e.g. a CUDA error: refused like a bad file
        return LoadResult(generation, source, device, error=describe_error(error))
    return LoadResult(generation, source, device, predictor=predictor)


def list_devices():
    from ..devices import available_devices

    return available_devices()


@dataclass
class Reading:
    """What the live view shows for one drawing."""

    request: int
    predictors: tuple
    results: tuple  # one Prediction per predictor
    inside: tuple | None = None  # (layers, the 28x28 input, pixel contributions), when asked


def read_drawing(request: int, predictors: tuple, drawing, look_inside: bool) -> Reading:
    """`look_inside`: also every layer's output and the pixels behind the answer, here
    rather than on the GUI thread, so the Inside tab never slows the pen."""
    results = tuple(predictor.predict(drawing) for predictor in predictors)
    inside = None
    if look_inside and results[0].digit is not None:
        from ..inside import layer_outputs, pixel_contributions

        digit = results[0].input
        inside = (layer_outputs(predictors[0], digit), digit, pixel_contributions(predictors[0], digit))
    return Reading(request, predictors, results, inside)


def blank_reading(request: int, predictors: tuple) -> Reading:
    """The reading of a canvas without ink, which needs no worker: no network runs for it."""
    from ..inference import blank_prediction

    return Reading(request, predictors, tuple(blank_prediction() for _ in predictors))


def check_folder(folder: str):
    """(folder, scan or None, problem in words)."""
    from ..data import DatasetError, scan_folder

    try:
        return folder, scan_folder(folder), ""
    except DatasetError as error:
        return folder, None, str(error)


@dataclass
class Loading:
    done: int
    total: int


@dataclass
class Loaded:
    count: int
    skipped: list


@dataclass
class Cancelled:
    kind: str = "cancelled"  # like the training's own record when it stops between batches


@dataclass
class GateTaught:
    report: object  # gate_training.GateFineTune: the user's "not a digit" drawings, before and after


def train_on_folder(folder: str, config, mix_mnist: bool, cancel, processes: int = 1):
    """Load the folder, then train: yields Loading, Loaded, then TrainProgress records
    (batches at most PROGRESS_RATE_HZ a second; every epoch; the last one). `cancel` is
    a threading.Event that the training checks between batches. With `processes` above 1
    torchrun runs the training (distributed.launch; the images it loads come from the
    cache this fills) and the records are rank 0's; `cancel` stops every process."""
    import_quietly("torch._dynamo", "digitpad.train")  # every torch optimizer imports torch._dynamo
    from ..data import load_folder_steps
    from ..train import train, training_sets

    dataset = yield from _relay(load_folder_steps(folder), Loading, cancel)
    if dataset is None:
        yield Cancelled()
        return
    yield Loaded(len(dataset), dataset.skipped)
    if processes > 1:
        from ..distributed import Launch, launch

        records = launch(folder, config, Launch(nproc_per_node=processes), cancel, mix_mnist=mix_mnist)
    else:  # fine-tuning is judged on the user's own held-out drawings (training_sets)
        train_set, validation = training_sets(dataset, config, mix_mnist)
        records = train(config, train_set, cancel, validation=validation)
        set_torch_threads(training_threads(reserve=TRAINING_RESERVE))
    load = LoadWatch(reserve=TRAINING_RESERVE)  # another program taking the cores costs threads, not waiting time
    try:
        last_shown = 0.0
        for record in records:
            load.adjust()
            if record.kind == "done" and config.init_from:
                yield from _teach_negatives(folder, dataset, config, cancel)
            now = time.monotonic()
            if record.kind != "batch" or now - last_shown >= 1.0 / PROGRESS_RATE_HZ:
                last_shown = now
                yield record
    finally:
        set_torch_threads(PREDICTION_THREADS)


def _teach_negatives(folder: str, user, config, cancel):
    """After fine-tuning, teach the gate the user's "not a digit" drawings (if any)."""
    from ..handwriting import teach_negatives

    report = teach_negatives(folder, user, config.init_from, config.out_dir, config.val_split or 0.2,
                             config.seed, cancel=cancel)
    if report is not None:
        yield GateTaught(report)


def _relay(steps, record, cancel):
    """Drive a core generator of (done, total): `record(done, total)` out, its result
    back; None when `cancel` is set (the generator is closed, which stops its work)."""
    while True:
        try:
            done, total = next(steps)
        except StopIteration as end:
            return end.value
        yield record(done, total)
        if cancel.is_set():
            steps.close()
            return None


@dataclass
class Evaluating:
    done: int
    total: int


def evaluate(source: str, folder: str, predictor, model: str, device: str, cancel):
    """Yields Loading, then Evaluating records; returns (EvalReport, ImageSet), or None
    when cancelled."""
    from ..evaluation import evaluation_steps

    if source == "sample":
        from ..mnist import load_sample

        dataset = load_sample()
    else:
        from ..data import DatasetError, load_folder_steps

        dataset = yield from _relay(load_folder_steps(folder), Loading, cancel)
        if dataset is None:
            return None
        if len(dataset) == 0:
            raise DatasetError(f"'{folder}' has no usable images")
    if predictor is None:
        from ..inference import Predictor

        predictor = Predictor.from_pretrained(model, device=device)
    report = yield from _relay(evaluation_steps(predictor, dataset, batch_size=250), Evaluating, cancel)
    return None if report is None else (report, dataset)


def export(predictor, path: str, fmt: str):
    from ..export import export_model

    return export_model(predictor, path, fmt)  # it rebuilds the network on the CPU itself


def read_number(predictor, drawing):
    """(predictor, NumberRead, the drawing's height in pixels): every digit, left to right;
    the boxes are in the drawing's pixels, which follow the canvas's painted size."""
    from ..numbers import read_number as read

    return predictor, read(predictor, drawing), drawing.shape[0]


_indexes: dict[int, object] = {}  # id(predictor) -> its look-alike index, or the reason it has none


def lookalikes(predictor, digit_input):
    """(neighbours, origin, message): the look-alikes, or why there are none."""
    from ..neighbours import NoLookalikes, index_for
    from ..neighbours import lookalikes as nearest

    key = id(predictor)
    if key not in _indexes:
        if len(_indexes) > 4:
            _indexes.clear()  # models come and go; a few indexes are enough to keep
        try:
            _indexes[key] = (predictor, index_for(predictor))
        except NoLookalikes as error:
            _indexes[key] = (predictor, str(error))
    index = _indexes[key][1]
    if isinstance(index, str):
        return [], "", index
    return nearest(predictor, index, digit_input), index.origin, ""


def heat_maps(predictor, digit_input):
    """(the input, integrated gradients, Grad-CAM or None for a network without convolutions)."""
    from ..attribution import grad_cam, has_convolutions, integrated_gradients

    gradients = integrated_gradients(predictor, digit_input)
    cam = grad_cam(predictor, digit_input, gradients.digit) if has_convolutions(predictor) else None
    return digit_input, gradients, cam
