"""A correct solution written as method chains and indexing: ``x[None]``,
``x.reshape(len(x), -1)``, ``x.movedim(1, -1)``, ``arange(...).to(...).view(...)``,
``torch.Generator().manual_seed(...)`` chained, and ``.tolist()``-free
``.item()`` conversions."""

import torch


def tensor_info(t):
    info = {}
    info["ndim"] = len(t.shape)
    info["shape"] = tuple(int(s) for s in t.shape)
    info["dtype"] = t.dtype
    info["device"] = f"{t.device}"
    info["numel"] = t.numel()
    return info


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    # built as int64 and converted: every dtype of the exercise holds the values exactly
    return torch.arange(rows * cols).view(rows, -1).to(device=device, dtype=dtype)


def seeded_rand(shape, seed, *, device="cpu"):
    gen = torch.Generator(device=device)
    gen.manual_seed(int(seed))
    return torch.empty(list(shape), device=device).uniform_(0.0, 1.0, generator=gen)


def safe_matmul(a, b):
    (m, k1), (k2, n) = a.shape, b.shape
    if k1 != k2:
        raise ValueError(f"inner dimensions differ: a is {m}x{k1}, b is {k2}x{n}")
    return a.mm(b)


def summarize(t):
    f = t.float()
    return {
        "min": f.min().item(),
        "max": f.max().item(),
        "mean": f.mean().item(),
        "sum": f.sum().item(),
        "argmax": t.flatten().argmax().item(),
    }


def flatten_images(x):
    return x.reshape(len(x), -1)


def to_channels_last(x):
    return x.movedim(1, -1)


def add_batch_dim(x):
    return x[None]


def from_numpy_shared(arr):
    return torch.from_numpy(arr)


def best_device():
    if torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("mps" if torch.backends.mps.is_available() else "cpu")


def move_to(t, device):
    return t.to(device, copy=False)
