"""Messages from a grading child to its zygote: one JSON object per line.

Each line starts with a per-job random token that only the zygote and the child
know; lines without it (a forgery written to the pipe, or a torn write) are
counted and ignored. Student output never travels on this pipe.
"""

from __future__ import annotations

import json
import os

MAX_LINE = 16384
_write = os.write
_dumps = json.dumps


class Emitter:
    """Writes events to the result pipe (child side)."""

    def __init__(self, fd: int, token: str):
        self.fd = fd
        self.prefix = token.encode() + b" "

    def __call__(self, event: str, **fields: object) -> None:
        payload = _dumps({"e": event, **fields}, ensure_ascii=True, default=str).encode()
        data = self.prefix + payload + b"\n"
        view = memoryview(data)
        while view:
            n = _write(self.fd, view)
            view = view[n:]


class Reader:
    """Splits the pipe's bytes into events (zygote side)."""

    def __init__(self, token: str):
        self.prefix = token.encode() + b" "
        self.buffer = b""
        self.rejected = 0

    def feed(self, data: bytes) -> list[dict]:
        self.buffer += data
        events = []
        while b"\n" in self.buffer:
            line, self.buffer = self.buffer.split(b"\n", 1)
            if not line.startswith(self.prefix) or len(line) > MAX_LINE * 4:
                self.rejected += 1
                continue
            try:
                event = json.loads(line[len(self.prefix):])
            except ValueError:
                self.rejected += 1
                continue
            if isinstance(event, dict) and isinstance(event.get("e"), str):
                events.append(event)
            else:
                self.rejected += 1
        if len(self.buffer) > MAX_LINE * 4:  # a flood without newlines
            self.buffer = b""
            self.rejected += 1
        return events
