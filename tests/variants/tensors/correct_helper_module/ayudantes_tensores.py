"""Helpers of the ``correct_helper_module`` variant (a sibling module)."""

import torch


def describe(t):
    return {"ndim": t.ndim, "shape": tuple(t.shape), "dtype": t.dtype, "device": str(t.device),
            "numel": t.numel()}


def row_major(rows, cols):
    return torch.arange(rows * cols, dtype=torch.int64).reshape(rows, cols)


def generator(seed, device):
    g = torch.Generator(device=torch.device(device))
    g.manual_seed(seed)
    return g


def check_inner_sizes(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"a{tuple(a.shape)} @ b{tuple(b.shape)}: inner sizes {a.shape[1]} and {b.shape[0]} differ")


def first_argmax(t):
    flat = t.flatten()
    best = 0
    for i in range(1, flat.numel()):
        if flat[i] > flat[best]:
            best = i
    return best


def channels_last(x):
    return x.permute(0, 2, 3, 1).contiguous()


def best_device():
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
