"""Baseline corpus: a canonical solution written without the reference (the style a course's own tutorial leads to)."""

import torch


def tensor_info(t):
    return {"ndim": t.dim(), "shape": t.shape, "dtype": t.dtype, "device": str(t.device), "numel": t.numel()}


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    return torch.arange(rows * cols, device=device).reshape(rows, cols).to(dtype)


def add_batch_dim(x):
    return x.unsqueeze(0)


def flatten_images(x):
    return x.reshape(x.shape[0], -1)


def to_channels_last(x):
    return x.permute(0, 2, 3, 1)


def summarize(t):
    t = t.double()
    return {"min": t.min().item(), "max": t.max().item(), "mean": t.mean().item(), "sum": t.sum().item(),
            "argmax": t.flatten().argmax().item()}


def safe_matmul(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply {a.shape} and {b.shape}")
    return a @ b


def best_device():
    if torch.cuda.is_available():
        return torch.device("cuda")
    elif torch.backends.mps.is_available():
        return torch.device("mps")
    else:
        return torch.device("cpu")


def move_to(t, device):
    return t.to(device)


def from_numpy_shared(arr):
    return torch.from_numpy(arr)


def seeded_rand(shape, seed, *, device="cpu"):
    g = torch.Generator(device=device)
    g.manual_seed(seed)
    return torch.rand(shape, generator=g, device=device)
