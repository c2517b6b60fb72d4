"""Hidden grader for the `tensors` topic (see docs/writing-graders.md)."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from torchdojo.judge import compare
from torchdojo.judge.feedback import check, fail, short
from torchdojo.judge.helpers import generator
from torchdojo.judge.props import grading_settings
from torchdojo.judge.remote import StudentRaised

GRADING = grading_settings(15)

small = st.integers(min_value=1, max_value=5)


def _data(shape, seed=0, dtype=torch.float32):
    """Random values made on the CPU (same on every device), as ``dtype``."""
    g = generator(seed)
    if dtype.is_floating_point:
        return (torch.randn(shape, generator=g) * 3).to(dtype)
    return torch.randint(-50, 50, shape, generator=g).to(dtype)


# -- tensor_info -----------------------------------------------------------

INFO_CASES = [
    torch.zeros(2, 3),
    torch.arange(24, dtype=torch.int64).reshape(2, 3, 4),
    torch.tensor(3.5, dtype=torch.float64),
    torch.ones(5, dtype=torch.bool),
    torch.zeros(0, 4, dtype=torch.int32),
]


@pytest.mark.exercise("tensor_info")
@pytest.mark.parametrize("case", range(len(INFO_CASES)))
def test_tensor_info(student, case):
    t = INFO_CASES[case]
    info = student.tensor_info(t)
    check(isinstance(info, dict), f"tensor_info debe devolver un dict y devolvió {type(info).__name__}",
          f"tensor_info must return a dict, got {type(info).__name__}")
    for key in ("ndim", "shape", "dtype", "device", "numel"):
        check(key in info, f"falta la clave '{key}' en el dict", f"the key '{key}' is missing from the dict")
    what = f"tensor_info(tensor de forma {tuple(t.shape)})", f"tensor_info(tensor of shape {tuple(t.shape)})"
    compare.number(info["ndim"], (f"{what[0]}['ndim']", f"{what[1]}['ndim']"), integer=True)
    compare.equal(info["ndim"], t.ndim, (f"{what[0]}['ndim']", f"{what[1]}['ndim']"))
    check(isinstance(info["shape"], tuple),
          f"{what[0]}['shape'] debe ser una tupla (o torch.Size) y es {type(info['shape']).__name__}",
          f"{what[1]}['shape'] must be a tuple (or torch.Size), got {type(info['shape']).__name__}")
    compare.equal(tuple(info["shape"]), tuple(t.shape), (f"{what[0]}['shape']", f"{what[1]}['shape']"))
    check(isinstance(info["dtype"], torch.dtype),
          f"{what[0]}['dtype'] debe ser el torch.dtype (t.dtype), no un {type(info['dtype']).__name__} "
          f"({short(info['dtype'])})",
          f"{what[1]}['dtype'] must be the torch.dtype itself (t.dtype), not a {type(info['dtype']).__name__} "
          f"({short(info['dtype'])})")
    check(info["dtype"] == t.dtype,
          f"{what[0]}['dtype']: se esperaba {t.dtype} y llegó {short(info['dtype'])}",
          f"{what[1]}['dtype']: expected {t.dtype}, got {short(info['dtype'])}")
    check(type(info["device"]) is str,
          f"{what[0]}['device'] debe ser un str como str(t.device), no {type(info['device']).__name__}",
          f"{what[1]}['device'] must be a str such as str(t.device), not {type(info['device']).__name__}")
    compare.equal(info["device"], str(t.device), (f"{what[0]}['device']", f"{what[1]}['device']"))
    compare.number(info["numel"], (f"{what[0]}['numel']", f"{what[1]}['numel']"), integer=True)
    compare.equal(info["numel"], t.numel(), (f"{what[0]}['numel']", f"{what[1]}['numel']"))


# -- make_range_matrix -------------------------------------------------------

RANGE_DTYPES = [torch.float32, torch.float64, torch.int64, torch.int32, torch.float16, torch.uint8]


@pytest.mark.exercise("make_range_matrix")
@GRADING
@given(rows=st.integers(1, 8), cols=st.integers(1, 8), dtype=st.sampled_from(RANGE_DTYPES))
def test_make_range_matrix(student, device, rows, cols, dtype):
    got = student.make_range_matrix(rows, cols, dtype=dtype, device=device)
    expected = torch.arange(rows * cols, dtype=torch.float64).reshape(rows, cols).to(dtype)
    what = (f"make_range_matrix({rows}, {cols}, dtype={dtype}, device='{device}')",) * 2
    compare.require_tensor(got, what)
    compare.device(got, device, what)
    compare.shape(got, (rows, cols), what)
    column_major = torch.arange(rows * cols, dtype=torch.float64).reshape(cols, rows).T
    check(not torch.equal(compare.to_cpu(got).double(), column_major) or rows == 1 or cols == 1,
          f"{what[0]}: los valores van por columnas (como reshape(cols, rows).T); deben ir por filas: "
          f"la primera fila es 0..{cols - 1}",
          f"{what[1]}: the values run down the columns (as reshape(cols, rows).T does); they must run "
          f"along the rows (row-major): the first row is 0..{cols - 1}")
    compare.tensor_close(got, expected, what)


@pytest.mark.exercise("make_range_matrix")
def test_make_range_matrix_defaults(student):  # the defaults mean the CPU, whatever else is present
    got = student.make_range_matrix(3, 4)
    what = "make_range_matrix(3, 4)"
    compare.tensor_close(got, torch.arange(12, dtype=torch.float32).reshape(3, 4), what)
    compare.device(got, "cpu", what)


# -- seeded_rand -------------------------------------------------------------

@pytest.mark.exercise("seeded_rand")
@pytest.mark.parametrize("shape", [(3, 4), [2, 5, 2], (7,)])
def test_seeded_rand_values(student, device, shape):
    what = f"seeded_rand({shape!r}, seed=123, device='{device}')"
    got = student.seeded_rand(shape, 123, device=device)
    compare.require_tensor(got, what)
    compare.shape(got, tuple(shape), what)
    compare.dtype(got, torch.float32, what)
    compare.device(got, device, what)
    values = compare.to_cpu(got)
    low, high = float(values.min()), float(values.max())
    check(low >= 0.0 and high < 1.0,
          f"{what}: los valores deben estar en [0, 1) y van de {low:.3f} a {high:.3f} "
          f"(¿torch.randn en vez de torch.rand?)",
          f"{what}: values must lie in [0, 1) but range from {low:.3f} to {high:.3f} "
          f"(torch.randn instead of torch.rand?)")


@pytest.mark.exercise("seeded_rand")
def test_seeded_rand_reproducible(student, lab, device):
    what = "seeded_rand((4, 4), seed, device)"
    a = compare.to_cpu(compare.require_tensor(student.seeded_rand((4, 4), 7, device=device), what))
    lab.run("draw_global", n=3)  # the global generator moves in between: the result must not care
    b = compare.to_cpu(compare.require_tensor(student.seeded_rand((4, 4), 7, device=device), what))
    c = compare.to_cpu(compare.require_tensor(student.seeded_rand((4, 4), 8, device=device), what))
    check(torch.equal(a, b),
          "la misma semilla dio valores distintos: usa un generador sembrado con `seed`",
          "the same seed gave different values: use a generator seeded with `seed`")
    check(not torch.equal(a, c),
          "semillas distintas (7 y 8) dieron los mismos valores: ¿se ignora `seed`?",
          "different seeds (7 and 8) gave the same values: is `seed` ignored?")


@pytest.mark.exercise("seeded_rand")
@pytest.mark.weight(4)  # what the exercise is about: at least half its points (with the 4 tests above)
def test_seeded_rand_leaves_global_rng(student, lab, device):
    # The global random state lives in the student process: a trusted probe reads it there.
    before = lab.run("global_rng_state", device=str(device))
    got = student.seeded_rand((5, 5), 3, device=device)
    after = lab.run("global_rng_state", device=str(device))
    # Leaving the state alone only counts for a function that does its job.
    compare.shape(compare.require_tensor(got, "seeded_rand((5, 5), 3)"), (5, 5), "seeded_rand((5, 5), 3)")
    for b, a in zip(before, after):
        check(torch.equal(b, a),
              "seeded_rand cambió el estado global del generador (¿torch.manual_seed?): usa un torch.Generator propio",
              "seeded_rand changed the global random state (torch.manual_seed?): use a torch.Generator of your own")


# -- safe_matmul -------------------------------------------------------------

@pytest.mark.exercise("safe_matmul")
@GRADING
@given(m=small, k=small, n=small, seed=st.integers(0, 1000))
def test_safe_matmul_values(student, device, m, k, n, seed):
    a = _data((m, k), seed)
    b = _data((k, n), seed + 1)
    what = f"safe_matmul(a{(m, k)}, b{(k, n)})"
    try:
        got = student.safe_matmul(a.to(device), b.to(device))
    except StudentRaised as exc:
        if not exc.is_a(ValueError):
            raise
        fail(f"{what}: se lanzó ValueError ({short(exc.message)}) aunque las formas se pueden multiplicar: "
             f"compara las columnas de a (a.shape[1] = {k}) con las filas de b (b.shape[0] = {k})",
             f"{what}: raised ValueError ({short(exc.message)}) although the shapes can be multiplied: "
             f"compare the columns of a (a.shape[1] = {k}) with the rows of b (b.shape[0] = {k})")
    compare.device(compare.require_tensor(got, what), device, what)
    compare.tensor_close(got, (a.double() @ b.double()).float(), what, rtol=1e-4, atol=1e-4)


def _names_shape(message, shape):
    rows, cols = shape
    flat = re.sub(r"\s+", "", message.lower())
    spellings = [f"({rows},{cols})", f"[{rows},{cols}]", f"{rows}x{cols}", f"{rows}×{cols}", f"{rows}*{cols}"]
    return any(s in flat for s in spellings)


@pytest.mark.exercise("safe_matmul")
@pytest.mark.parametrize("sa,sb", [((2, 3), (4, 5)), ((3, 2), (3, 2)), ((1, 4), (5, 1))])
def test_safe_matmul_mismatch(student, device, sa, sb):
    a, b = _data(sa).to(device), _data(sb, 1).to(device)
    try:
        result = student.safe_matmul(a, b)
    except StudentRaised as exc:
        if exc.not_implemented:
            raise
        if exc.is_a(ValueError):
            message = exc.message
            check(_names_shape(message, sa) and _names_shape(message, sb),
                  f"el ValueError debe nombrar las dos formas {sa} y {sb}; su mensaje fue: {short(message)}",
                  f"the ValueError must name both shapes {sa} and {sb}; its message was: {short(message)}")
            return
        fail(f"con formas {sa} y {sb} se esperaba ValueError y se lanzó {exc.type_name}: {short(exc.message)}",
             f"with shapes {sa} and {sb} a ValueError was expected, but {exc.type_name} was raised: "
             f"{short(exc.message)}")
    fail(f"con formas {sa} y {sb} se esperaba ValueError y devolvió {short(result)}",
         f"with shapes {sa} and {sb} a ValueError was expected, but it returned {short(result)}")


# -- summarize ---------------------------------------------------------------

@pytest.mark.exercise("summarize")
@GRADING
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3),
       dtype=st.sampled_from([torch.float32, torch.float64, torch.int64, torch.int32]),
       seed=st.integers(0, 1000))
def test_summarize(student, shape, dtype, seed):
    t = _data(tuple(shape), seed, dtype)
    _check_summary(_summarize(student, t), t, types=False)


@pytest.mark.exercise("summarize")
def test_summarize_ties_and_ints(student):
    t = torch.tensor([[1, 9, 3], [9, 2, 9]], dtype=torch.int64)  # first maximum at flat index 1
    _check_summary(_summarize(student, t), t, types=False)


@pytest.mark.exercise("summarize")
def test_summarize_gives_python_numbers(student):
    # The values are judged above; here only their types: a 0-d tensor in place of
    # a float or an int loses this test's share, not the whole exercise.
    t = torch.tensor([[2.5, -1.0], [4.0, 0.5]])
    _check_summary(_summarize(student, t), t)


def _summarize(student, t):
    """``student.summarize(t)``, with the usual error on integer tensors explained."""
    try:
        return student.summarize(t)
    except StudentRaised as exc:
        if t.is_floating_point() or not (exc.is_a(RuntimeError) or exc.is_a(TypeError)) or "mean" not in exc.message:
            raise
        fail(f"summarize(tensor {t.dtype}) lanzó {exc.type_name}: {short(exc.message, 120)}. "
             "mean() no funciona con tensores enteros: convierte antes a float (t.double() o t.float())",
             f"summarize(tensor {t.dtype}) raised {exc.type_name}: {short(exc.message, 120)}. "
             "mean() does not work on integer tensors: convert to float first (t.double() or t.float())")


def _check_summary(got, t, *, types=True):
    """Judge a summary; with ``types=False`` a one-element tensor stands for its number."""
    check(isinstance(got, dict), f"summarize debe devolver un dict y devolvió {type(got).__name__}",
          f"summarize must return a dict, got {type(got).__name__}")
    if not types:
        got = {k: v.item() if isinstance(v, torch.Tensor) and v.numel() == 1 else v for k, v in got.items()}
    ref = t.double()
    what = f"summarize({short(t, 60)})"
    for key, value in (("min", ref.min()), ("max", ref.max()), ("mean", ref.mean()), ("sum", ref.sum())):
        check(key in got, f"falta la clave '{key}'", f"the key '{key}' is missing")
        compare.close(got[key], float(value), (f"{what}['{key}']", f"{what}['{key}']"), rtol=1e-4, atol=1e-5)
    check("argmax" in got, "falta la clave 'argmax'", "the key 'argmax' is missing")
    compare.number(got["argmax"], (f"{what}['argmax']",) * 2, integer=True)
    compare.equal(got["argmax"], int(t.flatten().argmax()), (f"{what}['argmax'] (índice plano del primer máximo)",
                                                              f"{what}['argmax'] (flat index of the first maximum)"))


# -- flatten_images ----------------------------------------------------------

@pytest.mark.exercise("flatten_images")
@GRADING
@given(n=small, c=small, h=small, w=small)
def test_flatten_images(student, device, n, c, h, w):
    x = _data((n, c, h, w)).to(device)
    what = f"flatten_images(x{(n, c, h, w)})"
    got = student.flatten_images(x)
    compare.device(compare.require_tensor(got, what), device, what)
    check(got.ndim != 1,
          f"{what}: devolvió un tensor 1-D de forma {tuple(got.shape)}: también se aplanó la dimensión del lote; "
          f"consérvala (forma esperada {(n, c * h * w)}, p. ej. con flatten(start_dim=1))",
          f"{what}: returned a 1-D tensor of shape {tuple(got.shape)}: the batch dimension was flattened too; "
          f"keep it (expected shape {(n, c * h * w)}, e.g. with flatten(start_dim=1))")
    compare.tensor_close(got, _data((n, c, h, w)).reshape(n, c * h * w), what)


@pytest.mark.exercise("flatten_images")
def test_flatten_images_non_contiguous(student, device):
    base = _data((2, 5, 4, 3))
    x = base.to(device).permute(0, 3, 1, 2)  # (2, 3, 5, 4), not contiguous
    what = ("flatten_images(x no contiguo de forma (2, 3, 5, 4))",
            "flatten_images(non-contiguous x of shape (2, 3, 5, 4))")
    try:
        got = student.flatten_images(x)
    except StudentRaised as exc:
        if not exc.is_a(RuntimeError) or "view" not in exc.message:
            raise
        fail(f"{what[0]}: lanzó RuntimeError ({short(exc.message, 100)}): view no funciona con tensores no "
             "contiguos (p. ej. tras un permute); usa reshape o flatten(start_dim=1)",
             f"{what[1]}: raised RuntimeError ({short(exc.message, 100)}): view does not work on non-contiguous "
             "tensors (e.g. after a permute); use reshape or flatten(start_dim=1)")
    compare.tensor_close(got, base.permute(0, 3, 1, 2).reshape(2, 60), what)


# -- to_channels_last --------------------------------------------------------

@pytest.mark.exercise("to_channels_last")
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (1, 1, 2, 3), (3, 4, 2, 2), (1, 3, 5, 5)])
def test_to_channels_last(student, shape):
    x = _data(shape)
    what = f"to_channels_last(x{shape})"
    got = compare.require_tensor(student.to_channels_last(x.clone()), what)
    n, c, h, w = shape
    check(tuple(got.shape) != shape or c == h == w,
          f"{what}: la forma sigue siendo (N, C, H, W) = {shape}; se esperaba (N, H, W, C) = {(n, h, w, c)}. "
          "torch.channels_last es un formato de memoria que conserva la forma: reordena las dimensiones con permute",
          f"{what}: the shape is still (N, C, H, W) = {shape}; expected (N, H, W, C) = {(n, h, w, c)}. "
          "torch.channels_last is a memory format that keeps the shape: reorder the dimensions with permute")
    reshaped = x.reshape(n, h, w, c)
    if tuple(got.shape) == (n, h, w, c) and got.dtype == x.dtype and not torch.equal(reshaped, x.permute(0, 2, 3, 1)):
        check(not torch.equal(compare.to_cpu(got), reshaped),
              f"{what}: la forma es correcta pero los valores no: reshape cambia la forma sin mover los valores; "
              "el valor de [n, c, h, w] debe pasar a [n, h, w, c] (permute)",
              f"{what}: the shape is right but the values are not: reshape changes the shape without moving "
              "the values; the value at [n, c, h, w] must move to [n, h, w, c] (permute)")
    compare.tensor_close(got, x.permute(0, 2, 3, 1), what)


# -- add_batch_dim -----------------------------------------------------------

@pytest.mark.exercise("add_batch_dim")
@pytest.mark.parametrize("shape", [(3, 8, 8), (5,), (2, 3), (), (1, 4, 1)])
def test_add_batch_dim(student, shape):
    x = _data(shape)
    what = f"add_batch_dim(x{shape})"
    got = compare.require_tensor(student.add_batch_dim(x.clone()), what)
    check(tuple(got.shape) != (*shape, 1) or tuple(got.shape) == (1, *shape),
          f"{what}: forma {tuple(got.shape)}: la dimensión nueva quedó al final; debe ir al principio "
          f"(forma esperada {(1, *shape)})",
          f"{what}: shape {tuple(got.shape)}: the new dimension went to the end; it must go at the front "
          f"(expected shape {(1, *shape)})")
    compare.tensor_close(got, x.unsqueeze(0), what)


# -- from_numpy_shared -------------------------------------------------------

NUMPY_DTYPES = ["float32", "float64", "int64", "int32", "uint8"]


@pytest.mark.exercise("from_numpy_shared")
@pytest.mark.parametrize("dtype", NUMPY_DTYPES)
def test_from_numpy_shared(student, lab, dtype):
    arr = np.arange(12).reshape(3, 4).astype(dtype)
    what = f"from_numpy_shared(np.array de dtype {dtype})", f"from_numpy_shared(np.array of dtype {dtype})"
    # Memory sharing exists only in the student process: the array lives there, and
    # the judge writes through one object and reads through the other.
    arr_h = lab.put(arr)
    tensor_h = student.from_numpy_shared.keep(arr_h)
    # A torch.Tensor, checked in the student process (an array, or an array subclass with tensor-like
    # methods, shares memory with itself but is no tensor).
    check(tensor_h.is_a("torch.Tensor"),
          f"{what[0]} debe devolver un torch.Tensor que comparta la memoria del array (torch.from_numpy); "
          f"devolvió {tensor_h.type_name}",
          f"{what[1]} must return a torch.Tensor that shares the array's memory (torch.from_numpy); "
          f"it returned {tensor_h.type_name}")
    got = tensor_h.method("clone")
    compare.tensor_close(got, torch.from_numpy(arr.copy()), what)
    arr_h.method("__setitem__", (0, 0), 7)
    seen = tensor_h.method("__getitem__", (0, 0))
    check(compare.is_tensor(seen) and int(seen) == 7,
          f"{what[0]}: tras escribir en el array, el tensor no cambió: se copiaron los datos (¿torch.tensor?)",
          f"{what[1]}: after writing to the array the tensor did not change: the data was copied (torch.tensor?)")
    tensor_h.method("__setitem__", (2, 3), 5)
    seen = arr_h.method("__getitem__", (2, 3))
    check(type(seen) in (int, float) and int(seen) == 5,
          f"{what[0]}: tras escribir en el tensor, el array no cambió",
          f"{what[1]}: after writing to the tensor the array did not change")


# -- best_device -------------------------------------------------------------

@pytest.mark.exercise("best_device")
def test_best_device(student):
    if torch.cuda.is_available():
        expected = "cuda"
    elif torch.backends.mps.is_available():
        expected = "mps"
    else:
        expected = "cpu"
    got = student.best_device()
    check(isinstance(got, torch.device),
          f"best_device debe devolver un torch.device y devolvió {type(got).__name__} ({short(got)})",
          f"best_device must return a torch.device, got {type(got).__name__} ({short(got)})")
    check(got.type == expected, f"en esta máquina se esperaba {expected} y llegó {got}",
          f"on this machine {expected} was expected, got {got}")


# -- move_to -----------------------------------------------------------------

@pytest.mark.exercise("move_to")
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.float64, torch.bool])
@pytest.mark.parametrize("as_str", [True, False], ids=["str", "torch.device"])
def test_move_to(student, device, dtype, as_str):
    t = _data((3, 2), 5, dtype)
    target = str(device) if as_str else device
    what = f"move_to(tensor {dtype}, {target!r})"
    got = student.move_to(t, target)
    compare.device(compare.require_tensor(got, what), device, what)
    compare.tensor_close(got, t, what)


@pytest.mark.exercise("move_to")
def test_move_to_back_to_cpu(student, device):
    t = _data((4,), 9).to(device)
    got = student.move_to(t, "cpu")
    compare.device(compare.require_tensor(got, "move_to(t, 'cpu')"), "cpu", "move_to(t, 'cpu')")
    compare.tensor_close(got, _data((4,), 9), "move_to(t, 'cpu')")
