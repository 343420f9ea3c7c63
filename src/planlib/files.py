"""Writing output files atomically: a temporary file in the target's folder, then a rename, so a
reader never sees half a file and a failed write leaves the old file as it was. A failed write
raises OSError naming the file being written (not its temporary file)."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def file_mode() -> int:
    """Permissions of a newly created file under the current umask (mkstemp alone gives 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "wb", **kw) -> Iterator[IO]:
    """Open a temporary file beside ``path`` for writing; on success it replaces ``path`` with
    the permissions of a normally created file, on any error it is removed."""
    target = Path(path)
    with _named(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with _named(target):
            with os.fdopen(fd, mode, **kw) as fh:
                yield fh
            os.chmod(tmp, file_mode())
            os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def _named(target: Path) -> Iterator[None]:
    """Re-raise an OSError without a file name (a full disk: ``[Errno 28] No space left on
    device``) or naming a temporary file, with ``target`` as its file name."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None or Path(exc.filename).name.startswith(f".{target.name}."):
            raise type(exc)(exc.errno, exc.strerror or str(exc), str(target)) from exc
        raise


def write_atomic(path: str | os.PathLike, content: str | bytes) -> None:
    """Write text (UTF-8) or bytes to ``path`` atomically."""
    with atomic_open(path) as fh:
        fh.write(content.encode("utf-8") if isinstance(content, str) else content)


def write_temporary(path: Path, content: str | bytes) -> Path:
    """Write ``content`` to a new temporary file beside ``path`` (normal permissions) and return
    it; on failure nothing is left and the OSError names ``path``."""
    path = Path(path)
    with _named(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with _named(path):
            with os.fdopen(fd, "wb") as fh:
                fh.write(content.encode("utf-8") if isinstance(content, str) else content)
            os.chmod(tmp, file_mode())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_together(contents: Mapping[Path, str | bytes], moves: Mapping[Path, Path] | None = None) -> None:
    """Files that belong together appear together or not at all: each of ``contents`` is written
    to a temporary file beside it; only when all are written are ``moves`` (finished files, e.g.
    from a staging folder: source → target) and then the temporary files renamed into place. A
    failed write removes what it wrote and leaves the old files as they were; its OSError names
    the file it was writing."""
    done: list[Path] = []
    try:
        for path in contents:
            done.append(write_temporary(Path(path), contents[path]))
        for src, dst in (moves or {}).items():
            with _named(Path(dst)):
                Path(dst).parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
        for path, tmp in zip(contents, done):
            with _named(Path(path)):
                os.replace(tmp, path)
    except BaseException:
        for tmp in done:
            tmp.unlink(missing_ok=True)
        raise
