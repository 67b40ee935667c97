"""A lock file beside the master: one consolidation of a master at a time.

The lock ``<master>.lock`` is created atomically (``O_CREAT | O_EXCL``) and holds the owner's
process id and host.  A lock whose process on this host is gone is stale: it is removed with
a message and the consolidation goes on.
"""

from __future__ import annotations

from taizhang.errors import TaizhangError  # noqa: E402 - the one error family

import glob
import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType


class LockedError(TaizhangError):
    """Another consolidation holds the master's lock."""


def lock_path(master: Path) -> Path:
    return master.with_name(master.name + ".lock")


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - Windows
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def debris(master: Path, pid: object) -> list[Path]:
    """The files a run of process ``pid`` keeps beside ``master`` while it works, all named
    ``.<master>.<pid>.…``: the new master (``.tmp``) and its sheets (``.tmp.blocks``), the
    master stripped for loading (``.load.xlsx``), the backup being copied (``.backup``)."""
    try:
        pid = int(pid)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return []
    if pid <= 0:
        return []
    return sorted(Path(p) for p in glob.glob(str(master.parent / f".{glob.escape(master.name)}.{pid}.*")))


def _forgotten_owners(master: Path, age: float = 60.0) -> None:
    """Remove the owner files (``.<master>.<pid>.lock``) of runs killed between writing one
    and linking it to the lock's name: at once when its process, on this machine, is gone;
    else a minute old, since no run takes longer than that to link it."""
    now = time.time()
    for p in glob.glob(str(master.parent / f".{glob.escape(master.name)}.*.lock")):
        try:
            owner = json.loads(Path(p).read_text(encoding="utf-8"))
            pid = int(owner.get("pid", 0) or 0) if isinstance(owner, dict) else 0
            dead = owner.get("host") == socket.gethostname() and pid not in (0, os.getpid()) and not _alive(pid)
        except (OSError, ValueError, AttributeError):
            dead = False
        try:
            if dead or now - os.stat(p).st_mtime > age:
                os.unlink(p)
        except OSError:
            continue


def remove_debris(master: Path, pid: object) -> None:
    """Remove what a dead run of process ``pid`` left half-written beside ``master``."""
    for leftover in debris(master, pid):
        try:
            leftover.unlink()
        except OSError:
            pass


class MasterLock:
    """``with MasterLock(master) as lock:`` — raises :class:`LockedError` when held."""

    def __init__(self, master: Path) -> None:
        self.path = lock_path(master)
        self.recovered: str | None = None  # message when a stale lock was removed

    def __enter__(self) -> MasterLock:
        for _attempt in range(2):
            try:
                self._create()
            except FileExistsError:
                owner = self._owner()
                if owner is not None and self._stale(owner):
                    self.recovered = (
                        f"发现上次中断留下的锁文件 {self.path.name}（进程 {owner.get('pid')} 已不存在），已清除"
                    )
                    master = self.path.with_name(self.path.name[: -len(".lock")])
                    remove_debris(master, owner.get("pid"))
                    self.path.unlink(missing_ok=True)
                    continue
                who = f"进程 {owner.get('pid')}，{owner.get('host')}，开始于 {owner.get('started')}" if owner else "未知进程"
                raise LockedError(f"{self.path.parent / self.path.name[:-5]} 正在被另一个合并任务使用（{who}）；"
                                  f"如确认没有任务在运行，可删除 {self.path}") from None
            return self
        raise LockedError(f"无法获得锁 {self.path}")

    def _create(self) -> None:
        """Create the lock with its owner in it, at once: written to a file of this process
        (``.<master>.<pid>.lock``), then linked to the lock's name, which fails if it exists.  A
        run killed at any moment leaves no empty lock that no one could tell stale.  Where
        links are not supported (a FAT-formatted drive), created empty and then written."""
        owner = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                            "started": time.strftime("%Y-%m-%d %H:%M:%S")})
        master = self.path.with_name(self.path.name[: -len(".lock")])
        mine = master.with_name(f".{master.name}.{os.getpid()}.lock")
        try:
            mine.write_text(owner, encoding="utf-8")
            try:
                os.link(mine, self.path)
                _forgotten_owners(master)
                return
            except FileExistsError:
                raise
            except OSError:
                pass  # no hard links here
        finally:
            mine.unlink(missing_ok=True)
        fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(owner)
        except BaseException:  # disk full, say: no empty lock left to block the next run
            self.path.unlink(missing_ok=True)
            raise

    def _owner(self) -> dict | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    @staticmethod
    def _stale(owner: dict) -> bool:
        if owner.get("host") != socket.gethostname():
            return False  # another machine's process: cannot tell, do not steal
        return not _alive(int(owner.get("pid", 0) or 0))

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.path.unlink(missing_ok=True)
