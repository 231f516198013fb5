import json
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from digitpad.cli import main
from digitpad.synth import draw_digit


def test_predict_json_prints_one_object_per_image_in_sorted_order(tmp_path, tiny_checkpoint, capsys):
    (tmp_path / "b").mkdir()
    draw_digit(2, size=60).save(tmp_path / "b" / "two.png")
    draw_digit(7, size=60).save(tmp_path / "a.png")
    Image.new("L", (60, 60), 255).save(tmp_path / "b" / "blank.png")
    code = main(["predict", "--json", "--weights", str(tiny_checkpoint), str(tmp_path)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0
    assert [line["path"] for line in lines] == [
        str(tmp_path / "a.png"), str(tmp_path / "b" / "blank.png"), str(tmp_path / "b" / "two.png")]
    for line in lines:
        assert set(line) == {"path", "digit", "unsure", "probs", "model"} and len(line["probs"]) == 10
    assert lines[1]["digit"] is None and sum(lines[1]["probs"]) == 0
    assert isinstance(lines[0]["digit"], int) and abs(sum(lines[0]["probs"]) - 1) < 1e-4


def test_predict_reports_unreadable_files_and_goes_on(tmp_path, tiny_checkpoint, capsys):
    (tmp_path / "bad.png").write_bytes(b"not a png")
    draw_digit(4, size=60).save(tmp_path / "ok.png")
    code = main(["predict", "--json", "--weights", str(tiny_checkpoint),
                 str(tmp_path / "bad.png"), str(tmp_path / "missing.png"), str(tmp_path / "ok.png")])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert set(lines[0]) == {"path", "error"} and set(lines[1]) == {"path", "error"}
    assert lines[2]["digit"] is not None


def test_eval_json_has_the_documented_shape(digit_folder, tiny_checkpoint, capsys):
    assert main(["eval", str(digit_folder), "--json", "--weights", str(tiny_checkpoint)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"n", "accuracy", "per_class", "confusion", "ece", "reliability", "unsure", "skipped"} <= set(report)
    assert report["n"] == 240 and 0.3 < report["accuracy"] <= 1
    assert list(report["per_class"]) == [str(d) for d in range(10)]
    assert len(report["confusion"]) == 10 and all(len(row) == 10 for row in report["confusion"])
    assert sum(map(sum, report["confusion"])) == 240


def test_bench_json_gives_median_and_p95_per_model_and_device(capsys):
    assert main(["bench", "--json", "--repeats", "20", "--devices", "cpu"]) == 0
    rows = json.loads(capsys.readouterr().out)["latency_ms"]
    assert {(r["model"], r["device"]) for r in rows} == {("mlp", "cpu"), ("cnn", "cpu")}
    assert all(r["repeats"] == 20 and r["threads"] == 1 and 0 < r["median_ms"] < 1000 for r in rows)


def test_latency_statistics_come_from_the_measured_times(monkeypatch):
    from digitpad import benchmarking

    class Instant:
        def predict(self, image):
            pass

    # A clock under which prediction i takes (i % 20) + 1 ms: median 10.5, p95 19.05.
    ticks = iter(np.cumsum([0.0] + [t for i in range(40) for t in ((i % 20 + 1) / 1e3, 0.0)]))
    monkeypatch.setattr(benchmarking, "time", SimpleNamespace(perf_counter=lambda: float(next(ticks))))
    stats = benchmarking.time_predictions(Instant(), [None], repeats=40)
    assert stats["median_ms"] == pytest.approx(10.5) and stats["p95_ms"] == pytest.approx(19.05)


def test_errors_are_one_readable_line_not_a_traceback(tmp_path, digit_folder, capsys):
    (tmp_path / "bad.pt").write_bytes(b"junk")
    draw_digit(3, size=40).save(tmp_path / "three.png")
    assert main(["predict", "--weights", str(tmp_path / "bad.pt"), str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("digitpad: error: cannot load 'bad.pt'") and err.count("\n") == 1
    (tmp_path / "empty").mkdir()
    assert main(["predict", str(tmp_path / "empty")]) == 1
    assert "no images found" in capsys.readouterr().err
    assert main(["eval", str(tmp_path / "nowhere")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["predict", "--device", "cuda:9", str(tmp_path)]) == 1
    assert "available: auto, cpu" in capsys.readouterr().err
    assert main(["train", str(digit_folder), "--device", "cuda:9"]) == 1
    assert "available: auto, cpu" in capsys.readouterr().err


def test_cli_model_choices_match_the_registry():
    from digitpad.cli import MODEL_CHOICES
    from digitpad.models import MODELS

    assert sorted(MODEL_CHOICES) == sorted(MODELS)


def test_usage_errors_exit_2_and_help_shows_defaults():
    run = subprocess.run([sys.executable, "-m", "digitpad", "train", "--help"],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "(default: 64)" in run.stdout and "(default: cnn)" in run.stdout
    run = subprocess.run([sys.executable, "-m", "digitpad", "predict", "--model", "vgg", "x.png"],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "invalid choice" in run.stderr


def test_importing_digitpad_does_not_import_torch():
    code = "import sys, digitpad, digitpad.preprocess, digitpad.data; print('torch' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == "False", run.stderr


def test_train_command_writes_checkpoints_and_reports(digit_folder, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", str(digit_folder), "--model", "mlp", "--epochs", "2", "--batch-size", "32",
                 "--device", "cpu", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "epoch 2/2: loss" in captured.err and "best:" in captured.out
    assert (out / "best.pt").is_file() and (out / "last.pt").is_file()


def test_eval_on_the_built_in_sample(capsys):
    assert main(["eval", "--sample", "--json", "--model", "mlp", "--device", "cpu"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 1000 and report["accuracy"] > 0.97 and report["ece"] < 0.05
    assert main(["eval"]) == 1 and "one of them" in capsys.readouterr().err


def test_cache_command_reports_and_clears_the_dataset_cache(digit_folder, capsys):
    from digitpad.data import load_folder

    load_folder(digit_folder)  # into this test's private cache ($DIGITPAD_CACHE)
    assert main(["cache", "--info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["entries"] == 1 and info["bytes"] > 0 and "decode-" in info["decoder"]
    assert main(["cache", "--clear"]) == 0
    assert "removed 1 cached datasets" in capsys.readouterr().out
    assert main(["cache"]) == 0 and ": 0 cached datasets" in capsys.readouterr().out


def test_predict_number_json_lists_each_digit_left_to_right(tmp_path, capsys):
    import numpy as np

    from digitpad.synth import draw_number

    draw_number("2026", np.random.default_rng(3))[0].save(tmp_path / "n.png")
    draw_digit(5, size=120).save(tmp_path / "one.png")
    assert main(["predict", "--json", "--number", str(tmp_path / "n.png"), str(tmp_path / "one.png")]) == 0
    number, single = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert number["number"] == "2026" and [d["digit"] for d in number["digits"]] == [2, 0, 2, 6]
    boxes = [d["box"] for d in number["digits"]]
    assert all(len(b) == 4 and b[0] < b[2] and b[1] < b[3] for b in boxes)
    assert [b[0] for b in boxes] == sorted(b[0] for b in boxes)
    assert all(set(d) == {"box", "digit", "probs", "unsure"} and len(d["probs"]) == 10 for d in number["digits"])
    assert single["number"] == "5" and single["digits"][0]["probs"] == single["probs"]


def test_predict_neighbours_json_lists_the_most_similar_first(tmp_path, capsys):
    draw_digit(3, size=120).save(tmp_path / "three.png")
    assert main(["predict", "--json", "--neighbours", "8", str(tmp_path / "three.png")]) == 0
    line = json.loads(capsys.readouterr().out)
    neighbours = line["neighbours"]
    assert len(neighbours) == 8 and all(set(n) == {"index", "label", "similarity"} for n in neighbours)
    assert [n["similarity"] for n in neighbours] == sorted((n["similarity"] for n in neighbours), reverse=True)
    assert sum(n["label"] == 3 for n in neighbours) >= 5


def test_predict_neighbours_of_a_checkpoint_without_a_folder_is_one_clear_error(tmp_path, tiny_checkpoint, capsys):
    draw_digit(3, size=60).save(tmp_path / "three.png")
    assert main(["predict", "--neighbours", "8", "--weights", str(tiny_checkpoint), str(tmp_path)]) == 1
    assert "no look-alikes" in capsys.readouterr().err
