"""Values as bytes, both ways between the judge and the student process.

A message is one value, written as a one-byte tag and its payload:

====  ===================================================================
tag   value
====  ===================================================================
N     ``None``
T F   ``True``, ``False``
i     ``int``: length-prefixed ASCII decimal (at most ``max_int_digits``)
f     ``float``: IEEE 754 double, big-endian
s b   ``str`` (UTF-8) and ``bytes``: u32 length + bytes
l t   ``list`` and ``tuple``: u32 count + items
z     ``torch.Size``: u32 count + ints
d     ``dict``: u32 count + key, value pairs (keys: str, int, float, bool,
      None, or tuples of these)
D V   ``torch.dtype`` (by name, from a fixed list) and ``torch.device``
X     tensor: dtype, device, flags, shape (and strides, judge to student
      only), u64 length + the raw bytes of its values in row-major order
A     NumPy array: dtype string (numbers and bools only), shape, raw bytes
H     handle: an object that stays in the student process (u32 id, its
      type name, its kind)
R     a value that could not be sent (type name, reason)
n     a note about the value that follows (a subclass read as its base type)
====  ===================================================================

Nothing is pickled and nothing executes while decoding. The judge decodes with
:class:`Decoder` (``trusted=False``): every length, depth, count and number is
bounded, tensors are rebuilt from bytes as plain ``torch.Tensor`` on a device
the judge knows, and dict keys are plain hashable data. Whatever a submission
does to its own process, what arrives here is data, and a forged value can only
fail a comparison.

The student side encodes what a function returned with :class:`Encoder`: exact
built-in types go as they are; NumPy scalars as the Python number they hold;
subclasses of ``int``, ``float``, ``str``, ``list``, ``tuple``, ``dict``,
``torch.Tensor`` or ``numpy.ndarray`` as the base value they store, read
through the base type's own methods (so an overridden ``__eq__``, ``__float__``
or ``__torch_function__`` is never consulted), with a note saying so; anything
else becomes a handle.
"""

from __future__ import annotations

import collections
import re
import struct
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from torchdojo.wire import N_

# Why a value was not sent as data: catalog messages, formatted here, shown translated where they
# are read (the judge's feedback, with ``tr_said`` and :data:`REFUSALS`).
REFUSED_DEEP = N_("nested too deeply")
REFUSED_DTYPE = N_("unsupported dtype {dtype}")
REFUSED_NP_SCALAR = N_("a NumPy scalar that is not a number")
REFUSED_INT = N_("an int with more than {digits} digits")
REFUSED_ARRAY = N_("a NumPy array of dtype {dtype}")
REFUSED_UNREADABLE = N_("cannot read its values ({error})")
REFUSED_SUBCLASS = N_("a tensor subclass whose values cannot be read")
REFUSED_LAYOUT = N_("a {layout} tensor (return a dense tensor)")
REFUSED_NOT_ORDINARY = N_("a tensor without ordinary values (meta, quantized or nested)")
REFUSED_TENSOR_DTYPE = N_("a tensor of unsupported dtype {dtype}")
# A whole answer too big to send (the student process says so instead of answering).
REFUSED_TOO_LARGE = N_("message over {limit} bytes")
REFUSED_TOO_MANY = N_("too many values in one message")
REFUSALS = (REFUSED_DEEP, REFUSED_DTYPE, REFUSED_NP_SCALAR, REFUSED_INT, REFUSED_ARRAY, REFUSED_UNREADABLE,
            REFUSED_SUBCLASS, REFUSED_LAYOUT, REFUSED_NOT_ORDINARY, REFUSED_TENSOR_DTYPE, REFUSED_TOO_LARGE,
            REFUSED_TOO_MANY)

__all__ = ["WireError", "Limits", "Encoder", "Decoder", "Unsendable", "encode", "DTYPES"]


class WireError(ValueError):
    """Bytes that are not a valid message, or a value over a limit."""


@dataclass(frozen=True)
class Limits:
    """Bounds on one message (both directions)."""

    max_depth: int = 40
    max_items: int = 1_000_000
    max_str: int = 1 << 20
    max_bytes: int = 256 << 20
    max_int_digits: int = 300
    max_ndim: int = 12


DEFAULT_LIMITS = Limits()

#: The dtypes that cross the wire, by name.
DTYPES: dict[str, torch.dtype] = {
    name: getattr(torch, name)
    for name in ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
                 "float64", "complex64", "complex128", "uint16", "uint32", "uint64")
    if isinstance(getattr(torch, name, None), torch.dtype)
}
_DTYPE_NAMES = {v: k for k, v in DTYPES.items()}
_DEVICE = re.compile(r"^(cpu|cuda|mps|xpu)(:\d{1,3})?$")
_NUMPY_KINDS = set("biufc")
_KEY_TYPES = (str, int, float, bool, type(None))

_u32 = struct.Struct(">I")
_u64 = struct.Struct(">Q")
_i64 = struct.Struct(">q")
_f64 = struct.Struct(">d")

# Bound before any submission is imported (the encoder runs in the student
# process): the base types' own methods, never the instance's.
_Tensor = torch.Tensor
_TensorBase = torch._C.TensorBase
_detach = _TensorBase.detach
_to = _TensorBase.to
_contiguous = _TensorBase.contiguous
_reshape = _TensorBase.reshape
_view = _TensorBase.view
_resolve_conj = _TensorBase.resolve_conj
_resolve_neg = _TensorBase.resolve_neg
_numpy = _TensorBase.numpy
_requires_grad = _TensorBase.requires_grad.__get__
_device_of = _TensorBase.device.__get__
_dtype_of = _TensorBase.dtype.__get__
_shape_of = _TensorBase.shape.__get__
_layout_of = _TensorBase.layout.__get__
_is_meta = _TensorBase.is_meta.__get__
_NoSubclassFunction = getattr(torch._C, "DisableTorchFunctionSubclass", torch._C.DisableTorchFunction)
_PLAIN_TENSOR_TYPES: tuple[type, ...] = tuple(
    t for t in (torch.Tensor, torch.nn.Parameter, getattr(torch.nn, "Buffer", None)) if isinstance(t, type))
_ndarray = np.ndarray
_np_view = np.ndarray.view
_np_generic = np.generic
_np_item = np.generic.item
_int_base = int.__int__
_float_base = float.__float__
_str_base = str.__str__
_dict_items = dict.items
_list_iter = list.__iter__
_tuple_iter = tuple.__iter__
_QUIET_DICTS = (collections.OrderedDict, collections.defaultdict)
_cpu = torch.device("cpu")


class Unsendable:
    """What the judge receives for a value the student process could not send as data."""

    __slots__ = ("type_name", "reason")

    def __init__(self, type_name: str, reason: str):
        self.type_name = type_name
        self.reason = reason

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.reason}>"


def _type_name(value: Any) -> str:
    t = type(value)
    module = getattr(t, "__module__", "") or ""
    name = getattr(t, "__qualname__", "") or getattr(t, "__name__", "?")
    text = name if module in ("builtins", "__main__", "") else f"{module}.{name}"
    return str(text)[:120]


class _Writer:
    def __init__(self, limit: int):
        self.parts: list[bytes] = []
        self.size = 0
        self.limit = limit

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise WireError(REFUSED_TOO_LARGE.format(limit=self.limit))
        self.parts.append(data)

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


class Encoder:
    """Writes one value as bytes.

    ``other(value)`` is called for values that are not data; it returns
    ``("H", id, type_name, kind)`` for a handle or ``("R", type_name, reason)``
    (or raises ``TypeError``). ``strides``: send tensors with their strides
    (the judge does, so a non-contiguous input stays non-contiguous).
    """

    def __init__(self, other: Callable[[Any], tuple], *, limits: Limits = DEFAULT_LIMITS, strides: bool = False):
        self.other = other
        self.limits = limits
        self.strides = strides

    def encode(self, value: Any) -> bytes:
        w = _Writer(self.limits.max_bytes)
        self._items = 0
        self._value(w, value, 0)
        return w.getvalue()

    # -- the value dispatch ---------------------------------------------------
    def _value(self, w: _Writer, v: Any, depth: int) -> None:
        if depth >= self.limits.max_depth:  # refused at the deepest level the decoder accepts
            self._refuse(w, v, REFUSED_DEEP)
            return
        self._items += 1
        if self._items > self.limits.max_items:
            raise WireError(REFUSED_TOO_MANY)
        t = type(v)
        if v is None:
            w.add(b"N")
        elif t is bool:
            w.add(b"T" if v else b"F")
        elif t is int:
            self._int(w, v)
        elif t is float:
            w.add(b"f" + _f64.pack(v))
        elif t is str:
            self._str(w, b"s", v)
        elif t is bytes:
            self._bytes(w, b"b", v)
        elif t is list:
            self._seq(w, b"l", v, depth)
        elif t is tuple:
            self._seq(w, b"t", v, depth)
        elif t is dict:
            self._dict(w, v, depth)
        elif t is torch.Size:
            self._seq(w, b"z", [int(s) for s in v], depth)
        elif t is torch.dtype:
            name = _DTYPE_NAMES.get(v)
            if name is None:
                self._refuse(w, v, REFUSED_DTYPE.format(dtype=v))
            else:
                self._str(w, b"D", name)
        elif t is torch.device:
            self._str(w, b"V", str(v))
        elif t in _PLAIN_TENSOR_TYPES:
            self._tensor(w, v)
        elif t is _ndarray:
            self._array(w, v)
        else:
            self._subclass_or_other(w, v, depth)

    def _subclass_or_other(self, w: _Writer, v: Any, depth: int) -> None:
        name = _type_name(v)
        if isinstance(v, _np_generic):  # NumPy scalars count as the Python numbers they hold
            try:
                base = _np_item(v)
            except Exception:  # noqa: BLE001 - a scalar NumPy cannot convert
                base = None
            if type(base) in (bool, int, float, str):
                if type(v).__module__ != "numpy":
                    self._note(w, name, type(base).__name__)
                self._value(w, base, depth)
                return
            self._refuse(w, v, REFUSED_NP_SCALAR)
            return
        for base_type, reader in ((int, _int_base), (float, _float_base), (str, _str_base)):
            if isinstance(v, base_type):
                self._note(w, name, base_type.__name__)
                self._value(w, reader(v), depth)
                return
        if isinstance(v, bytes):
            self._note(w, name, "bytes")
            self._value(w, bytes(memoryview(v)), depth)
        elif isinstance(v, dict):
            if type(v) not in _QUIET_DICTS:
                self._note(w, name, "dict")
            self._dict(w, v, depth)
        elif isinstance(v, list):
            self._note(w, name, "list")
            self._seq(w, b"l", list(_list_iter(v)), depth)
        elif isinstance(v, tuple):
            self._note(w, name, "tuple")
            self._seq(w, b"t", tuple(_tuple_iter(v)), depth)
        elif isinstance(v, _Tensor):
            self._note(w, name, "torch.Tensor")
            self._tensor(w, v)
        elif isinstance(v, _ndarray):
            self._note(w, name, "numpy.ndarray")
            self._array(w, _np_view(v, _ndarray))
        else:
            out = self.other(v)
            if out[0] == "H":
                _, ident, type_name, kind = out
                w.add(b"H" + _u32.pack(int(ident)))
                self._str(w, b"", str(type_name)[:120])
                self._str(w, b"", str(kind)[:20])
            else:
                self._refuse(w, v, str(out[2]), type_name=str(out[1]))

    # -- pieces ---------------------------------------------------------------
    def _note(self, w: _Writer, type_name: str, base: str) -> None:
        """A note that the next value is a ``type_name``, a subclass of ``base``, read as its base value."""
        self._str(w, b"n", f"{type_name[:200]} < {base[:60]}")

    def _refuse(self, w: _Writer, v: Any, reason: str, type_name: str | None = None) -> None:
        self._str(w, b"R", type_name or _type_name(v))
        self._str(w, b"", reason[:300])

    def _int(self, w: _Writer, v: int) -> None:
        if v.bit_length() > self.limits.max_int_digits * 3:
            self._refuse(w, v, REFUSED_INT.format(digits=self.limits.max_int_digits))
            return
        text = str(v).encode("ascii")
        if len(text) > self.limits.max_int_digits + 1:
            self._refuse(w, v, REFUSED_INT.format(digits=self.limits.max_int_digits))
            return
        w.add(b"i" + _u32.pack(len(text)) + text)

    def _str(self, w: _Writer, tag: bytes, v: str) -> None:
        data = v.encode("utf-8", "backslashreplace")
        if len(data) > self.limits.max_str:
            data = data[: self.limits.max_str]
            data = data.decode("utf-8", "ignore").encode("utf-8")
        w.add(tag + _u32.pack(len(data)) + data)

    def _bytes(self, w: _Writer, tag: bytes, v: bytes) -> None:
        w.add(tag + _u32.pack(len(v)) + v)

    def _seq(self, w: _Writer, tag: bytes, items: Any, depth: int) -> None:
        items = list(items)
        w.add(tag + _u32.pack(len(items)))
        for item in items:
            self._value(w, item, depth + 1)

    def _dict(self, w: _Writer, v: dict, depth: int) -> None:
        pairs = list(_dict_items(v))
        w.add(b"d" + _u32.pack(len(pairs)))
        for key, value in pairs:
            self._value(w, key, depth + 1)
            self._value(w, value, depth + 1)

    def _tensor(self, w: _Writer, v: Any) -> None:
        try:
            parts = _tensor_parts(v, self.strides)
        except _Refused as exc:
            self._refuse(w, v, str(exc))
            return
        name, device, flags, shape, strides, raw = parts
        w.add(b"X")
        self._str(w, b"", name)
        self._str(w, b"", device)
        w.add(bytes([flags, len(shape)]))
        w.add(b"".join(_u64.pack(s) for s in shape))
        if strides is not None:
            w.add(b"".join(_i64.pack(s) for s in strides))
        w.add(_u64.pack(len(raw)))
        w.add(raw)

    def _array(self, w: _Writer, v: np.ndarray) -> None:
        if v.dtype.kind not in _NUMPY_KINDS or v.dtype.hasobject or v.ndim > self.limits.max_ndim:
            self._refuse(w, v, REFUSED_ARRAY.format(dtype=v.dtype))
            return
        data = np.ascontiguousarray(v).tobytes()
        w.add(b"A")
        self._str(w, b"", v.dtype.str)
        w.add(bytes([v.ndim]) + b"".join(_u64.pack(int(s)) for s in v.shape))
        w.add(_u64.pack(len(data)))
        w.add(data)


class _Refused(Exception):
    pass


def _tensor_parts(v: Any, with_strides: bool) -> tuple:
    """dtype name, device, flags, shape, strides or None, raw bytes of a tensor (read without its overrides)."""
    requires_grad = bool(_requires_grad(v))
    with _NoSubclassFunction():
        try:
            t = _detach(v)
        except Exception as exc:  # noqa: BLE001 - a tensor subclass without real storage
            raise _Refused(REFUSED_UNREADABLE.format(error=type(exc).__name__)) from None
        if type(t) is not _Tensor:
            raise _Refused(REFUSED_SUBCLASS)
        if _layout_of(t) != torch.strided:
            raise _Refused(REFUSED_LAYOUT.format(layout=_layout_of(t)))
        if _is_meta(t) or t.is_quantized or getattr(t, "is_nested", False):
            raise _Refused(REFUSED_NOT_ORDINARY)
        dtype = _dtype_of(t)
        name = _DTYPE_NAMES.get(dtype)
        if name is None:
            raise _Refused(REFUSED_TENSOR_DTYPE.format(dtype=dtype))
        device = str(_device_of(t))
        shape = tuple(int(s) for s in _shape_of(t))
        strides = None
        if with_strides and t.dim() > 0 and t.numel() > 1:
            st = tuple(int(s) for s in t.stride())
            overlapping = any(s == 0 and n > 1 for s, n in zip(st, shape))
            if not t.is_contiguous() and not overlapping and min(st) > 0:
                strides = st
        c = _contiguous(_resolve_neg(_resolve_conj(_to(t, _cpu))))
        flat = _reshape(c, (-1,))
        raw = _numpy(_view(flat, torch.uint8)).tobytes() if flat.numel() else b""
    flags = (1 if requires_grad else 0) | (2 if strides is not None else 0)
    return name, device, flags, shape, strides, raw


def encode(value: Any, other: Callable[[Any], tuple] | None = None, **kw: Any) -> bytes:
    """Encode ``value``; non-data values raise ``TypeError`` unless ``other`` handles them."""

    def refuse(v: Any) -> tuple:
        raise TypeError(f"cannot send a {_type_name(v)} across the wire")

    return Encoder(other or refuse, **kw).encode(value)


class Decoder:
    """Reads one message.

    ``handle(id, type_name, kind)`` builds what a handle becomes on this side.
    ``device_ok(name)`` says whether tensors may be rebuilt on a device.
    ``notes`` collects the notes found (subclasses read as their base type).
    """

    def __init__(self, data: bytes | memoryview, *, handle: Callable[[int, str, str], Any],
                 device_ok: Callable[[str], bool] = lambda d: d == "cpu", limits: Limits = DEFAULT_LIMITS):
        self.data = memoryview(data)
        self.pos = 0
        self.handle = handle
        self.device_ok = device_ok
        self.limits = limits
        self.items = 0
        self.notes: list[str] = []

    def decode(self) -> Any:
        if len(self.data) > self.limits.max_bytes:
            raise WireError("message too large")
        value = self._value(0)
        if self.pos != len(self.data):
            raise WireError("trailing bytes after the message")
        return value

    # -- primitives -----------------------------------------------------------
    def _take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise WireError("truncated message")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def _u32(self) -> int:
        return _u32.unpack(self._take(4))[0]

    def _u64(self) -> int:
        return _u64.unpack(self._take(8))[0]

    def _text(self, limit: int | None = None) -> str:
        n = self._u32()
        if n > (limit or self.limits.max_str):
            raise WireError("string too long")
        try:
            return bytes(self._take(n)).decode("utf-8")
        except UnicodeDecodeError:
            raise WireError("invalid UTF-8 in a string") from None

    def _count(self) -> int:
        n = self._u32()
        if n > self.limits.max_items - self.items or n > len(self.data) - self.pos:
            raise WireError("too many values in one message")
        return n

    # -- values ---------------------------------------------------------------
    def _value(self, depth: int) -> Any:
        if depth > self.limits.max_depth:
            raise WireError("message nested too deeply")
        self.items += 1
        if self.items > self.limits.max_items:
            raise WireError("too many values in one message")
        tag = bytes(self._take(1))
        if tag == b"N":
            return None
        if tag == b"T":
            return True
        if tag == b"F":
            return False
        if tag == b"i":
            n = self._u32()
            if n > self.limits.max_int_digits + 1:
                raise WireError("int too long")
            text = bytes(self._take(n))
            if not re.fullmatch(rb"-?[0-9]+", text):
                raise WireError("malformed int")
            return int(text)
        if tag == b"f":
            return _f64.unpack(self._take(8))[0]
        if tag == b"s":
            return self._text()
        if tag == b"b":
            n = self._u32()
            if n > self.limits.max_bytes:
                raise WireError("bytes too long")
            return bytes(self._take(n))
        if tag in (b"l", b"t", b"z"):
            n = self._count()
            items = [self._value(depth + 1) for _ in range(n)]
            if tag == b"l":
                return items
            if tag == b"t":
                return tuple(items)
            if not all(type(i) is int and i >= 0 for i in items):
                raise WireError("a torch.Size holds non-negative ints only")
            return torch.Size(items)
        if tag == b"d":
            n = self._count()
            out: dict = {}
            for _ in range(n):
                key = self._value(depth + 1)
                if not _plain_key(key):
                    raise WireError("a dict key that is not plain data")
                out[key] = self._value(depth + 1)
            return out
        if tag == b"D":
            name = self._text(64)
            if name not in DTYPES:
                raise WireError(f"unknown dtype {name[:40]!r}")
            return DTYPES[name]
        if tag == b"V":
            name = self._text(64)
            if not _DEVICE.match(name):
                raise WireError(f"unknown device {name[:40]!r}")
            return torch.device(name)
        if tag == b"X":
            return self._tensor()
        if tag == b"A":
            return self._array()
        if tag == b"H":
            ident = self._u32()
            type_name = self._text(200)
            kind = self._text(40)
            return self.handle(ident, type_name, kind)
        if tag == b"R":
            type_name = self._text(200)
            reason = self._text(400)
            return Unsendable(type_name, reason)
        if tag == b"n":
            self.notes.append(self._text(400))
            return self._value(depth)
        raise WireError(f"unknown tag {tag!r}")

    def _shape(self) -> tuple[int, ...]:
        ndim = self._take(1)[0]
        if ndim > self.limits.max_ndim:
            raise WireError("too many dimensions")
        return tuple(self._u64() for _ in range(ndim))

    def _tensor(self) -> torch.Tensor:
        name = self._text(64)
        device = self._text(64)
        if name not in DTYPES:
            raise WireError(f"unknown dtype {name[:40]!r}")
        if not _DEVICE.match(device) or not self.device_ok(device):
            raise WireError(f"a tensor on a device this side does not have: {device[:40]!r}")
        flags = self._take(1)[0]
        if flags & ~3:
            raise WireError("unknown tensor flags")
        shape = self._shape()
        strides = tuple(_i64.unpack(self._take(8))[0] for _ in shape) if flags & 2 else None
        dtype = DTYPES[name]
        numel = 1
        for s in shape:
            numel *= s
        size = numel * torch.empty((), dtype=dtype).element_size()
        n = self._u64()
        if n != size or size > self.limits.max_bytes:
            raise WireError("tensor bytes do not match its shape and dtype")
        raw = self._take(n)
        if numel == 0:
            t = torch.empty(shape, dtype=dtype)
        else:
            t = torch.frombuffer(bytearray(raw), dtype=torch.uint8)
            if dtype == torch.bool:
                t = t != 0
            else:
                t = t.view(dtype)
            t = t.reshape(shape)
        if strides is not None:
            if any(s <= 0 for s in strides):
                raise WireError("invalid strides")
            strided = torch.empty_strided(shape, strides, dtype=dtype)
            strided.copy_(t)
            t = strided
        if device != "cpu":
            t = t.to(device)
        if flags & 1 and (t.is_floating_point() or t.is_complex()):
            t.requires_grad_(True)
        return t

    def _array(self) -> np.ndarray:
        spec = self._text(16)
        try:
            dtype = np.dtype(spec)
        except TypeError:
            raise WireError(f"unknown NumPy dtype {spec!r}") from None
        if dtype.kind not in _NUMPY_KINDS or dtype.hasobject or dtype.fields is not None:
            raise WireError(f"unsupported NumPy dtype {spec!r}")
        shape = self._shape()
        numel = 1
        for s in shape:
            numel *= s
        n = self._u64()
        if n != numel * dtype.itemsize or n > self.limits.max_bytes:
            raise WireError("array bytes do not match its shape and dtype")
        return np.frombuffer(bytes(self._take(n)), dtype=dtype).reshape(shape).copy()


def _plain_key(key: Any) -> bool:
    if type(key) in _KEY_TYPES:
        return True
    if type(key) is tuple:
        return all(_plain_key(k) for k in key)
    return type(key) in (torch.dtype, torch.device)
