"""The one intake: every file the caller reads for a student is read here.

A student controls what lies in their folder, so nothing there is opened the
usual way. Each path is walked one component at a time from a directory file
descriptor with ``O_NOFOLLOW`` (folders also with ``O_DIRECTORY``), so neither a
linked file nor a linked folder on the way is ever followed; only regular files
with a single link and a bounded size are accepted, and they are read once,
into memory. Anything else (a link to a classmate's file, to the course's
solutions or to ``/proc/self/environ``, a named pipe, a device, a huge file)
raises :class:`Refused`, whose text is the one-line reason that becomes that
student's error.

Hard links: a regular file with another name elsewhere (``st_nlink > 1``) is
refused too. A student who can make one on the grading machine could name a
file that the caller can read and the student cannot (the course's solutions,
a classmate's hand-in); no upload path (LMS zip, Gradescope, nbgrader exchange)
produces hard links, so refusing them costs honest students nothing.

>>> with StudentFolder("submissions/ana") as folder:       # doctest: +SKIP
...     data = folder.read("tensors.py")
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from torchdojo.text.i18n import N_

#: The largest file accepted: a module, a sibling module or a quiz answer file.
MAX_FILE_BYTES = 4 << 20
#: Notebooks carry outputs (plots), so they may be larger.
MAX_NOTEBOOK_BYTES = 32 << 20

_NOFOLLOW = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
#: ``O_NONBLOCK``: a named pipe swapped in after the check must not block the open.
_FILE_FLAGS = _NOFOLLOW | os.O_NONBLOCK
_DIR_FLAGS = _NOFOLLOW | os.O_DIRECTORY


class Refused(Exception):
    """An entry of a student's folder that is not accepted; ``str()`` is the one-line reason."""


def limit_for(name: str) -> int:
    """The size bound for a file of this name."""
    return MAX_NOTEBOOK_BYTES if name.lower().endswith(".ipynb") else MAX_FILE_BYTES


def kind(mode: int) -> str:
    """What an entry is, in words (for reasons): an English catalog message."""
    if stat.S_ISLNK(mode):
        return N_("a link")
    if stat.S_ISDIR(mode):
        return N_("a folder")
    if stat.S_ISFIFO(mode):
        return N_("a named pipe")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return N_("a device")
    if stat.S_ISSOCK(mode):
        return N_("a socket")
    if stat.S_ISREG(mode):
        return N_("a file")
    return N_("a special file")


def _mib(n: int) -> str:
    return f"{n / (1 << 20):g} MiB"


def _checked(name: str, st: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"{name} is {kind(st.st_mode)}, not a regular file")
    if st.st_nlink > 1:
        raise Refused(f"{name} has other hard links; hand in a plain copy")
    if st.st_size > limit:
        raise Refused(f"{name} is larger than {_mib(limit)}")


def read_stat_at(dir_fd: int, name: str, limit: int | None = None) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file ``name`` directly inside the open folder ``dir_fd``, with the ``fstat`` of
    what was read (its modification time chooses between files)."""
    limit = limit_for(name) if limit is None else limit
    if "/" in name or name in ("", ".", ".."):
        raise Refused(f"{name!r} is not a file name")
    try:
        _checked(name, os.stat(name, dir_fd=dir_fd, follow_symlinks=False), limit)
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except Refused:
        raise
    except OSError as exc:
        raise Refused(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        # Checked again on what was opened: the entry may have been swapped since the stat.
        st = os.fstat(fd)
        _checked(name, st, limit)
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise Refused(f"{name} is larger than {_mib(limit)}")
        return b"".join(chunks), st
    except OSError as exc:
        raise Refused(f"cannot read {name}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def open_dir_at(dir_fd: int, name: str) -> int:
    """An fd for the folder ``name`` inside ``dir_fd``, never through a link."""
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if not stat.S_ISDIR(st.st_mode):
            raise Refused(f"{name} is {kind(st.st_mode)}, not a folder")
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except Refused:
        raise
    except OSError as exc:
        raise Refused(f"cannot open the folder {name}: {exc.strerror or exc}") from None


def entries_at(dir_fd: int) -> list[tuple[str, int]]:
    """``(name, mode)`` of each entry of an open folder, not following links, sorted by name."""
    out = []
    fd = os.dup(dir_fd)  # scandir closes the fd it is given
    try:
        with os.scandir(fd) as it:
            for entry in it:
                try:
                    out.append((entry.name, entry.stat(follow_symlinks=False).st_mode))
                except OSError:
                    continue  # vanished while listed
    finally:
        try:
            os.close(fd)
        except OSError:
            pass
    return sorted(out)


class StudentFolder:
    """One student's folder, opened once; everything in it is read relative to it.

    ``root`` itself is the caller's (the class folder's entry, the learner's
    workspace, Gradescope's ``submission``): it is opened as given when
    ``follow_root`` is true, else without following a link.
    """

    def __init__(self, root: str | Path, *, follow_root: bool = True, parent_fd: int | None = None):
        self.root = Path(root)
        if parent_fd is not None:
            self.fd = open_dir_at(parent_fd, self.root.name)
        else:
            flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | (0 if follow_root else os.O_NOFOLLOW)
            try:
                self.fd = os.open(self.root, flags)
            except OSError as exc:
                raise Refused(f"cannot open the folder {self.root.name}: {exc.strerror or exc}") from None

    def _walk(self, rel: PurePosixPath) -> tuple[int, str]:
        parts = rel.parts
        if not parts or rel.is_absolute() or ".." in parts:
            raise Refused(f"{rel} is not inside the student's folder")
        fd = os.dup(self.fd)
        try:
            for part in parts[:-1]:
                nxt = open_dir_at(fd, part)
                os.close(fd)
                fd = nxt
        except BaseException:
            os.close(fd)
            raise
        return fd, parts[-1]

    def read(self, rel: str | PurePosixPath, limit: int | None = None) -> bytes:
        """The bytes of the regular file at ``rel`` (``"tensors.py"``, ``"ps1/tensors.py"``)."""
        return self.read_stat(rel, limit)[0]

    def read_stat(self, rel: str | PurePosixPath, limit: int | None = None) -> tuple[bytes, os.stat_result]:
        """As :meth:`read`, with the ``fstat`` of what was read."""
        fd, name = self._walk(PurePosixPath(rel))
        try:
            return read_stat_at(fd, name, limit)
        finally:
            os.close(fd)

    def entries(self, rel: str | PurePosixPath = ".") -> list[tuple[str, int]]:
        """The entries of a folder inside the student's folder (``"."``: the folder itself)."""
        rel = PurePosixPath(rel)
        if rel == PurePosixPath("."):
            return entries_at(self.fd)
        fd, name = self._walk(rel)
        try:
            sub = open_dir_at(fd, name)
        finally:
            os.close(fd)
        try:
            return entries_at(sub)
        finally:
            os.close(sub)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> StudentFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_file(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of one file whose *folder* the caller trusts and whose own entry it does not."""
    path = Path(path)
    with StudentFolder(path.parent) as folder:
        return folder.read(path.name, limit)


def write_private(folder: Path, rel: PurePosixPath, data: bytes, mtime_ns: int | None = None) -> Path:
    """Write ``data`` to ``folder/rel`` (a private copy that the judge is given), creating folders.

    ``mtime_ns``: the original's modification time, kept (it decides which of a
    module and a notebook was saved last).
    """
    target = folder.joinpath(*rel.parts)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    if mtime_ns is not None:
        os.utime(target, ns=(mtime_ns, mtime_ns))
    return target
