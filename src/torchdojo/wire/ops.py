"""The closed sets of operations that cross a process boundary.

Both ends check against these: the judge refuses to send an operation not
listed (a bug of ours, caught before it leaves), and the student process and
the student zygote refuse to run one (a forged or garbled request).
"""

from __future__ import annotations

from enum import Enum


class StudentOp(str, Enum):
    """What the judge may ask of a student process (:mod:`torchdojo.student.server`)."""

    PING = "ping"
    GET = "get"
    CALL = "call"
    METHOD = "method"
    ATTR = "attr"
    PUT = "put"
    STATE_DICT = "state_dict"
    LOAD_STATE_DICT = "load_state_dict"
    PARAMS = "params"
    SET_PARAMS = "set_params"
    ISINSTANCE = "isinstance"
    ITERATE = "iterate"
    LEN = "len"
    RECIPE = "recipe"
    LEND = "lend"
    UNLEND = "unlend"


class ZygoteOp(str, Enum):
    """What a judge may ask of the student zygote (:mod:`torchdojo.student.zygote`)."""

    SPAWN = "spawn"
    KILL = "kill"
    KILLALL = "killall"
    EXIT = "exit"


#: The names as plain strings, for the receiving ends (a set lookup, no Enum machinery per request).
STUDENT_OPS = frozenset(op.value for op in StudentOp)
ZYGOTE_OPS = frozenset(op.value for op in ZygoteOp)
