"""Baseline corpus: another canonical solution written without the reference (conversions with float/int)."""

import torch


def tensor_info(t):
    info = {}
    info["ndim"] = t.ndim
    info["shape"] = tuple(t.shape)
    info["dtype"] = t.dtype
    info["device"] = str(t.device)
    info["numel"] = t.numel()
    return info


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    m = torch.arange(0, rows * cols, dtype=dtype, device=device)
    return m.view(rows, cols)


def add_batch_dim(x):
    return x.unsqueeze(dim=0)


def flatten_images(x):
    return torch.flatten(x, start_dim=1)


def to_channels_last(x):
    return x.permute(0, 2, 3, 1)


def summarize(t):
    x = t.to(torch.float64)
    return {
        "min": float(x.min()),
        "max": float(x.max()),
        "mean": float(x.mean()),
        "sum": float(x.sum()),
        "argmax": int(torch.argmax(t.flatten())),
    }


def safe_matmul(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply {tuple(a.shape)} and {tuple(b.shape)}")
    return torch.matmul(a, b)


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
    generator = torch.Generator(device=device).manual_seed(seed)
    return torch.rand(tuple(shape), generator=generator, device=device)
