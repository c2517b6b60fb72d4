"""Realistic mistakes in ``tensors``: the reference solution with ONE change each.

Each entry names a variant (kept as the file name a student would hand in), says
what the mistake is, and gives the top-level functions or classes that replace
the reference's (``replace``) and any module-level lines added (``extra``).
``tests/variant_suite.py`` builds the module with :func:`variant_suite.build_mistake`.
"""

MISTAKES = {
    'mistake_batch_dim_last.py': {
        "exercise": 'add_batch_dim',
        "words": ['at the front', '(1, 3, 8, 8)'],
        "gpu_only": False,
        "what": 'add_batch_dim adds the new dimension at the end (unsqueeze(-1)), not at the front.',
        "replace": {
            'add_batch_dim': r'''def add_batch_dim(x):
    return x.unsqueeze(-1)
''',
        },
    },
    'mistake_best_device_str.py': {
        "exercise": 'best_device',
        "words": ['torch.device', 'got str'],
        "gpu_only": False,
        "what": 'best_device returns the device name as a str, not a torch.device.',
        "replace": {
            'best_device': r'''def best_device():
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"
''',
        },
    },
    'mistake_channels_memory_format.py': {
        "exercise": 'to_channels_last',
        "words": ['memory format', 'keeps the shape'],
        "gpu_only": False,
        "what": 'to_channels_last uses the torch.channels_last memory format, which keeps the (N, C, H, W) shape.',
        "replace": {
            'to_channels_last': r'''def to_channels_last(x):
    return x.contiguous(memory_format=torch.channels_last)
''',
        },
    },
    'mistake_channels_reshape.py': {
        "exercise": 'to_channels_last',
        "words": ['reshape', 'permute'],
        "gpu_only": False,
        "what": 'to_channels_last reshapes to (N, H, W, C) instead of permuting: values end up in the wrong places.',
        "replace": {
            'to_channels_last': r'''def to_channels_last(x):
    n, c, h, w = x.shape
    return x.reshape(n, h, w, c)
''',
        },
    },
    'mistake_flatten_all_dims.py': {
        "exercise": 'flatten_images',
        "words": ['batch dimension', '1-D'],
        "gpu_only": False,
        "what": 'flatten_images flattens every dimension, the batch one too.',
        "replace": {
            'flatten_images': r'''def flatten_images(x):
    return x.flatten()
''',
        },
    },
    'mistake_flatten_view.py': {
        "exercise": 'flatten_images',
        "words": ['non-contiguous', 'view', 'reshape'],
        "gpu_only": False,
        "what": 'flatten_images uses view, which fails on non-contiguous tensors.',
        "replace": {
            'flatten_images': r'''def flatten_images(x):
    return x.view(x.shape[0], -1)
''',
        },
    },
    'mistake_info_device_object.py': {
        "exercise": 'tensor_info',
        "words": ["['device']", 'must be a str'],
        "gpu_only": False,
        "what": 'tensor_info returns the torch.device object, not str(t.device).',
        "replace": {
            'tensor_info': r'''def tensor_info(t):
    return {
        "ndim": t.ndim,
        "shape": tuple(t.shape),
        "dtype": t.dtype,
        "device": t.device,
        "numel": t.numel(),
    }
''',
        },
    },
    'mistake_info_dtype_str.py': {
        "exercise": 'tensor_info',
        "words": ["['dtype']", 'torch.dtype', 'not a str'],
        "gpu_only": False,
        "what": "tensor_info returns the dtype as a str ('torch.float32'), not a torch.dtype.",
        "replace": {
            'tensor_info': r'''def tensor_info(t):
    return {
        "ndim": t.ndim,
        "shape": tuple(t.shape),
        "dtype": str(t.dtype),
        "device": str(t.device),
        "numel": t.numel(),
    }
''',
        },
    },
    'mistake_info_len_as_numel.py': {
        "exercise": 'tensor_info',
        "words": ["['numel']", 'expected 6, got 2'],
        "gpu_only": False,
        "what": 'tensor_info counts elements with len(t), the size of the first dimension only.',
        "replace": {
            'tensor_info': r'''def tensor_info(t):
    return {
        "ndim": t.ndim,
        "shape": tuple(t.shape),
        "dtype": t.dtype,
        "device": str(t.device),
        "numel": len(t),
    }
''',
        },
    },
    'mistake_info_shape_list.py': {
        "exercise": 'tensor_info',
        "words": ["['shape']", 'tuple', 'list'],
        "gpu_only": False,
        "what": 'tensor_info returns the shape as a list, not a tuple.',
        "replace": {
            'tensor_info': r'''def tensor_info(t):
    return {
        "ndim": t.ndim,
        "shape": list(t.shape),
        "dtype": t.dtype,
        "device": str(t.device),
        "numel": t.numel(),
    }
''',
        },
    },
    'mistake_matmul_message_without_shapes.py': {
        "exercise": 'safe_matmul',
        "words": ['must name both shapes'],
        "gpu_only": False,
        "what": 'safe_matmul raises ValueError, but its message does not name the shapes.',
        "replace": {
            'safe_matmul': r'''def safe_matmul(a, b):
    if a.shape[1] != b.shape[0]:
        raise ValueError("the inner sizes do not match")
    return a @ b
''',
        },
    },
    'mistake_matmul_runtime_error.py': {
        "exercise": 'safe_matmul',
        "words": ['ValueError was expected', 'RuntimeError'],
        "gpu_only": False,
        "what": 'safe_matmul does not check the shapes: torch raises RuntimeError, not ValueError.',
        "replace": {
            'safe_matmul': r'''def safe_matmul(a, b):
    return a @ b
''',
        },
    },
    'mistake_matmul_wrong_dims.py': {
        "exercise": 'safe_matmul',
        "words": ['can be multiplied', 'columns of a', 'rows of b'],
        "gpu_only": False,
        "what": 'safe_matmul compares the wrong sizes (rows of a with columns of b).',
        "replace": {
            'safe_matmul': r'''def safe_matmul(a, b):
    if a.shape[0] != b.shape[1]:
        raise ValueError(f"cannot multiply {tuple(a.shape)} and {tuple(b.shape)}")
    return a @ b
''',
        },
    },
    'mistake_move_to_float.py': {
        "exercise": 'move_to',
        "words": ['expected dtype torch.int64, got torch.float32'],
        "gpu_only": False,
        "what": 'move_to also converts the tensor to float32.',
        "replace": {
            'move_to': r'''def move_to(t, device):
    return t.to(device).float()
''',
        },
    },
    'mistake_move_to_ignores_device.py': {
        "exercise": 'move_to',
        "words": ['expected device cpu'],
        "gpu_only": True,
        "what": 'move_to moves to best_device(), whatever device was asked (only a machine with a GPU can see it).',
        "replace": {
            'move_to': r'''def move_to(t, device):
    return t.to(best_device())
''',
        },
    },
    'mistake_numpy_copy.py': {
        "exercise": 'from_numpy_shared',
        "words": ['copied'],
        "gpu_only": False,
        "what": 'from_numpy_shared copies the array with torch.tensor: no shared memory.',
        "replace": {
            'from_numpy_shared': r'''def from_numpy_shared(arr):
    return torch.tensor(arr)
''',
        },
    },
    'mistake_numpy_returns_array.py': {
        "exercise": 'from_numpy_shared',
        "words": ['must return a torch.Tensor', 'ndarray'],
        "gpu_only": False,
        "what": 'from_numpy_shared returns the NumPy array itself (it shares its own memory, but is no tensor).',
        "replace": {
            'from_numpy_shared': r'''def from_numpy_shared(arr):
    return arr  # MISTAKE: torch.from_numpy forgotten
''',
        },
    },
    'mistake_rand_global_seed.py': {
        "exercise": 'seeded_rand',
        "words": ['global random state', 'torch.Generator'],
        "gpu_only": False,
        "what": "seeded_rand seeds the global generator with torch.manual_seed, which changes the caller's random state.",
        "replace": {
            'seeded_rand': r'''def seeded_rand(shape, seed, *, device="cpu"):
    torch.manual_seed(seed)
    return torch.rand(tuple(shape), device=device)
''',
        },
    },
    'mistake_rand_ignores_device.py': {
        "exercise": 'seeded_rand',
        "words": ['expected device', 'got cpu'],
        "gpu_only": True,
        "what": 'seeded_rand ignores `device`: the values are always made on the CPU (only a grading device other than the CPU can see it).',
        "replace": {
            'seeded_rand': r'''def seeded_rand(shape, seed, *, device="cpu"):
    generator = torch.Generator()
    generator.manual_seed(seed)
    return torch.rand(tuple(shape), generator=generator)
''',
        },
    },
    'mistake_rand_ignores_seed.py': {
        "exercise": 'seeded_rand',
        "words": ['different seeds', 'seed` ignored'],
        "gpu_only": False,
        "what": 'seeded_rand never seeds its generator: every seed gives the same values.',
        "replace": {
            'seeded_rand': r'''def seeded_rand(shape, seed, *, device="cpu"):
    generator = torch.Generator(device=device)
    return torch.rand(tuple(shape), generator=generator, device=device)
''',
        },
    },
    'mistake_rand_randn.py': {
        "exercise": 'seeded_rand',
        "words": ['[0, 1)', 'torch.randn'],
        "gpu_only": False,
        "what": 'seeded_rand draws from a normal distribution (torch.randn) instead of uniform [0, 1).',
        "replace": {
            'seeded_rand': r'''def seeded_rand(shape, seed, *, device="cpu"):
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)
    return torch.randn(tuple(shape), generator=generator, device=device)
''',
        },
    },
    'mistake_range_column_major.py': {
        "exercise": 'make_range_matrix',
        "words": ['columns', 'row-major'],
        "gpu_only": False,
        "what": 'make_range_matrix fills the matrix column by column: reshape(cols, rows).T.',
        "replace": {
            'make_range_matrix': r'''def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    return torch.arange(rows * cols, dtype=dtype, device=device).reshape(cols, rows).T
''',
        },
    },
    'mistake_range_ignores_device.py': {
        "exercise": 'make_range_matrix',
        "words": ['expected device', 'got cpu'],
        "gpu_only": True,
        "what": 'make_range_matrix ignores `device`: the matrix is always made on the CPU (only a grading device other than the CPU can see it).',
        "replace": {
            'make_range_matrix': r'''def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    return torch.arange(rows * cols, dtype=dtype).reshape(rows, cols)
''',
        },
    },
    'mistake_range_ignores_dtype.py': {
        "exercise": 'make_range_matrix',
        "words": ['expected dtype torch.float32, got torch.int64'],
        "gpu_only": False,
        "what": 'make_range_matrix ignores `dtype`: arange of ints gives int64 whatever was asked.',
        "replace": {
            'make_range_matrix': r'''def make_range_matrix(rows, cols, *, dtype=torch.float32, device="cpu"):
    return torch.arange(rows * cols, device=device).reshape(rows, cols)
''',
        },
    },
    'mistake_summarize_int_mean.py': {
        "exercise": 'summarize',
        "words": ['integer tensors', 'mean()'],
        "gpu_only": False,
        "what": 'summarize calls t.mean() on the tensor as it comes: integer tensors have no mean.',
        "replace": {
            'summarize': r'''def summarize(t):
    values = t.double()
    return {
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(t.mean()),
        "sum": float(values.sum()),
        "argmax": int(t.flatten().argmax()),
    }
''',
        },
    },
    'mistake_summarize_last_argmax.py': {
        "exercise": 'summarize',
        "words": ['first maximum', 'flat index'],
        "gpu_only": False,
        "what": 'summarize gives the index of the LAST maximum, not the first.',
        "replace": {
            'summarize': r'''def summarize(t):
    values = t.double()
    return {
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "sum": float(values.sum()),
        "argmax": t.numel() - 1 - int(t.flatten().flip(0).argmax()),
    }
''',
        },
    },
    'mistake_summarize_tensors.py': {
        "exercise": 'summarize',
        "words": ['Python float', 'got Tensor'],
        "gpu_only": False,
        "what": 'summarize returns 0-d tensors instead of Python floats.',
        "replace": {
            'summarize': r'''def summarize(t):
    values = t.double()
    return {
        "min": values.min(),
        "max": values.max(),
        "mean": values.mean(),
        "sum": values.sum(),
        "argmax": int(t.flatten().argmax()),
    }
''',
        },
    },
    'mistake_summarize_argmax_tensor.py': {
        "exercise": 'summarize',
        "words": ['Python int', 'got Tensor'],
        "gpu_only": False,
        "what": 'summarize returns argmax as a 0-d tensor instead of a Python int (every value right, one type wrong).',
        "replace": {
            'summarize': r'''def summarize(t):
    values = t.double()
    return {
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
        "sum": float(values.sum()),
        "argmax": t.flatten().argmax(),
    }
''',
        },
    },
}
