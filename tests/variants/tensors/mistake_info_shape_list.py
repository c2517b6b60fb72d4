# MISTAKE: tensor_info returns the shape as a list, not a tuple.
# Everything else is correct.

import torch


def tensor_info(t):
    return {
        "ndim": t.ndim,
        "shape": list(t.shape),
        "dtype": t.dtype,
        "device": str(t.device),
        "numel": t.numel(),
    }


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    return torch.arange(rows * cols, dtype=dtype, device=device).reshape(rows, cols)


def seeded_rand(shape, seed, *, device="cpu"):
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return torch.rand(tuple(shape), generator=generator, device=device)


def safe_matmul(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"cannot multiply {tuple(a.shape)} and {tuple(b.shape)}")
    return a @ b


def summarize(t):
    values = t.double()
    return {
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "sum": float(values.sum()),
        "argmax": int(t.flatten().argmax()),
    }


def flatten_images(x):
    return x.flatten(start_dim=1)


def to_channels_last(x):
    return x.permute(0, 2, 3, 1)


def add_batch_dim(x):
    return x.unsqueeze(0)


def from_numpy_shared(arr):
    return torch.from_numpy(arr)


def best_device():
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def move_to(t, device):
    return t.to(device)
