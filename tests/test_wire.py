"""The wire between the student process and the judge (torchdojo.wire): data only, bounded."""

from __future__ import annotations

import collections
import struct

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchdojo.wire.codec import Decoder, Encoder, Limits, Unsendable, WireError, encode
from torchdojo.wire.job import ExerciseSpec, JobSpec, ResourceLimits


class _Handle:
    def __init__(self, ident, type_name, kind):
        self.ident, self.type_name, self.kind = ident, type_name, kind


DEFAULT_LIMITS = Limits()


def roundtrip(value, *, other=None, strides=False, limits=DEFAULT_LIMITS):
    data = Encoder(other or (lambda v: ("H", 7, type(v).__name__, "object")), strides=strides,
                   limits=limits).encode(value)
    dec = Decoder(data, handle=_Handle, limits=limits)
    return dec.decode(), dec.notes


PLAIN = [None, True, False, 0, -5, 2 ** 80, 1.5, float("inf"), "ñandú", b"\x00\xff", [1, [2, (3,)]], (),
         {"a": 1, 2: "b", (1, "x"): None}, torch.Size([2, 3]), torch.float16, torch.device("cpu")]


@pytest.mark.parametrize("value", PLAIN, ids=repr)
def test_plain_values_round_trip_as_exact_types(value):
    got, notes = roundtrip(value)
    assert got == value and type(got) is type(value) and notes == []


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64,
                                   torch.int8, torch.uint8, torch.bool, torch.complex64])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 4), (2, 3, 4)])
def test_tensors_round_trip_as_plain_tensors(dtype, shape):
    t = (torch.arange(int(np.prod(shape)) if shape else 1) % 5).reshape(shape).to(dtype)
    got, notes = roundtrip(t)
    assert type(got) is torch.Tensor and got.dtype == dtype and tuple(got.shape) == shape
    assert torch.equal(got, t) and notes == []


def test_parameters_arrive_as_plain_tensors_that_require_grad():
    p = torch.nn.Parameter(torch.ones(2, 2))
    got, notes = roundtrip(p)
    assert type(got) is torch.Tensor and got.requires_grad and notes == []
    assert not roundtrip(torch.ones(2) * 2)[0].requires_grad


def test_judge_inputs_keep_their_strides_student_answers_do_not():
    x = torch.arange(24.0).reshape(2, 3, 4).permute(0, 2, 1)
    sent, _ = roundtrip(x, strides=True)
    assert not sent.is_contiguous() and sent.stride() == x.stride() and torch.equal(sent, x)
    answer, _ = roundtrip(x)
    assert answer.is_contiguous() and torch.equal(answer, x)


def test_numpy_arrays_and_scalars():
    arr = np.arange(6, dtype=np.int32).reshape(2, 3)
    got, _ = roundtrip(arr)
    assert type(got) is np.ndarray and got.dtype == np.int32 and np.array_equal(got, arr)
    assert got.flags.writeable
    for scalar, plain in ((np.float64(2.5), float), (np.float32(1.5), float), (np.int64(3), int),
                          (np.bool_(True), bool)):
        value, notes = roundtrip(scalar)
        assert type(value) is plain and value == scalar and notes == []  # NumPy numbers are Python numbers
    assert isinstance(roundtrip(np.array(["a"], dtype=object))[0], Unsendable)


def test_ordered_and_default_dicts_are_dicts_without_a_note():
    for d in (collections.OrderedDict(a=1), collections.defaultdict(int, a=1)):
        got, notes = roundtrip(d)
        assert type(got) is dict and got == {"a": 1} and notes == []


class LiarFloat(float):
    def __eq__(self, other):
        return True

    def __float__(self):
        return 99.0

    __hash__ = float.__hash__


class LiarDict(dict):
    def __getitem__(self, key):
        return 1

    def items(self):
        return [("forged", 1)]


class LiarTensor(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in ("detach", "cpu", "clone", "contiguous", "numpy", "tolist"):
            return torch.full((2,), 42.0)
        return super().__torch_function__(func, types, args, kwargs or {})


def test_subclasses_arrive_as_the_value_they_store_with_a_note():
    value, notes = roundtrip(LiarFloat(0.25))
    assert type(value) is float and value == 0.25 and notes == ["test_wire.LiarFloat < float"]
    value, notes = roundtrip(LiarDict(real=0))
    assert value == {"real": 0} and "LiarDict" in notes[0]
    value, notes = roundtrip(torch.zeros(2).as_subclass(LiarTensor))
    assert type(value) is torch.Tensor and torch.equal(value, torch.zeros(2)) and "LiarTensor" in notes[0]


def test_objects_that_are_not_data_become_handles_or_are_refused():
    class Model:
        pass

    got, _ = roundtrip([1, Model()])
    assert got[0] == 1 and isinstance(got[1], _Handle) and got[1].ident == 7 and got[1].type_name == "Model"
    got, _ = roundtrip(Model(), other=lambda v: ("R", "Model", "no"))
    assert isinstance(got, Unsendable) and got.reason == "no"
    with pytest.raises(TypeError):
        encode(Model())


def test_too_deep_or_too_big_values_are_refused_not_sent():
    deep: list = []
    for _ in range(100):
        deep = [deep]
    got, _ = roundtrip(deep)
    while isinstance(got, list):
        got = got[0]
    assert isinstance(got, Unsendable) and "nested too deeply" in got.reason
    assert isinstance(roundtrip(10 ** 400)[0], Unsendable)
    with pytest.raises(WireError):
        roundtrip(b"x" * 2000, limits=Limits(max_bytes=1000))


def _dec(data: bytes, **kw):
    return Decoder(data, handle=_Handle, **kw).decode()


@pytest.mark.parametrize("data", [
    b"", b"Z", b"i" + struct.pack(">I", 5) + b"12a45", b"i" + struct.pack(">I", 400) + b"1" * 400,
    b"s" + struct.pack(">I", 10) + b"abc", b"N" + b"N", b"l" + struct.pack(">I", 2 ** 31),
    b"D" + struct.pack(">I", 6) + b"object", b"V" + struct.pack(">I", 4) + b"http",
    b"s" + struct.pack(">I", 2) + b"\xff\xfe",
    b"d" + struct.pack(">I", 1) + b"l" + struct.pack(">I", 0) + b"N",  # an unhashable key
])
def test_malformed_messages_are_wire_errors(data):
    with pytest.raises(WireError):
        _dec(data)


def test_a_tensor_whose_bytes_do_not_match_its_shape_is_refused():
    good = encode(torch.ones(2, 2))
    bad = good[:-4]  # four bytes missing
    with pytest.raises(WireError):
        _dec(bad)
    liar = encode(torch.ones(2, 2)).replace(struct.pack(">Q", 2), struct.pack(">Q", 2 ** 40), 1)
    with pytest.raises(WireError):
        _dec(liar)


def test_tensors_on_devices_the_judge_lacks_are_refused():
    asked = []
    with pytest.raises(WireError):
        _dec(encode(torch.ones(2)), device_ok=lambda d: asked.append(d) or False)
    assert asked == ["cpu"]


def test_nesting_bombs_stop_at_the_depth_limit_fast():
    data = b"l" + struct.pack(">I", 1)
    data = data * 10_000 + b"N"
    with pytest.raises(WireError):
        _dec(data)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=200))
def test_random_bytes_decode_or_fail_cleanly(data):
    try:
        _dec(data)
    except WireError:
        pass


def test_jobs_round_trip_through_json_and_refuse_unknown_options():
    job = JobSpec.build(topic="tensors", module="tensors", submission="/x/tensors.py", grader="/g/test_tensors.py",
                        exercises=[ExerciseSpec("summarize", 5.0)], memory_mb=512, secret="s", devices=["cpu"])
    back = JobSpec.from_json(job.to_json())
    assert back == job and back.limits == ResourceLimits(memory_mb=512) and back.submission_name == "tensors.py"
    with pytest.raises(TypeError):
        JobSpec.build(topic="t", module="m", submission="s", grader="g", exercises=[], colour="red")
