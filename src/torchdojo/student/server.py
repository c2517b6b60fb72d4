"""The student process's side of the conversation: a small, fixed set of operations.

The judge sends one request at a time and waits for its reply. A request names
an operation and its arguments (data, or handles the judge got earlier); the
reply carries the result as data, or as a handle when it is not data (a model,
an optimiser, a DataLoader, a function). Objects never leave this process.

Operations (the whole vocabulary, the closed set :class:`torchdojo.wire.ops.StudentOp`
that the judge sends and this process accepts; ``docs/sandbox.md`` lists them too):

=================  ==============================================================
``ping``           whether the process answers
``get``            a top-level name of the submission's module
``call``           call a handle with arguments
``method``         call a method of a handle by name
``attr``           read an attribute of a handle
``put``            keep a value sent by the judge, as a handle (e.g. a NumPy
                   array whose memory a function must share)
``state_dict``     a module's ``state_dict()`` as tensors
``load_state_dict``load tensors into a module
``params``         a module's parameters: names, shapes, dtypes, devices,
                   ``requires_grad``, and optionally values and gradients
``set_params``     copy values (and gradients) into a module's parameters
``isinstance``     whether a handle is an instance of some torch classes
``iterate``        the items of an iterable (an epoch of a DataLoader)
``len``            the length of a handle
``recipe``         build something with a trusted recipe of the course
``lend``           put a spy (built by a recipe) in the module for this
                   process's life (an exercise that calls another's function);
                   nothing else can be lent, and no source is ever sent
``unlend``         put back the module's own names that spies stood in for
=================  ==============================================================

Everything student code raises is caught and described (type, its classes, a
message, the student's line); the reply is always data. This is trusted code
running in an untrusted process: whatever it answers, the judge treats as
untrusted data.
"""

from __future__ import annotations

import itertools
import socket
import time
import traceback
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer
from torch.utils.data import DataLoader

from torchdojo.shared import recipes
from torchdojo.student.loader import LoadedModule
from torchdojo.shared.recipes.common import Spy
from torchdojo.wire.codec import Decoder, Encoder, WireError
from torchdojo.wire.frames import recv_frame, send_frame
from torchdojo.wire.ops import STUDENT_OPS, StudentOp

MAX_REQUEST = 256 << 20

# Bound before any submission is imported.
_isinstance = isinstance
_type = type
_getattr = getattr
_Module = nn.Module
_no_grad = torch.no_grad
_module_state_dict = nn.Module.state_dict
_module_load_state_dict = nn.Module.load_state_dict
_module_named_parameters = nn.Module.named_parameters
_CLASSES = {
    "torch.Tensor": torch.Tensor,
    "nn.Module": nn.Module,
    "nn.Linear": nn.Linear,
    "nn.Conv2d": nn.Conv2d,
    "nn.Sequential": nn.Sequential,
    "nn.BatchNorm1d": nn.BatchNorm1d,
    "nn.BatchNorm2d": nn.BatchNorm2d,
    "nn.ReLU": nn.ReLU,
    "nn.Parameter": nn.Parameter,
    "Optimizer": Optimizer,
    "DataLoader": DataLoader,
    "torch.Generator": torch.Generator,
}


def kind_of(obj: Any) -> str:
    if _isinstance(obj, type):
        return "class"
    if _isinstance(obj, _Module):
        return "module"
    if _isinstance(obj, Optimizer):
        return "optimizer"
    if _isinstance(obj, DataLoader):
        return "loader"
    if callable(obj):
        return "function"
    return "object"


def _type_name(obj: Any) -> str:
    t = _type(obj)
    module = _getattr(t, "__module__", "") or ""
    name = _getattr(t, "__qualname__", None) or _getattr(t, "__name__", "?")
    return str(name if module in ("builtins", "__main__", "") else f"{module}.{name}")[:120]


class Server:
    """Answers the judge's requests on ``sock`` until it closes."""

    def __init__(self, sock: socket.socket, loaded: LoadedModule, submission: Path):
        self.sock = sock
        self.module = loaded.module
        self.labels = loaded.labels
        self.folder = submission.parent
        self.filename = submission.name
        self.table: dict[int, Any] = {}
        self.by_id: dict[int, int] = {}
        self.next_id = 1
        self.encoder = Encoder(self._keep)
        self.lent: dict[str, Any] = {}  # name -> what the module held before a spy stood in for it

    # -- handles ---------------------------------------------------------------
    def _keep(self, obj: Any) -> tuple:
        if _type(obj) is _Kept:
            obj = obj.value
        ident = self.by_id.get(id(obj))
        if ident is None or self.table.get(ident) is not obj:
            ident = self.next_id
            self.next_id += 1
            self.table[ident] = obj
            self.by_id[id(obj)] = ident
        return ("H", ident, _type_name(obj), kind_of(obj))

    def _resolve(self, ident: int, _type_name: str, _kind: str) -> Any:
        try:
            return self.table[ident]
        except KeyError:
            raise WireError(f"unknown handle {ident}") from None

    # -- the loop ----------------------------------------------------------------
    def serve(self) -> None:
        while True:
            frame = recv_frame(self.sock, MAX_REQUEST)
            if frame is None:
                return
            seq = -1
            try:
                request = Decoder(frame, handle=self._resolve, device_ok=lambda d: True).decode()
                seq = int(request.get("seq", -1))
                reply = self.answer(request)
            except WireError as exc:
                reply = {"error": f"bad request: {exc}"}
            reply["seq"] = seq
            try:
                data = self.encoder.encode(reply)
            except WireError as exc:
                data = self.encoder.encode({"seq": seq, "unsendable": str(exc)})
            send_frame(self.sock, data)

    def answer(self, request: dict) -> dict:
        for ident in request.get("release", ()):
            obj = self.table.pop(ident, None)
            if obj is not None:
                self.by_id.pop(id(obj), None)
        op = request.get("op")
        handler = _HANDLERS.get(op) if _isinstance(op, str) else None
        if handler is None:
            return {"error": f"unknown operation {op!r}"}
        start = time.perf_counter()
        try:
            result = handler(self, request)
        except _Missing as exc:
            return {"missing": exc.name}
        except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt... from student code
            return {"raised": self.describe(exc), "seconds": time.perf_counter() - start}
        if request.get("keep"):
            result = _Kept(result)
        return {"ok": result, "seconds": time.perf_counter() - start}

    # -- operations -------------------------------------------------------------
    def op_ping(self, req: dict) -> Any:
        return "pong"

    def op_get(self, req: dict) -> Any:
        name = str(req["name"])
        try:
            return self.module.__dict__[name]
        except KeyError:
            raise _Missing(name) from None

    def op_call(self, req: dict) -> Any:
        return req["target"](*req.get("args", ()), **req.get("kwargs", {}))

    def op_method(self, req: dict) -> Any:
        return _getattr(req["target"], str(req["name"]))(*req.get("args", ()), **req.get("kwargs", {}))

    def op_attr(self, req: dict) -> Any:
        return _getattr(req["target"], str(req["name"]))

    def op_put(self, req: dict) -> Any:
        return _Kept(req["value"])

    def op_state_dict(self, req: dict) -> Any:
        return dict(_module_state_dict(_module(req["target"])))

    def op_load_state_dict(self, req: dict) -> Any:
        _module_load_state_dict(_module(req["target"]), req["state"], strict=bool(req.get("strict", True)))
        return None

    def op_params(self, req: dict) -> Any:
        out = []
        for name, p in _module_named_parameters(_module(req["target"])):
            info = {"name": name, "shape": tuple(int(s) for s in p.shape), "dtype": p.dtype,
                    "device": str(p.device), "requires_grad": bool(p.requires_grad)}
            if req.get("values"):
                info["value"] = p.detach()
            if req.get("grads"):
                info["grad"] = None if p.grad is None else p.grad.detach()
            out.append(info)
        return out

    def op_set_params(self, req: dict) -> Any:
        params = [p for _, p in _module_named_parameters(_module(req["target"]))]
        values = req.get("values")
        grads = req.get("grads", "keep")
        with _no_grad():
            if values is not None:
                if len(values) != len(params):
                    raise ValueError(f"{len(values)} values for {len(params)} parameters")
                for p, v in zip(params, values):
                    p.copy_(v)
            if grads != "keep":
                if len(grads) != len(params):
                    raise ValueError(f"{len(grads)} gradients for {len(params)} parameters")
                for p, g in zip(params, grads):
                    p.grad = None if g is None else g.to(p.device).clone()
        return None

    def op_isinstance(self, req: dict) -> Any:
        obj = req["target"]
        return {name: _isinstance(obj, _CLASSES[name]) for name in req["names"] if name in _CLASSES}

    def op_iterate(self, req: dict) -> Any:
        return list(itertools.islice(iter(req["target"]), int(req.get("limit", 10_000))))

    def op_len(self, req: dict) -> Any:
        return len(req["target"])

    def op_recipe(self, req: dict) -> Any:
        return recipes.run(str(req["name"]), req.get("kwargs", {}))

    def op_lend(self, req: dict) -> Any:
        spy = req["target"]
        if not _isinstance(spy, Spy):
            raise WireError("only a spy can be lent")
        name = str(req["name"])
        if name not in self.lent:
            self.lent[name] = self.module.__dict__.get(name, _ABSENT)
        self.module.__dict__[name] = spy
        return None

    def op_unlend(self, req: dict) -> Any:
        for name, own in self.lent.items():
            if own is _ABSENT:
                self.module.__dict__.pop(name, None)
            else:
                self.module.__dict__[name] = own
        self.lent.clear()
        return None

    # -- describing what student code raised -----------------------------------
    def describe(self, exc: BaseException) -> dict:
        mro = []
        for cls in _getattr(_type(exc), "__mro__", ())[:12]:
            mro.append(f"{_getattr(cls, '__module__', '?')}.{_getattr(cls, '__qualname__', '?')}"[:120])
        try:
            message = str(exc)
        except BaseException:  # noqa: BLE001 - a __str__ that raises
            message = ""
        where = self._student_frame(exc)
        return {"type": _type_name(exc), "mro": mro, "message": message[:2000], **where}

    def _student_frame(self, exc: BaseException) -> dict:
        found: dict = {}
        try:
            frames = traceback.extract_tb(exc.__traceback__, limit=200)
        except BaseException:  # noqa: BLE001
            return found
        for fr in frames:
            filename = fr.filename
            label = self.labels.get(filename)
            path = Path(filename.split(" [", 1)[0])
            if label is not None or path.parent == self.folder:
                found = {"line": fr.lineno, "file": path.name,
                         "cell_es": label[0] if label else "", "cell_en": label[1] if label else ""}
        return found


_ABSENT = object()


#: The handler of each operation of the closed set, bound once; a handler outside the set is a bug of ours.
_HANDLERS = {op.value: getattr(Server, f"op_{op.value}") for op in StudentOp}
if {name[3:] for name in vars(Server) if name.startswith("op_")} != STUDENT_OPS:
    raise RuntimeError("student.server handlers differ from torchdojo.wire.ops.StudentOp")


class _Missing(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class _Kept:
    """A result the judge asked to keep as a handle, whatever it is."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value


def _module(obj: Any) -> nn.Module:
    if not _isinstance(obj, _Module):
        raise TypeError(f"{_type_name(obj)} is not an nn.Module")
    return obj
