"""A correct solution split over two modules of one submission: the exercises
import their helpers from ``ayudantes_tensores.py``, a sibling file that the
grader copies along (modules of one submission may import each other)."""

import torch

import ayudantes_tensores as ayuda
from ayudantes_tensores import check_inner_sizes, first_argmax


def tensor_info(t):
    return ayuda.describe(t)


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    return ayuda.row_major(rows, cols).to(device).to(dtype)


def seeded_rand(shape, seed, *, device="cpu"):
    return torch.rand(shape, generator=ayuda.generator(seed, device), device=device)


def safe_matmul(a, b):
    check_inner_sizes(a, b)
    return torch.einsum("ik,kj->ij", a, b)


def summarize(t):
    d = t.double()
    out = {name: getattr(d, name)().item() for name in ("min", "max", "mean", "sum")}
    out["argmax"] = first_argmax(t)
    return out


def flatten_images(x):
    return x.flatten(1, -1)


def to_channels_last(x):
    return ayuda.channels_last(x)


def add_batch_dim(x):
    return x.unsqueeze(-x.dim() - 1)  # the front, counted from the end


def from_numpy_shared(arr):
    return torch.asarray(arr)


best_device = ayuda.best_device


def move_to(t, device):
    return t.to(device)
