"""Baseline corpus: the plainest solution, written from the docstrings without the reference (most of it is forced)."""

import torch


def tensor_info(t):
    return {"ndim": t.ndim, "shape": tuple(t.shape), "dtype": t.dtype, "device": str(t.device), "numel": t.numel()}


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    return torch.arange(rows * cols, dtype=dtype, device=device).view(rows, cols)


def add_batch_dim(x):
    return x.unsqueeze(0)


def flatten_images(x):
    return x.flatten(start_dim=1)


def to_channels_last(x):
    return x.permute(0, 2, 3, 1)


def summarize(t):
    x = t.double()
    return {"min": float(x.min()), "max": float(x.max()), "mean": float(x.mean()), "sum": float(x.sum()),
            "argmax": int(t.flatten().argmax())}


def safe_matmul(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply {tuple(a.shape)} and {tuple(b.shape)}")
    return a @ b


def best_device():
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def move_to(t, device):
    return t.to(device)


def from_numpy_shared(arr):
    return torch.from_numpy(arr)


def seeded_rand(shape, seed, *, device="cpu"):
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    return torch.rand(tuple(shape), generator=g, device=device)
