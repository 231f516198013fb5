import gzip

import numpy as np
import pytest
from PIL import Image

from digitpad.cli import main
from digitpad.mnist import MnistError, export_mnist, read_idx


def write_idx(path, array, compress):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    payload = header + array.astype(np.uint8).tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(payload))
    else:
        path.write_bytes(payload)


def tiny_mnist(folder, compress):
    folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {}
    for prefix, n in (("train", 12), ("t10k", 5)):
        images = rng.integers(0, 256, (n, 28, 28)).astype(np.uint8)
        labels = np.arange(n) % 10
        write_idx(folder / f"{prefix}-images-idx3-ubyte", images, compress)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte", labels, compress)
        arrays[prefix] = (images, labels)
    return arrays


@pytest.mark.parametrize("compress", [True, False])
def test_export_writes_every_image_into_its_class_folder(tmp_path, compress):
    arrays = tiny_mnist(tmp_path / "idx", compress)
    counts = export_mnist(tmp_path / "out", source=tmp_path / "idx")
    assert counts == {"train": 12, "test": 5}
    images, labels = arrays["train"]
    written = sorted((tmp_path / "out" / "train").rglob("*.png"))
    assert len(written) == 12
    first = tmp_path / "out" / "train" / str(labels[0]) / "00000.png"
    np.testing.assert_array_equal(np.asarray(Image.open(first)), images[0])
    assert len(list((tmp_path / "out" / "test").rglob("*.png"))) == 5


def test_cli_export_mnist(tmp_path, capsys):
    tiny_mnist(tmp_path / "idx", compress=True)
    assert main(["export-mnist", str(tmp_path / "out"), "--source", str(tmp_path / "idx")]) == 0
    assert "wrote 12 training and 5 test images" in capsys.readouterr().out


def test_truncated_and_missing_idx_files_are_clear_errors(tmp_path, capsys):
    tiny_mnist(tmp_path / "idx", compress=False)
    path = tmp_path / "idx" / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(MnistError, match="truncated"):
        read_idx(path)
    assert main(["export-mnist", str(tmp_path / "out"), "--source", str(tmp_path)]) == 1
    assert "expected the four MNIST IDX files" in capsys.readouterr().err
