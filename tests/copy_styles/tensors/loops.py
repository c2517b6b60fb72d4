"""A student who spells things out: explicit loops and intermediate variables."""

import torch


def tensor_info(t):
    shape = []
    for size in t.shape:
        shape.append(int(size))
    count = 1
    for size in shape:
        count = count * size
    return {"ndim": len(shape), "shape": tuple(shape), "dtype": t.dtype, "device": str(t.device), "numel": count}


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    values = []
    for i in range(rows):
        values.append([i * cols + j for j in range(cols)])
    return torch.tensor(values, dtype=dtype, device=device)


def add_batch_dim(x):
    return x[None]


def flatten_images(x):
    n = x.shape[0]
    return x.reshape(n, -1)


def to_channels_last(x):
    return x.movedim(1, -1)


def summarize(t):
    flat = t.reshape(-1).double()
    best = 0
    for i in range(1, flat.numel()):
        if flat[i] > flat[best]:
            best = i
    total = flat.sum().item()
    return {"min": flat.min().item(), "max": flat.max().item(), "mean": total / flat.numel(), "sum": total,
            "argmax": best}


def safe_matmul(a, b):
    rows_a, cols_a = a.shape
    rows_b, cols_b = b.shape
    if cols_a != rows_b:
        raise ValueError("cannot multiply " + str(tuple(a.shape)) + " and " + str(tuple(b.shape)))
    return torch.mm(a, b)


def best_device():
    name = "cpu"
    if torch.backends.mps.is_available():
        name = "mps"
    if torch.cuda.is_available():
        name = "cuda"
    return torch.device(name)


def move_to(t, device):
    return t.to(torch.device(device))


def from_numpy_shared(arr):
    return torch.as_tensor(arr)


def seeded_rand(shape, seed, *, device="cpu"):
    g = torch.Generator(device=device)
    g.manual_seed(int(seed))
    out = torch.empty(tuple(shape), device=device)
    return out.uniform_(0, 1, generator=g)
