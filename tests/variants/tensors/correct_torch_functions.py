"""A correct solution written with free ``torch.*`` functions, one line each:
``torch.reshape``, ``torch.permute``, ``torch.flatten``, ``torch.unsqueeze``,
``torch.matmul``, ``torch.as_tensor``; ``t.dim()``, ``t.size()`` and
``t.nelement()`` in tensor_info; a ``torch.device`` built from the argument."""

import torch


def tensor_info(t):
    return dict(ndim=t.dim(), shape=t.size(), dtype=t.dtype, device=str(t.device), numel=t.nelement(),
                requires_grad=t.requires_grad)  # an extra key is fine


def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    return torch.reshape(torch.arange(0, rows * cols, 1, dtype=dtype, device=torch.device(device)), (rows, cols))


def seeded_rand(shape, seed, *, device="cpu"):
    return torch.rand(*shape, generator=torch.Generator(device).manual_seed(seed), device=device)


def safe_matmul(a, b):
    if torch.Tensor.size(a, -1) != torch.Tensor.size(b, 0):
        raise ValueError("shapes %s and %s are not aligned" % (tuple(a.shape), tuple(b.shape)))
    return torch.matmul(a, b)


def summarize(t):
    return {
        "min": torch.min(t).item() * 1.0,
        "max": torch.max(t).item() * 1.0,
        "mean": torch.mean(t, dtype=torch.float64).item(),
        "sum": torch.sum(t, dtype=torch.float64).item(),
        "argmax": torch.argmax(torch.flatten(t)).item(),
    }


def flatten_images(x):
    return torch.flatten(x, 1)


def to_channels_last(x):
    return torch.permute(x, (0, 2, 3, 1))


def add_batch_dim(x):
    return torch.unsqueeze(x, dim=0)


def from_numpy_shared(arr):
    return torch.as_tensor(arr)


def best_device():
    for kind, available in (("cuda", torch.cuda.is_available), ("mps", torch.backends.mps.is_available)):
        if available():
            return torch.device(kind)
    return torch.device("cpu")


def move_to(t, device):
    return torch.Tensor.to(t, device=torch.device(device))
