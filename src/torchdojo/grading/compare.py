"""Comparisons for graders, bound before any student code is imported.

Student code runs in the grader's process and may monkeypatch ``torch.allclose``,
``Tensor.__eq__``, ``Tensor.tolist`` or numpy's testing helpers. Every function
that a comparison here relies on is captured when this module is first imported
(in the warm parent, before any submission is loaded), and results are compared
as plain data copied to the CPU. The integrity check
(:mod:`torchdojo.grading.integrity`) also notices replaced attributes.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import torch

from torchdojo.grading.feedback import Feedback, short

# Pinned before student code runs (see module docstring).
_Tensor = torch.Tensor
_TensorBase = torch._C.TensorBase
_detach = _TensorBase.detach
_to = _TensorBase.to
_contiguous = _TensorBase.contiguous
_clone = _TensorBase.clone
_abs = torch.abs
_isclose = torch.isclose
_isnan = torch.isnan
_equal = torch.equal
_any = torch.any
_all = torch.all
_nonzero = torch.nonzero
_max = torch.max
_where = torch.where
_zeros_like = torch.zeros_like
_isinstance = isinstance
_float = float
_int = int
_len = len
_tuple = tuple
_type = type
_cpu = torch.device("cpu")
_isfinite = math.isfinite


def _what(what: tuple[str, str] | str) -> tuple[str, str]:
    return (what, what) if _isinstance(what, str) else what


def is_tensor(x: Any) -> bool:
    return _isinstance(x, _Tensor)


def to_cpu(t: torch.Tensor) -> torch.Tensor:
    """A detached CPU copy (the student's tensor is never compared in place)."""
    return _clone(_to(_detach(t), _cpu))


def require_tensor(got: Any, what: tuple[str, str] | str) -> torch.Tensor:
    es, en = _what(what)
    if not is_tensor(got):
        raise Feedback(
            f"{es}: se esperaba un torch.Tensor y llegó {_type(got).__name__} ({short(got)})",
            f"{en}: expected a torch.Tensor, got {_type(got).__name__} ({short(got)})",
        )
    return got


def shape(got: torch.Tensor, expected: tuple[int, ...], what: tuple[str, str] | str) -> None:
    es, en = _what(what)
    got_shape = _tuple(_int(s) for s in got.shape)
    expected = _tuple(expected)
    if got_shape != expected:
        raise Feedback(
            f"{es}: forma esperada {expected}, llegó {got_shape}",
            f"{en}: expected shape {expected}, got {got_shape}",
        )


def dtype(got: torch.Tensor, expected: torch.dtype, what: tuple[str, str] | str) -> None:
    es, en = _what(what)
    if got.dtype != expected:
        raise Feedback(
            f"{es}: dtype esperado {expected}, llegó {got.dtype}",
            f"{en}: expected dtype {expected}, got {got.dtype}",
        )


def same_device(got: torch.device | str, expected: torch.device | str) -> bool:
    """Device types must match; the index only where the expected one names it."""
    got, expected = torch.device(got), torch.device(expected)
    if got.type != expected.type:
        return False
    return expected.index is None or got.index == expected.index or (
        got.index is None and expected.index == 0)


def device(got: torch.Tensor, expected: torch.device | str, what: tuple[str, str] | str) -> None:
    es, en = _what(what)
    if not same_device(got.device, expected):
        raise Feedback(
            f"{es}: dispositivo esperado {expected}, llegó {got.device}",
            f"{en}: expected device {expected}, got {got.device}",
        )


def tensor_close(
    got: Any,
    expected: torch.Tensor,
    what: tuple[str, str] | str,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    check_dtype: bool = True,
    check_device: bool = False,
) -> None:
    """Fail unless ``got`` is a tensor of ``expected``'s shape (and dtype) and values."""
    es, en = _what(what)
    got = require_tensor(got, what)
    shape(got, _tuple(expected.shape), what)
    if check_dtype:
        dtype(got, expected.dtype, what)
    if check_device:
        device(got, expected.device, what)
    g = to_cpu(got)
    e = to_cpu(expected)
    if g.dtype != e.dtype:
        g = _to(g, torch.float64)
        e = _to(e, torch.float64)
    if g.numel() == 0:
        return
    if g.is_floating_point() or g.is_complex():
        ok = _isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    else:
        ok = g == e  # plain tensors of our own making
    if _all(ok).item():
        return
    bad = _nonzero(~ok)[0]
    idx = _tuple(_int(i) for i in bad)
    got_v = g[idx].item()
    exp_v = e[idx].item()
    n_bad = _int((~ok).sum().item())
    raise Feedback(
        f"{es}: {n_bad} de {g.numel()} valores difieren; en el índice {idx} se esperaba {exp_v!r} y llegó {got_v!r}",
        f"{en}: {n_bad} of {g.numel()} values differ; at index {idx} expected {exp_v!r}, got {got_v!r}",
    )


def number(got: Any, what: tuple[str, str] | str, *, integer: bool = False) -> float:
    """Fail unless ``got`` is a Python number (``int`` where ``integer``); return it."""
    es, en = _what(what)
    if integer:
        ok = _isinstance(got, numbers.Integral) and not _isinstance(got, bool)
        kind_es, kind_en = "un int de Python", "a Python int"
    else:
        ok = _isinstance(got, numbers.Real) and not _isinstance(got, bool) and not is_tensor(got)
        kind_es, kind_en = "un float de Python", "a Python float"
    if not ok:
        raise Feedback(
            f"{es}: se esperaba {kind_es} y llegó {_type(got).__name__} ({short(got)})",
            f"{en}: expected {kind_en}, got {_type(got).__name__} ({short(got)})",
        )
    return _int(got) if integer else _float(got)


def close(got: Any, expected: float, what: tuple[str, str] | str, *, rtol: float = 1e-4, atol: float = 1e-6) -> None:
    """Fail unless ``got`` is a Python number close to ``expected``."""
    es, en = _what(what)
    value = number(got, what)
    if not (value == expected or abs(value - expected) <= atol + rtol * abs(expected)):
        raise Feedback(
            f"{es}: se esperaba {expected!r} y llegó {value!r}",
            f"{en}: expected {expected!r}, got {value!r}",
        )


def plain(value: Any) -> Any:
    """``value`` as plain Python data of exact built-in types, or a marker object.

    Student objects could override ``__eq__`` to claim equality with anything, so
    only exact built-in types (and numbers/sequences convertible to them) compare.
    """
    t = _type(value)
    if t in (int, float, str, bool, type(None), torch.dtype, torch.device):
        return value
    if t in (tuple, list, torch.Size):
        return _tuple(plain(v) for v in value)
    if _isinstance(value, numbers.Integral):
        return operator.index(value)
    if _isinstance(value, numbers.Real) and not is_tensor(value):
        return _float(value)
    return _Unequal(value)


class _Unequal:
    def __init__(self, value: Any):
        self.value = value

    def __eq__(self, other: Any) -> bool:
        return False

    def __repr__(self) -> str:
        return short(self.value)


def equal(got: Any, expected: Any, what: tuple[str, str] | str) -> None:
    """Fail unless ``got`` equals ``expected`` as plain Python data (ints, tuples, strings)."""
    es, en = _what(what)
    g = plain(got)
    ok = (_type(g) is bool) == (_type(expected) is bool) and g == plain(expected)
    if not ok:
        raise Feedback(
            f"{es}: se esperaba {short(expected)} y llegó {short(got)}",
            f"{en}: expected {short(expected)}, got {short(got)}",
        )
