"""The service's own folder for the page's uploads and outputs, and what a dead service left.

Each run of ``taizhang serve`` makes a private folder (mode 0700) ``taizhang-serve-*`` in the
temporary folder and holds a lock on the mark file ``.owner`` inside it for as long as it
runs.  The system drops that lock when the process ends, however it ends (``kill -9``, a
crash, a power cut ends the temporary folder anyway), so the next start can tell a dead
service's folder, whose uploaded ledgers (complainants' names among them) must not stay on
disk, from the folder of a service still running, which it leaves alone.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

PREFIX = "taizhang-serve-"
OWNER = ".owner"
#: A folder without the mark (made by an earlier version, or being made right now) is taken
#: for abandoned only when nothing in it has changed for this long.
UNMARKED_GRACE = 600.0


def _try_lock(fh: IO) -> bool:
    """Take the lock on ``fh`` without waiting: False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _newest_change(folder: Path) -> float:
    newest = folder.lstat().st_mtime
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            try:
                newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
            except OSError:
                pass
    return newest


def sweep(base: Path | None = None) -> list[Path]:
    """Remove the folders of services that are no longer running (this user's only); the
    folders removed."""
    base = Path(base or tempfile.gettempdir())
    removed = []
    try:
        candidates = sorted(base.glob(PREFIX + "*"))
    except OSError:
        return removed
    for folder in candidates:
        try:
            st = folder.lstat()
        except OSError:
            continue
        if folder.is_symlink() or not folder.is_dir():
            continue
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            continue  # another user's (the temporary folder is shared): not ours to judge
        try:
            fh = open(folder / OWNER, "r+b")  # noqa: SIM115 - closed below, after the lock is tried
        except FileNotFoundError:
            try:
                abandoned = time.time() - _newest_change(folder) > UNMARKED_GRACE
            except OSError:
                continue
            if abandoned:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            continue
        except OSError:
            continue
        try:
            dead = _try_lock(fh)
        finally:
            fh.close()  # closing drops the lock just taken: the folder goes next
        if dead:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


class Workdir:
    """A private folder of this service, marked as in use while it runs."""

    def __init__(self, base: Path | None = None) -> None:
        sweep(base)
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=base))  # 0700
        os.chmod(self.path, 0o700)
        self._owner: IO | None = self._mark()

    def _mark(self) -> IO:
        """The mark, locked before anyone can see it (made under another name, then renamed;
        Windows cannot rename an open file, and its lock is taken at once instead)."""
        if sys.platform == "win32":
            fh = open(self.path / OWNER, "w+b")  # noqa: SIM115 - held for the service's life
            _try_lock(fh)
        else:
            tmp = self.path / f"{OWNER}.{os.getpid()}"
            fh = open(tmp, "w+b")  # noqa: SIM115 - held for the service's life
            _try_lock(fh)
            os.replace(tmp, self.path / OWNER)
        fh.write(f"{os.getpid()}\n".encode())
        fh.flush()
        return fh

    def remove(self) -> None:
        """Drop the mark and remove the folder (the service stops)."""
        if self._owner is not None:
            self._owner.close()
            self._owner = None
        shutil.rmtree(self.path, ignore_errors=True)
