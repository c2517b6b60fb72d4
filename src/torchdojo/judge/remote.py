"""What graders hold of the student process: a module proxy, opaque handles, a lab bench.

These are deliberately *not* transparent proxies (SANDBOX.md: no RPyC): a
:class:`Handle` has no ``__getattr__``, no ``__eq__`` of its own and a fixed
``repr``; what a grader can do with a student object is the short list of
methods below, each one operation of :mod:`torchdojo.student.server`, and every
answer comes back as plain data (or another handle).

* ``student.summarize(t)`` - :class:`StudentModule`: a top-level name of the
  submission, called with data; the result is data (a dict of floats, a plain
  tensor rebuilt in the judge) or a handle (``student.FCNet(4, [8], 3)``).
* ``model(x)``, ``model.state_dict()``, ``model.params()``,
  ``model.method("eval")`` - :class:`Handle`.
* ``lab.build("sequential", layers=..., seed=1)`` - :class:`Lab`: objects that
  graders hand to student code are built by trusted recipes in the student
  process and checked against the judge's own twin right after building.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn

from torchdojo.shared import recipes as recipe_book
from torchdojo.text.i18n import Rendered, tr_pair
from torchdojo.wire.ops import StudentOp



class StudentSession(Protocol):
    """What the objects here need of a student process's conversation (:class:`torchdojo.judge.session.StudentSession`).

    A protocol, so that this module never imports the session that imports it.
    """

    workdir: Path | None
    tainted: bool
    deadline: float | None

    def op(self, op: str, **fields: Any) -> Any: ...
    def ensure(self) -> None: ...
    def get_name(self, name: str) -> Any: ...
    def clean_session(self) -> StudentSession: ...


class StudentRaised(Exception):
    """Student code raised; its description arrived as data."""

    def __init__(self, info: dict[str, Any]):
        self.type_name = str(info.get("type", "Exception"))[:120]
        self.mro = [str(m) for m in info.get("mro", [])][:12] if isinstance(info.get("mro"), list) else []
        self.message = str(info.get("message", ""))[:2000]
        line = info.get("line")
        self.line = line if type(line) is int else None
        self.file = str(info.get("file", ""))[:200]
        self.cell = (str(info.get("cell_es", ""))[:200], str(info.get("cell_en", ""))[:200])
        super().__init__(f"{self.type_name}: {self.message}")

    def is_a(self, cls: type[BaseException] | str) -> bool:
        """Whether the raised exception is an instance of a built-in exception class."""
        name = cls if isinstance(cls, str) else cls.__name__
        return f"builtins.{name}" in self.mro

    @property
    def not_implemented(self) -> bool:
        return self.is_a(NotImplementedError)

    def where(self) -> Rendered:
        """Where in the student's file it was raised (``"at line 3 of tensors.py"``), or empty texts."""
        if self.line is None:
            return Rendered("", "")
        if self.cell[1]:
            return tr_pair("at line {line} of {file}, {cell}", line=self.line, file=self.file,
                           cell=Rendered(*self.cell))
        return tr_pair("at line {line} of {file}", line=self.line, file=self.file)


class MissingName(AttributeError):
    """The submission's module lacks a name the grader needs."""

    def __init__(self, module: str, name: str):
        super().__init__(name)
        self.module = module
        self.name = name


class Handle:
    """An object that stays in the student process (see the module docstring)."""

    __slots__ = ("_session", "_id", "_generation", "type_name", "kind", "__weakref__")

    def __init__(self, session: StudentSession, ident: int, generation: int, type_name: str, kind: str):
        self._session = session
        self._id = ident
        self._generation = generation
        self.type_name = type_name
        self.kind = kind

    def __repr__(self) -> str:
        return f"<student {self.kind} {self.type_name}>"

    def same(self, other: Any) -> bool:
        """Whether ``other`` is a handle of the very same student object."""
        return (isinstance(other, Handle) and other._session is self._session and other._id == self._id
                and other._generation == self._generation)

    # -- calling ----------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.op(StudentOp.CALL, target=self, args=list(args), kwargs=kwargs)

    def keep(self, *args: Any, **kwargs: Any) -> Handle:
        """Call, and keep the result in the student process as a handle (whatever it is)."""
        return self._session.op(StudentOp.CALL, target=self, args=list(args), kwargs=kwargs, keep=True)

    def method(self, name: str, *args: Any, keep: bool = False, **kwargs: Any) -> Any:
        return self._session.op(StudentOp.METHOD, target=self, name=name, args=list(args), kwargs=kwargs, keep=keep)

    def attr(self, name: str, *, keep: bool = False) -> Any:
        return self._session.op(StudentOp.ATTR, target=self, name=name, keep=keep)

    # -- modules ----------------------------------------------------------------
    def to(self, device: torch.device | str) -> Handle:
        return self.method("to", torch.device(device), keep=True)

    def train(self, mode: bool = True) -> Handle:
        return self.method("train", mode, keep=True)

    def eval(self) -> Handle:
        return self.method("eval", keep=True)

    @property
    def training(self) -> bool:
        value = self.attr("training")
        if type(value) is not bool:
            raise TypeError(f"model.training is {type(value).__name__}, not bool")
        return value

    def state_dict(self) -> dict[str, torch.Tensor]:
        return self._session.op(StudentOp.STATE_DICT, target=self)

    def load_state_dict(self, state: dict[str, torch.Tensor], strict: bool = True) -> None:
        self._session.op(StudentOp.LOAD_STATE_DICT, target=self, state=dict(state), strict=strict)

    def params(self, *, values: bool = False, grads: bool = False) -> list[dict[str, Any]]:
        """Each parameter: ``name``, ``shape``, ``dtype``, ``device``, ``requires_grad`` (+ ``value``, ``grad``)."""
        return self._session.op(StudentOp.PARAMS, target=self, values=values, grads=grads)

    def param_values(self) -> list[torch.Tensor]:
        return [p["value"] for p in self.params(values=True)]

    def set_params(self, values: list[torch.Tensor] | None = None, grads: Any = "keep") -> None:
        """Copy ``values`` into the parameters (in ``parameters()`` order); set ``grads`` unless ``"keep"``."""
        self._session.op(StudentOp.SET_PARAMS, target=self, values=values, grads=grads)

    def is_a(self, name: str) -> bool:
        """``isinstance`` against a fixed list of torch classes (``"nn.Module"``, ``"DataLoader"``, ...)."""
        return bool(self._session.op(StudentOp.ISINSTANCE, target=self, names=[name]).get(name))

    def iterate(self, limit: int = 10_000) -> list:
        return self._session.op(StudentOp.ITERATE, target=self, limit=limit)

    def len(self) -> int:
        return self._session.op(StudentOp.LEN, target=self)


class StudentModule:
    """The submission's module: ``student.name`` is a handle (or data) of its top-level ``name``."""

    def __init__(self, session: StudentSession, filename: str):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_filename", filename)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._session.get_name(name)

    def __repr__(self) -> str:
        return f"<student module {self._filename}>"


class TwinMismatch(Exception):
    """An object a recipe built in the student process differs from the judge's twin."""


class Lab:
    """The grader's bench in the student process: trusted recipes, values kept there, lent helpers."""

    def __init__(self, session: StudentSession):
        self._session = session

    def build(self, name: str, /, **kwargs: Any) -> Handle:
        """Build with recipe ``name`` in the student process; check it against the judge's twin."""
        handle, _ = self.build_with_twin(name, **kwargs)
        return handle

    def build_with_twin(self, name: str, /, **kwargs: Any) -> tuple[Any, Any]:
        """Like :meth:`build`, and also return the judge's own twin (built by the same recipe here)."""
        handle = self._session.op(StudentOp.RECIPE, name=name, kwargs=kwargs, keep=True)
        # A recipe that takes student objects (an optimiser over a model) has no twin here.
        twin = None if _has_handles(kwargs) else recipe_book.run(name, dict(kwargs))
        if isinstance(twin, nn.Module):
            _check_module_twin(handle, twin, name)
        return handle, twin

    def run(self, name: str, /, **kwargs: Any) -> Any:
        """Run a probe recipe in the student process and return its result as data."""
        return self._session.op(StudentOp.RECIPE, name=name, kwargs=kwargs)

    def path(self, name: str) -> str:
        """A path inside the student process's private folder (the only place it may write)."""
        self._session.ensure()
        assert self._session.workdir is not None
        return str(self._session.workdir / name)

    def read_state_file(self, path: str, limit: int = 64 << 20) -> Any:
        """What ``torch.load(path, weights_only=True)`` gives for a file the student process wrote.

        The bytes are parsed in a clean student process (no submission imported),
        never in the judge; the tensors come back as data. ``None`` when there is no such file.
        """
        workdir = self._session.workdir
        target = Path(path)
        if workdir is None or not target.resolve().is_relative_to(workdir.resolve()):
            raise ValueError(f"{path} is not in the student process's folder")
        try:
            if target.stat().st_size > limit:
                raise ValueError(f"{path} is larger than {limit} bytes")
            data = target.read_bytes()
        except FileNotFoundError:
            return None
        clean = self._session.clean_session()
        clean.deadline = self._session.deadline
        return clean.op(StudentOp.RECIPE, name="parse_state_bytes", kwargs={"data": data})

    def put(self, value: Any) -> Handle:
        """Keep ``value`` (data sent from here) in the student process, as a handle."""
        return self._session.op(StudentOp.PUT, value=value)

    def spy(self, name: str, /, **kwargs: Any) -> Handle:
        """Build a spy in the student process (a recipe that returns a
        :class:`~torchdojo.shared.recipes.common.Spy`)."""
        return self._session.op(StudentOp.RECIPE, name=name, kwargs=kwargs, keep=True)

    def lend(self, **spies: Handle) -> None:
        """Put spies built by :meth:`spy` in the submission's module, under the given names.

        For an exercise that calls another exercise's function (``fit`` calls
        ``train_epoch``): one bug then costs one exercise. Only spies can be
        lent (the student process refuses anything else): they note their calls
        and answer what the judge chose, and never do the other exercise's work,
        so no solution runs where student code could read it. No source text
        is sent. The process that got them is replaced when the exercise ends.
        """
        for name, spy in spies.items():
            if not isinstance(spy, Handle):
                raise TypeError(f"lend: {name} must be a spy built with Lab.spy, not {type(spy).__name__}")
            self._session.op(StudentOp.LEND, name=name, target=spy)
        self._session.tainted = True

    def unlend(self) -> None:
        """Put back the submission's own functions that lent spies stood in for (a test that needs them)."""
        self._session.op(StudentOp.UNLEND)

    def spy_log(self, spy: Handle) -> list[dict[str, Any]]:
        """What a spy (and those sharing its log) noted, as data, in call order."""
        log = self._session.op(StudentOp.RECIPE, name="spy_log", kwargs={"spy": spy})
        return log if isinstance(log, list) else []


def _has_handles(kwargs: dict[str, Any]) -> bool:
    return any(isinstance(v, Handle) for v in kwargs.values())


def _check_module_twin(handle: Handle, twin: nn.Module, name: str) -> None:
    state = handle.state_dict()
    expected = twin.state_dict()
    if sorted(state) != sorted(expected):
        raise TwinMismatch(f"recipe {name}: state keys {sorted(state)[:5]} != {sorted(expected)[:5]}")
    for key, value in expected.items():
        got = state[key]
        if not isinstance(got, torch.Tensor) or got.shape != value.shape or got.dtype != value.dtype:
            raise TwinMismatch(f"recipe {name}: {key} differs in shape or dtype")
        if not torch.equal(got.detach().cpu(), value.detach().cpu()):
            raise TwinMismatch(f"recipe {name}: {key} differs in value")
    flags = [p["requires_grad"] for p in handle.params()]
    if flags != [p.requires_grad for p in twin.parameters()]:
        raise TwinMismatch(f"recipe {name}: requires_grad flags differ")
    if handle.training != twin.training:
        raise TwinMismatch(f"recipe {name}: train/eval mode differs")
