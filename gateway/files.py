"""Files that may hold personal data (CSV exports, the folder sink's messages, the SQLite stores):
readable by the owner only (mode 0600, whatever the umask), and written atomically.

A file appears complete or not at all: it is written to a hidden temporary name in the same folder
(``.<name>.<host>.<pid>.tmp``), flushed to disk, renamed over the target (``os.replace``) and the
folder entry synced. A process killed during a write leaves its temporary behind;
:func:`remove_stale_temporaries` deletes those of processes that no longer run on this host, and
those of other hosts once they are older than an hour (no write takes that long), so a folder that
several nodes share is never cleaned under a writer's feet.
"""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path

PRIVATE_MODE = 0o600
_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:63] or "host"
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<host>[A-Za-z0-9-]+)\.(?P<pid>[0-9]+)\.tmp$")
FOREIGN_TEMPORARY_AGE = 3600.0  # seconds: another host's temporary is stale after this


def temporary_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{_HOST}.{os.getpid()}.tmp")


def write_private(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically, readable by the owner only (also when it existed)."""
    target = Path(target)
    temporary = temporary_name(target)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)  # a leftover temporary of the same name kept its old mode
        with os.fdopen(fd, "wb", closefd=False) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    finally:
        os.close(fd)
    os.replace(temporary, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def make_private(path: Path | str) -> None:
    """Before a database opens ``path``: create it empty with mode 0600 when it does not exist yet
    (SQLite gives its -wal and -shm files the database file's mode), or take group and others'
    permissions away from one that has them (made by an earlier version, or under a loose umask).
    A missing folder is left for the database to report."""
    target = Path(path)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        mode = target.stat().st_mode
        if mode & 0o077:
            try:
                os.chmod(target, mode & 0o700)
            except OSError:  # a read-only file system, or not ours: opening it will say what is wrong
                pass
        return
    except (FileNotFoundError, NotADirectoryError):
        return
    os.close(fd)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    return True


def remove_stale_temporaries(folder: Path, *, now: float | None = None) -> list[Path]:
    """Delete temporaries left by killed writers (see the module docstring); returns them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return removed
    moment = time.time() if now is None else now
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        pid = int(match["pid"])
        if match["host"] == _HOST:
            stale = pid != os.getpid() and not _running(pid)
        else:
            stale = moment - entry.stat(follow_symlinks=False).st_mtime > FOREIGN_TEMPORARY_AGE
        if stale:
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                continue
            removed.append(Path(entry.path))
    return removed
