"""Length-prefixed frames: a u32 big-endian length, then that many bytes.

The judge reads frames incrementally (:class:`FrameReader`) inside its own
select loop, so that a student process that stops mid-frame, floods the
socket or announces a 4 GB frame costs only its own time limit.
"""

from __future__ import annotations

import os
import socket
import struct

_len = struct.Struct(">I")
HEADER = _len.size


class FrameError(ValueError):
    """A frame over the size limit, or a stream that ended inside a frame."""


def frame(payload: bytes) -> bytes:
    return _len.pack(len(payload)) + payload


def send_frame(sock: socket.socket, payload: bytes) -> None:
    """Write one whole frame (blocking)."""
    sock.sendall(frame(payload))


def recv_frame(sock: socket.socket, limit: int) -> bytes | None:
    """Read one whole frame (blocking); ``None`` at a clean end of stream."""
    head = _recv_exact(sock, HEADER, allow_eof=True)
    if head is None:
        return None
    (n,) = _len.unpack(head)
    if n > limit:
        raise FrameError(f"frame of {n} bytes over the limit of {limit}")
    body = _recv_exact(sock, n, allow_eof=False)
    assert body is not None
    return body


def _recv_exact(sock: socket.socket, n: int, *, allow_eof: bool) -> bytes | None:
    chunks = []
    got = 0
    while got < n:
        data = sock.recv(min(n - got, 1 << 20))
        if not data:
            if allow_eof and got == 0:
                return None
            raise FrameError("the stream ended inside a frame")
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)


class FrameReader:
    """Splits bytes read from a non-blocking file descriptor into frames."""

    def __init__(self, limit: int):
        self.limit = limit
        self.buffer = bytearray()
        self.eof = False

    def read_from(self, fd: int) -> None:
        """Read what is available; sets :attr:`eof` when the peer closed."""
        try:
            data = os.read(fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return
        self.buffer += data
        if len(self.buffer) >= HEADER:
            (n,) = _len.unpack_from(self.buffer)
            if n > self.limit:
                raise FrameError(f"frame of {n} bytes over the limit of {self.limit}")

    def next_frame(self) -> bytes | None:
        """One complete frame, if the buffer holds one."""
        if len(self.buffer) < HEADER:
            return None
        (n,) = _len.unpack_from(self.buffer)
        if n > self.limit:
            raise FrameError(f"frame of {n} bytes over the limit of {self.limit}")
        if len(self.buffer) < HEADER + n:
            return None
        body = bytes(self.buffer[HEADER:HEADER + n])
        del self.buffer[:HEADER + n]
        return body
