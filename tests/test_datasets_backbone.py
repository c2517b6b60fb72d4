"""The synthetic shapes images, their PNG grid, and the packaged pretrained backbone.

The numbers the docs quote (docs/data-and-backbone.md) come from the fixed-seed
experiments here: a linear model on the pixels against a small CNN, and the frozen
backbone with a new head against the same network trained from scratch on the
same few examples.
"""

from __future__ import annotations

import builtins
import hashlib
import struct
import zlib

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from torchdojo.datasets import make_few_shot, make_shapes
from torchdojo.datasets.render import encode_png, grid_pixels, save_grid
from torchdojo.datasets.shapes import (
    BACKBONE_CLASSES,
    DEFAULT_CLASSES,
    SHAPES,
    TRANSFER_CLASSES,
)
from torchdojo.models import BackboneChecksumError, ShapesBackbone, pretrained_backbone
from torchdojo.models import backbone as bb


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        return float((model(X).argmax(1) == y).float().mean())


def train(model, params, X, y, *, epochs, lr, batch_size=None, seed=0, frozen_eval=False):
    """Adam and cross-entropy; full batch, or shuffled mini-batches from a private generator."""
    opt = torch.optim.Adam(params, lr=lr)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        model.eval() if frozen_eval else model.train()
        order = torch.randperm(len(X), generator=g)
        step = batch_size or len(X)
        for i in range(0, len(X), step):
            idx = order[i:i + step]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


# -- make_shapes ---------------------------------------------------------------


def test_make_shapes_shapes_dtypes_range_and_balance():
    X, y = make_shapes(50, seed=3)
    assert X.shape == (50, 1, 16, 16) and X.dtype == torch.float32
    assert y.shape == (50,) and y.dtype == torch.int64
    assert float(X.min()) >= 0.0 and float(X.max()) <= 1.0
    assert torch.bincount(y, minlength=4).tolist() == [13, 13, 12, 12]
    X, y = make_shapes(7, classes=("ring", "x"), size=24, seed=1, noise=0.0)
    assert X.shape == (7, 1, 24, 24) and set(y.tolist()) <= {0, 1}
    assert make_shapes(0)[0].shape == (0, 1, 16, 16)


def test_make_shapes_is_deterministic_and_leaves_the_global_rng_alone():
    state = torch.get_rng_state()
    a = make_shapes(20, seed=5)
    torch.rand(10)  # the global generator moves on
    b = make_shapes(20, seed=5)
    c = make_shapes(20, seed=6)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])
    torch.set_rng_state(state)
    make_shapes(20, seed=5)
    assert torch.equal(torch.get_rng_state(), state)


def test_every_shape_draws_something_distinct():
    X, y = make_shapes(len(SHAPES) * 4, classes=SHAPES, seed=0, noise=0.0)
    for k, name in enumerate(SHAPES):
        imgs = X[y == k]
        assert len(imgs) == 4
        spread = imgs.flatten(1).max(1).values - imgs.flatten(1).min(1).values
        assert bool((spread > 0.2).all()), name  # a visible shape on every image
    assert set(DEFAULT_CLASSES) | set(BACKBONE_CLASSES) | set(TRANSFER_CLASSES) <= set(SHAPES)
    assert not set(BACKBONE_CLASSES) & set(TRANSFER_CLASSES)


@pytest.mark.parametrize("kwargs", [
    {"n": -1}, {"n": 2.5}, {"n": 4, "classes": ("circle", "blob")}, {"n": 4, "classes": ()},
    {"n": 4, "classes": "circle"}, {"n": 4, "size": 4}, {"n": 4, "noise": -0.1},
])
def test_make_shapes_rejects_bad_arguments(kwargs):
    n = kwargs.pop("n")
    with pytest.raises(ValueError):
        make_shapes(n, **kwargs)


def test_make_few_shot_has_exactly_k_per_class():
    X, y = make_few_shot(10, seed=2)
    assert X.shape == (40, 1, 16, 16)
    assert torch.bincount(y).tolist() == [10, 10, 10, 10]


@pytest.mark.slow  # trains networks for several seconds
def test_a_linear_model_does_poorly_and_a_small_cnn_does_well():
    X, y = make_shapes(2000, seed=1)
    Xt, yt = make_shapes(1000, seed=2)
    torch.manual_seed(0)
    linear = nn.Sequential(nn.Flatten(), nn.Linear(256, 4))
    train(linear, linear.parameters(), X, y, epochs=300, lr=0.01)
    h = 8
    torch.manual_seed(0)
    tiny_vgg = nn.Sequential(
        nn.Conv2d(1, h, 3, padding=1), nn.ReLU(), nn.Conv2d(h, h, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(h, h, 3, padding=1), nn.ReLU(), nn.Conv2d(h, h, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(h * 4 * 4, 4),
    )
    train(tiny_vgg, tiny_vgg.parameters(), X, y, epochs=10, lr=0.003, batch_size=32)
    linear_acc, cnn_acc = accuracy(linear, Xt, yt), accuracy(tiny_vgg, Xt, yt)
    print(f"linear {linear_acc:.3f}, TinyVGG {cnn_acc:.3f}")
    assert linear_acc < 0.4  # chance is 0.25
    assert cnn_acc > 0.75


# -- the PNG grid ----------------------------------------------------------------


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """A minimal PNG reader for what encode_png writes (8-bit grayscale, filter 0)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks.setdefault(kind, b"")
        chunks[kind] += body
        pos += 12 + length
    width, height, depth, color, _, _, _ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, color) == (8, 0) and b"IEND" in chunks
    raw = zlib.decompress(chunks[b"IDAT"])
    rows = [raw[r * (width + 1):(r + 1) * (width + 1)] for r in range(height)]
    assert all(row[0] == 0 for row in rows)
    return width, height, [row[1:] for row in rows]


def test_save_grid_writes_a_valid_png_without_matplotlib(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    X, y = make_shapes(10, seed=0)
    path = save_grid(X, y, tmp_path / "grid.png", ncols=5, scale=2, pad=1)
    width, height, rows = read_png((tmp_path / "grid.png").read_bytes())
    assert path == str(tmp_path / "grid.png")
    assert (width, height) == (1 + 5 * (32 + 1), 1 + 2 * (32 + 7 + 1))
    # The first tile is the first image, enlarged twice.
    first = torch.tensor([list(rows[1 + r][1:33]) for r in range(32)], dtype=torch.float32)
    expected = (X[0, 0] * 255).round().repeat_interleave(2, 0).repeat_interleave(2, 1)
    assert torch.equal(first, expected)


def test_grid_and_png_basics():
    pixels = grid_pixels(torch.rand(3, 1, 4, 4), None, scale=1, pad=0, ncols=3)
    assert pixels.shape == (4, 12) and pixels.dtype == torch.uint8
    assert read_png(encode_png([[0, 255], [128, 7]]))[2] == [bytes([0, 255]), bytes([128, 7])]
    with pytest.raises(ValueError):
        encode_png([[1, 2], [3]])
    with pytest.raises(ValueError):
        grid_pixels(torch.rand(2, 1, 4, 4), [0, 1, 2])


# -- the pretrained backbone -------------------------------------------------------


def test_backbone_ships_small_and_verified():
    data = bb.WEIGHTS_PATH.read_bytes()
    assert len(data) < 1_000_000
    assert hashlib.sha256(data).hexdigest() == bb.WEIGHTS_SHA256
    state = torch.load(bb.WEIGHTS_PATH, weights_only=True)
    assert set(state) == set(ShapesBackbone().state_dict())
    assert all(v.dtype in (torch.float32, torch.int64) for v in state.values())


def test_pretrained_backbone_fresh_copy_eval_mode_layout():
    a, b = pretrained_backbone(), pretrained_backbone(torch.device("cpu"))
    assert a is not b and not a.training
    assert isinstance(a.classifier, nn.Linear) and (a.classifier.in_features, a.classifier.out_features) == (64, 6)
    assert any(isinstance(m, nn.BatchNorm2d) for m in a.modules())
    with torch.no_grad():
        a.classifier.weight.zero_()
    assert not torch.equal(a.classifier.weight, b.classifier.weight)
    assert pretrained_backbone()(torch.zeros(2, 1, 16, 16)).shape == (2, 6)


def test_pretrained_backbone_knows_its_task():
    X, y = make_shapes(600, classes=BACKBONE_CLASSES, seed=4242)
    assert accuracy(pretrained_backbone(), X, y) > 0.9


def test_a_damaged_weights_file_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "backbone.pt"
    data = bytearray(bb.WEIGHTS_PATH.read_bytes())
    data[-100] ^= 0xFF
    bad.write_bytes(bytes(data))
    with pytest.raises(BackboneChecksumError, match="SHA-256") as damaged:
        bb.load_state_dict(bad)
    assert "dañado" in damaged.value.render("es") and "damaged" in damaged.value.render("en")
    with pytest.raises(BackboneChecksumError) as missing:
        bb.load_state_dict(tmp_path / "missing.pt")
    assert "cannot read" in missing.value.render("en") and "no se pueden leer" in missing.value.render("es")
    # Its message is said in the course language of the process that raised it (a learner's notebook).
    for lang, words in (("es", "no se pueden leer"), ("en", "cannot read")):
        monkeypatch.setenv("TORCHDOJO_LANG", lang)
        with pytest.raises(BackboneChecksumError, match=words):
            bb.load_state_dict(tmp_path / "missing.pt")
    assert set(bb.load_state_dict()) == set(ShapesBackbone().state_dict())


@pytest.mark.slow  # trains networks for several seconds
def test_frozen_backbone_beats_training_from_scratch_with_few_examples():
    """10 examples per class of four new shapes; accuracy on 1000 held-out images."""
    Xt, yt = make_shapes(1000, classes=TRANSFER_CLASSES, seed=7)
    transfer, scratch = [], []
    for s in range(3):
        X, y = make_few_shot(10, seed=100 + s)
        model = pretrained_backbone()
        model.requires_grad_(False)
        torch.manual_seed(s)
        model.classifier = nn.Linear(64, 4)
        train(model, model.classifier.parameters(), X, y, epochs=50, lr=0.01, frozen_eval=True)
        transfer.append(accuracy(model, Xt, yt))
        # The same network from scratch, on the same examples, with the better of two learning rates.
        best = 0.0
        for lr in (1e-3, 3e-3):
            torch.manual_seed(s)
            fresh = ShapesBackbone(num_classes=4)
            train(fresh, fresh.parameters(), X, y, epochs=200, lr=lr)
            best = max(best, accuracy(fresh, Xt, yt))
        scratch.append(best)
    t_mean, s_mean = sum(transfer) / 3, sum(scratch) / 3
    print(f"transfer {[round(a, 3) for a in transfer]} mean {t_mean:.3f}; "
          f"scratch {[round(a, 3) for a in scratch]} mean {s_mean:.3f}")
    assert t_mean > 0.8
    assert t_mean > s_mean + 0.15
    assert min(transfer) > max(scratch)
