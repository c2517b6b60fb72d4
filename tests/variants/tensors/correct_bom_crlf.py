"""A correct solution saved as UTF-8 with a BOM and CRLF line endings, built from
lambdas, ``functools.partial`` and torch functions assigned to the exercise names
(ñ, é, ü: UTF-8 text after a BOM)."""

import functools
import operator

import torch

tensor_info = lambda t: {"ndim": t.ndim, "shape": t.shape, "dtype": t.dtype,
                         "device": t.device.__str__(), "numel": t.numel()}

make_range_matrix = lambda rows, cols, *, dtype=torch.float32, device="cpu": (
    torch.arange(rows * cols, device=device).to(dtype).unflatten(0, (rows, cols)))

seeded_rand = lambda shape, seed, *, device="cpu": torch.rand(
    shape, generator=torch.Generator(device).manual_seed(seed), device=device)


def _check_then(op, a, b):
    if a.shape[-1] != b.shape[0]:
        raise ValueError(f"cannot multiply {list(a.shape)} by {list(b.shape)}")
    return op(a, b)


safe_matmul = functools.partial(_check_then, operator.matmul)

summarize = lambda t: (lambda d: {"min": float(d.min()), "max": float(d.max()), "mean": float(d.mean()),
                                  "sum": float(d.sum()), "argmax": int(t.reshape(-1).argmax())})(t.double())

flatten_images = functools.partial(torch.flatten, start_dim=1)

to_channels_last = lambda x: x.permute(0, -2, -1, 1)

add_batch_dim = functools.partial(torch.unsqueeze, dim=0)

from_numpy_shared = torch.from_numpy

best_device = lambda: torch.device(next(name for name, ok in (
    ("cuda", torch.cuda.is_available()), ("mps", torch.backends.mps.is_available()), ("cpu", True)) if ok))

move_to = torch.Tensor.to
