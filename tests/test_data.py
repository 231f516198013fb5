import numpy as np
import pytest
from PIL import Image

from digitpad import data
from digitpad.data import DatasetError, load_folder, scan_folder, split_indices
from digitpad.synth import draw_digit, write_digit_folder


def make_folder(root, digits=(3, 7), per_class=3):
    for d in digits:
        (root / str(d)).mkdir(parents=True)
        for i in range(per_class):
            draw_digit(d, size=40, rng=np.random.default_rng(i)).save(root / str(d) / f"{i}.png")
    return root


def test_labels_come_from_folder_names_even_when_some_digits_are_missing(tmp_path):
    dataset = load_folder(make_folder(tmp_path / "ds"))
    assert dataset.images.shape == (6, 28, 28) and dataset.images.dtype == np.uint8
    assert sorted(set(dataset.labels.tolist())) == [3, 7]
    assert dataset.class_counts() == {3: 3, 7: 3}


def test_corrupt_and_blank_images_are_skipped_and_listed(tmp_path):
    root = make_folder(tmp_path / "ds")
    (root / "3" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (root / "7" / "empty.jpg").write_bytes(b"")
    Image.new("L", (30, 30), 255).save(root / "7" / "blank.png")
    dataset = load_folder(root)
    assert len(dataset) == 6
    reasons = {p.split("/")[-1]: r for p, r in dataset.skipped}
    assert set(reasons) == {"broken.png", "empty.jpg", "blank.png"}
    assert "blank" in reasons["blank.png"]


@pytest.mark.parametrize(
    "layout, message",
    [
        ("missing", "does not exist"),
        ("file", "is a file"),
        ("empty", "is empty"),
        ("top-level images", "2 images at the top level"),
        ("letter folders", "has folders a, b but none named 0-9"),
        ("split folders", "did you mean"),
        ("empty classes", "no images in them"),
    ],
)
def test_bad_layouts_say_what_was_found_and_what_is_expected(tmp_path, layout, message):
    root = tmp_path / "ds"
    if layout == "file":
        root.write_text("x")
    elif layout != "missing":
        root.mkdir()
    if layout == "top-level images":
        for name in ("a.png", "b.png"):
            draw_digit(1, size=20).save(root / name)
    elif layout == "letter folders":
        (root / "a").mkdir(), (root / "b").mkdir()
    elif layout == "split folders":
        (root / "train").mkdir(), (root / "test").mkdir()
    elif layout == "empty classes":
        (root / "0").mkdir(), (root / "1").mkdir()
    with pytest.raises(DatasetError, match=message):
        scan_folder(root)


def test_second_load_comes_from_the_cache_without_decoding(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "ds")
    first = load_folder(root)

    def no_decoding(paths):
        raise AssertionError("decoded again")

    monkeypatch.setattr(data, "_decode_chunk", no_decoding)
    second = load_folder(root)
    np.testing.assert_array_equal(first.images, second.images)
    # A changed folder is a different dataset: it must be decoded.
    draw_digit(3, size=40).save(root / "3" / "new.png")
    with pytest.raises(AssertionError, match="decoded again"):
        load_folder(root)


def test_a_damaged_cache_is_ignored_and_skips_survive_caching(tmp_path):
    root = make_folder(tmp_path / "ds")
    (root / "3" / "broken.png").write_bytes(b"junk")
    first = load_folder(root, cache_dir=tmp_path / "cache")
    cached = load_folder(root, cache_dir=tmp_path / "cache")
    assert cached.skipped == first.skipped and len(cached.skipped) == 1
    for cache_file in (tmp_path / "cache").iterdir():
        cache_file.write_bytes(b"")
    again = load_folder(root, cache_dir=tmp_path / "cache")
    np.testing.assert_array_equal(again.images, first.images)


def test_parallel_and_serial_decoding_agree(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "ds", digits=range(10), per_class=3)
    serial = load_folder(root, workers=1, cache_dir=tmp_path / "c1")
    monkeypatch.setattr(data, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(data, "CHUNK", 7)
    seen = []
    parallel = load_folder(root, workers=2, cache_dir=tmp_path / "c2",
                           progress=lambda done, total: seen.append((done, total)))
    np.testing.assert_array_equal(serial.images, parallel.images)
    np.testing.assert_array_equal(serial.labels, parallel.labels)
    assert seen[-1] == (30, 30) and len(seen) == 5


@pytest.mark.parametrize("workers", [1, 2])
def test_loading_can_be_stopped_between_chunks(tmp_path, monkeypatch, workers):
    root = make_folder(tmp_path / "ds", digits=range(10), per_class=2)
    monkeypatch.setattr(data, "CHUNK", 4)
    monkeypatch.setattr(data, "PARALLEL_THRESHOLD", 1)
    progress = []
    with pytest.raises(data.Cancelled):
        load_folder(root, workers=workers, progress=lambda d, t: progress.append(d),
                    should_stop=lambda: len(progress) >= 2)
    assert progress == [4, 8]  # stopped after the second of five chunks


def test_split_is_seeded_and_disjoint():
    train_a, val_a = split_indices(100, 0.2, seed=5)
    train_b, val_b = split_indices(100, 0.2, seed=5)
    np.testing.assert_array_equal(val_a, val_b)
    assert len(val_a) == 20 and not set(train_a) & set(val_a)
    assert set(split_indices(100, 0.2, seed=6)[1]) != set(val_a)
    assert len(split_indices(10, 0.0, seed=0)[1]) == 0
    with pytest.raises(DatasetError):
        split_indices(10, 1.0, seed=0)


def test_a_pool_that_cannot_start_falls_back_to_one_process(tmp_path, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    class BrokenPool:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def map(self, *args):
            raise BrokenProcessPool("a worker died at start-up")

        def shutdown(self, **kwargs):
            pass

    root = make_folder(tmp_path / "ds", digits=range(10), per_class=2)
    monkeypatch.setattr(data, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(data, "ProcessPoolExecutor", BrokenPool)
    assert len(load_folder(root, workers=2)) == 20


def _entries(folder):
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".npz")


def test_the_cache_key_includes_the_decoder_version(tmp_path, monkeypatch):
    from digitpad import dataset_cache

    root = make_folder(tmp_path / "ds")
    load_folder(root, cache_dir=tmp_path / "cache")
    monkeypatch.setattr(dataset_cache, "DECODER_VERSION", "decode-next")
    # A new decoder may decode differently: the old entry must not be read.
    monkeypatch.setattr(data, "_decode_chunk", lambda paths: (_ for _ in ()).throw(AssertionError("decoded again")))
    with pytest.raises(AssertionError, match="decoded again"):
        load_folder(root, cache_dir=tmp_path / "cache")


def test_the_least_recently_used_datasets_leave_a_full_cache(tmp_path, monkeypatch):
    import os

    from digitpad import dataset_cache

    cache = tmp_path / "cache"
    roots = [make_folder(tmp_path / f"ds{i}", per_class=2) for i in range(3)]
    for root in roots:
        load_folder(root, cache_dir=cache)
        for entry in cache.glob("*.npz"):  # spread the uses apart: file times are coarse
            os.utime(entry, (entry.stat().st_mtime - 10, entry.stat().st_mtime - 10))
    first, second, third = (scan_folder(r).fingerprint + ".npz" for r in roots)
    assert _entries(cache) == sorted([first, second, third])
    load_folder(roots[0], cache_dir=cache)  # reading the first makes it the most recent
    size = (cache / first).stat().st_size
    monkeypatch.setenv("DIGITPAD_CACHE_LIMIT_MB", str(2.5 * size / 2**20))
    fourth_root = make_folder(tmp_path / "ds3", per_class=2)
    load_folder(fourth_root, cache_dir=cache)  # room for two or three entries, not four
    fourth = scan_folder(fourth_root).fingerprint + ".npz"
    assert _entries(cache) == sorted([first, fourth])  # second and third were used longest ago
    (cache / "notes.txt").write_text("not ours")
    sizes = sum(entry.size for entry in dataset_cache.entries(cache))
    assert dataset_cache.clear(cache) == (2, sizes)
    assert _entries(cache) == [] and (cache / "notes.txt").exists()


@pytest.mark.parametrize("error", [OSError(24, "Too many open files"), MemoryError()])
def test_a_transient_decode_error_is_skipped_now_and_retried_next_time(tmp_path, monkeypatch, error):
    root = make_folder(tmp_path / "ds")
    victim = str(root / "7" / "1.png")
    real_read = data._read_pixels

    def flaky(path):
        if str(path) == victim:
            raise error
        return real_read(path)

    monkeypatch.setattr(data, "_read_pixels", flaky)
    first = load_folder(root, cache_dir=tmp_path / "cache")
    assert [p for p, _ in first.skipped] == [victim] and "not read this time" in first.skipped[0][1]
    monkeypatch.setattr(data, "_read_pixels", real_read)  # the machine has recovered
    second = load_folder(root, cache_dir=tmp_path / "cache")
    assert second.skipped == [] and len(second) == len(first) + 1


def test_a_scan_holds_no_per_image_objects_for_the_garbage_collector(tmp_path):
    """A 60k-image scan as (Path, label) tuples was 180k objects that every full
    collection walked while training, freezing the window 30-70 ms each time."""
    import gc

    folder = write_digit_folder(tmp_path / "digits", per_class=3, size=28)
    scan = scan_folder(folder)
    assert all(type(path) is str for path in scan.paths) and scan.labels.dtype == np.int64
    assert not any(gc.is_tracked(path) for path in scan.paths)
    assert sorted(set(scan.labels.tolist())) == list(range(10)) and len(scan.labels) == len(scan.paths)
