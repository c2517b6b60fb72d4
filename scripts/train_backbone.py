"""Train the course's pretrained backbone and write its weights into the package.

    python scripts/train_backbone.py            # train, write backbone.pt, update the checksum
    python scripts/train_backbone.py --check    # train, compare with the shipped file, write nothing

Deterministic: fixed seeds, one CPU thread, deterministic algorithms. It takes
well under a minute on one CPU core. The model (:class:`ShapesBackbone`) learns the
six shapes of ``BACKBONE_CLASSES`` from ``make_shapes`` images; the weights are
saved as a ``state_dict`` only (``src/torchdojo/models/backbone.pt``) and the
``WEIGHTS_SHA256`` line of ``src/torchdojo/models/backbone.py`` is rewritten to
match. Bit-for-bit equality across different CPUs or torch builds is not
promised; the checksum guards the shipped file, not the recipe.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import torch
import torch.nn.functional as F

from torchdojo.datasets.shapes import BACKBONE_CLASSES, make_shapes
from torchdojo.models import backbone as bb

TRAIN_N, TEST_N = 20_000, 2_000
EPOCHS, BATCH, LR = 15, 64, 2e-3
TRAIN_SEED, TEST_SEED, INIT_SEED, ORDER_SEED = 101, 102, 0, 1


def train() -> tuple[dict[str, torch.Tensor], float]:
    """The trained ``state_dict`` and its accuracy on held-out images."""
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    X, y = make_shapes(TRAIN_N, classes=BACKBONE_CLASSES, seed=TRAIN_SEED)
    Xt, yt = make_shapes(TEST_N, classes=BACKBONE_CLASSES, seed=TEST_SEED)
    torch.manual_seed(INIT_SEED)
    model = bb.ShapesBackbone(num_classes=len(BACKBONE_CLASSES))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS)
    order = torch.Generator().manual_seed(ORDER_SEED)
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(TRAIN_N, generator=order)
        total = 0.0
        for i in range(0, TRAIN_N, BATCH):
            idx = perm[i:i + BATCH]
            loss = F.cross_entropy(model(X[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        model.eval()
        with torch.no_grad():
            acc = (model(Xt).argmax(1) == yt).float().mean().item()
        print(f"epoch {epoch + 1:2d}: train loss {total / TRAIN_N:.4f}, test accuracy {acc:.4f}", flush=True)
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    return state, acc


def serialise(state: dict[str, torch.Tensor]) -> bytes:
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="retrain and compare with the shipped weights; write nothing")
    args = parser.parse_args()
    start = time.perf_counter()
    state, acc = train()
    data = serialise(state)
    digest = hashlib.sha256(data).hexdigest()
    print(f"trained in {time.perf_counter() - start:.1f} s; test accuracy {acc:.4f}; {len(data)} bytes; "
          f"sha256 {digest}")
    if args.check:
        same = bb.WEIGHTS_PATH.is_file() and bb.WEIGHTS_PATH.read_bytes() == data
        print("identical to the shipped weights" if same else "differs from the shipped weights")
        return 0 if same else 1
    bb.WEIGHTS_PATH.write_bytes(data)
    source = Path(bb.__file__)
    text = source.read_text(encoding="utf-8")
    new, count = re.subn(r'^WEIGHTS_SHA256 = "[0-9a-f]{64}"$', f'WEIGHTS_SHA256 = "{digest}"', text, flags=re.MULTILINE)
    if count != 1:
        print(f"could not find the WEIGHTS_SHA256 line in {source}", file=sys.stderr)
        return 1
    source.write_text(new, encoding="utf-8")
    print(f"wrote {bb.WEIGHTS_PATH} and updated {source}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
