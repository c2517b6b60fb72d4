"""A correct solution that leans on NumPy where it can (CPU data only):
tensor_info with ``math.prod``; make_range_matrix built in NumPy and moved;
summarize on ``t.numpy()`` returning NumPy scalars (``numpy.float64`` is a float
subclass, ``numpy.int64`` an Integral); from_numpy_shared via DLPack; the
shapes in safe_matmul's message spelled ``2x3``."""

import math

import numpy as np
import torch


def tensor_info(t):
    return {
        "ndim": np.asarray(t.shape, dtype=np.int64).size,
        "shape": tuple(np.array(t.shape, dtype=np.int64).tolist()),
        "dtype": t.dtype,
        "device": str(t.device),
        "numel": math.prod(t.shape),
    }


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    grid = np.arange(rows * cols, dtype=np.int64).reshape(rows, cols)
    return torch.from_numpy(grid).to(device=device, dtype=dtype)


def seeded_rand(shape, seed, *, device="cpu"):
    rng = np.random.default_rng(seed)  # NumPy's own generator: torch's global state is untouched
    values = rng.random(tuple(shape), dtype=np.float32)
    return torch.from_numpy(values).to(device)


def safe_matmul(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError("no se pueden multiplicar {} y {}".format(
            "x".join(map(str, a.shape)), "x".join(map(str, b.shape))))
    return a @ b


def summarize(t):
    a = t.detach().cpu().numpy().astype(np.float64)
    return {
        "min": a.min(),
        "max": a.max(),
        "mean": a.mean(),
        "sum": a.sum(),
        "argmax": np.argmax(t.detach().cpu().numpy()),  # flat index of the first maximum
    }


def flatten_images(x):
    n = x.shape[0]
    return x.reshape(n, int(np.prod(x.shape[1:])))


def to_channels_last(x):
    return x.permute(*np.argsort([0, 3, 1, 2]).tolist())  # (0, 2, 3, 1)


def add_batch_dim(x):
    return x.reshape((1,) + tuple(x.shape))


def from_numpy_shared(arr):
    return torch.from_dlpack(arr)


def best_device():
    name = "cpu"
    if torch.backends.mps.is_available():
        name = "mps"
    if torch.cuda.is_available():
        name = "cuda"
    return torch.device(name)


def move_to(t, device):
    return t.to(torch.device(str(device)))
