"""Per-file work in worker processes, for the commands that read a folder of workbooks.

``check``, ``summary`` and the consolidation do the same work on every file and only then
put the results together, so a folder's files can be read by two processes at once.
:func:`map_files` does that when it pays, and in this process otherwise; the results are the
same either way, in the files' order.

When it pays is a matter of how a worker starts:

- by ``fork`` (Linux), in a few milliseconds, with everything this process has set up (the
  configuration, registered ledger kinds, logging): from :data:`FORK_THRESHOLD` files, as
  plain forked children (``taizhang.forkpool``: a file's number down a pipe, its result back
  up another; multiprocessing is not imported).  A worker only reads and checks files; the
  locks it takes that another thread of this process (a progress bar's, the local service's)
  could hold when it forks are the logging and import locks, which Python re-creates in a
  forked child;
- by ``spawn`` (Windows, macOS), by importing taizhang afresh, in a
  ``concurrent.futures.ProcessPoolExecutor``: 0.5 to 1 s a worker measured here, so only from
  :data:`SPAWN_THRESHOLD` files, where reading half of them saves more than that.

A worker that dies while reading (a reader that aborts on a hostile file) loses no other
file: the files it had (a forked worker's own; a spawned pool's, all those not done) are read
again one at a time, each in a worker of its own, so that only the file that kills its reader
is lost, and ``crashed(path)`` says what to report for it.

A worker, and any child process started to read a file (``taizhang.reading.isolated``), ends
when the process that started it ends, however that ended (``kill -9``, Task Manager's 结束任务,
a closed terminal): they hold ledgers, complainants' names included, in memory.  See
:func:`bind_to_parent` (in the child) and :func:`hold_child` (in the parent).  Results come
back through pipes only; what must touch the disk (a decrypted copy of a workbook, openpyxl's
sheet files while a workbook is saved) goes into :func:`private_folder`, a folder of this
run's own (0700), removed at exit, and swept by the next run if this one was killed.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import os
import re
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, TypeVar

if TYPE_CHECKING:  # imported where workers are started: a run that reads in this process needs neither
    import multiprocessing.context
    from concurrent.futures import ProcessPoolExecutor

T = TypeVar("T")

#: Fewest files worth two forked workers (a worker starts in ~15 ms; a file takes 5-10 ms).
FORK_THRESHOLD = 6
#: Fewest files worth two spawned workers (each imports taizhang: 0.5-1 s measured on Linux).
SPAWN_THRESHOLD = 200

_WORK: tuple[Callable[..., Any], tuple] | None = None


def default_jobs() -> int:
    """The number of worker processes when none is asked for: the CPU count, at most 2 (the
    files are small, and more workers cost more to start than they save)."""
    return min(2, os.cpu_count() or 1)


class ForkStart:
    """How workers start on Linux: forked by ``taizhang.forkpool`` (no multiprocessing context,
    nor multiprocessing itself, is needed); answers ``get_start_method`` as a context does."""

    @staticmethod
    def get_start_method() -> str:
        return "fork"


def start_context() -> tuple[ForkStart | multiprocessing.context.BaseContext, int]:
    """How workers start here (:class:`ForkStart`, or a multiprocessing context that spawns),
    and from how many files that pays."""
    if sys.platform.startswith("linux"):
        return ForkStart(), FORK_THRESHOLD
    return _tied_spawn_context()(), SPAWN_THRESHOLD


def in_processes(count: int, jobs: int | None = None) -> bool:
    """Whether :func:`map_files` would read ``count`` files in worker processes (one file
    never: then multiprocessing is not even imported)."""
    jobs = default_jobs() if jobs is None else jobs
    return jobs > 1 and count > 1 and count >= start_context()[1]


def map_files(work: Callable[..., T], paths: Sequence[Path], args: tuple = (), *,
              jobs: int | None = None, crashed: Callable[[Path], T],
              progress: Callable[[Path], None] | None = None) -> list[T]:
    """``[work(p, *args) for p in paths]``, in worker processes when it pays (see the module).

    ``work`` must be a module-level function and its results picklable: keep them small,
    since unpickling them costs this process time (a file's typed rows cost more to pass
    back than to make).  ``progress(path)`` is called as each file is done, in the order
    they finish.
    """
    paths = list(paths)
    if not in_processes(len(paths), jobs):
        out = []
        for p in paths:
            out.append(work(p, *args))
            if progress:
                progress(p)
        return out
    context, _ = start_context()
    results: dict[int, T] = {}
    if context.get_start_method() == "fork":
        orphans = _map_forked(work, paths, args, jobs or default_jobs(), results, progress)
    else:
        orphans = _map_pooled(work, paths, args, jobs or default_jobs(), context, results, progress)
    for i in orphans:
        results[i] = _alone(paths[i], context, work, args, crashed)
        if progress:
            progress(paths[i])
    return [results[i] for i in range(len(paths))]


def _map_forked(work: Callable[..., T], paths: list[Path], args: tuple, jobs: int, results: dict[int, T],
                progress: Callable[[Path], None] | None) -> list[int]:
    """:func:`map_files`' work by forked children (``taizhang.forkpool``); the files whose
    child died, in order."""
    from taizhang.forkpool import map_forked

    if sys.platform.startswith("linux"):
        _prctl()  # looked up here: a child never calls the dynamic loader
    parent, folder = os.getpid(), private_folder()

    def done(i: int, result: T) -> None:
        results[i] = result
        if progress:
            progress(paths[i])

    return sorted(map_forked(lambda i: work(paths[i], *args), len(paths), jobs, done=done,
                             child_init=lambda: _init_child(parent, folder), forking=_forking))


@contextlib.contextmanager
def _forking() -> Iterator[None]:
    """What holds while children are forked: Ctrl-C held (:func:`ctrl_c_held`), the collector
    frozen (:func:`gc_frozen`)."""
    with ctrl_c_held(), gc_frozen():
        yield


def _init_child(parent: int, folder: Path) -> None:
    """A forked child's start: it ends with its parent, uses the run's private folder and
    leaves Ctrl-C to the parent."""
    bind_to_parent(parent, WATCH)
    use_private_folder(folder)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _map_pooled(work: Callable[..., T], paths: list[Path], args: tuple, jobs: int, context: Any,
                results: dict[int, T], progress: Callable[[Path], None] | None) -> list[int]:
    """:func:`map_files`' work by a ``ProcessPoolExecutor`` (workers that spawn); the files
    whose worker died, in order (a dead worker breaks the pool: every file not done yet)."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    orphans: list[int] = []
    with _pool(jobs, context, work, args) as pool:
        with ctrl_c_held(), gc_frozen():  # the first submit starts the workers
            futures = {pool.submit(_run, p): i for i, p in enumerate(paths)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except BrokenProcessPool:
                orphans.append(i)
                continue
            if progress:
                progress(paths[i])
    return sorted(orphans)


@contextlib.contextmanager
def gc_frozen() -> Iterator[None]:
    """Everything this process holds moved out of the garbage collector's sight while workers
    are forked (``gc.freeze``, as Python's documentation advises for ``fork``): a worker's
    collections then never walk the modules, models and configuration it inherited (which
    costs it time, and copies their memory pages into it).  This process sees them again
    afterwards, so that a long-lived process (the local service) still frees what it drops."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _pool(jobs: int, context: Any, work: Callable[..., Any], args: tuple) -> ProcessPoolExecutor:
    # The pool's processes are started by this thread, which waits in map_files until they
    # have ended: the parent-death signal (sent when the thread that forked a child ends) is
    # never sent early.  The private folder is made before the fork, so that a worker's reader
    # children use this run's folder rather than one of the worker's own.
    from concurrent.futures import ProcessPoolExecutor

    if sys.platform.startswith("linux"):
        _prctl()
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                               initargs=(work, args, os.getpid(), str(private_folder()), WATCH))


def _init_worker(work: Callable[..., Any], args: tuple, parent: int, folder: str, watch: str | None) -> None:
    global _WORK
    bind_to_parent(parent, watch)
    use_private_folder(Path(folder))
    _WORK = (work, args)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, once


def _run(path: Path) -> Any:
    assert _WORK is not None
    work, args = _WORK
    return work(path, *args)


def _alone(path: Path, context: Any, work: Callable[..., T], args: tuple, crashed: Callable[[Path], T]) -> T:
    """One file whose worker died, read again in a worker of its own: ``crashed(path)`` if it
    takes that one down too."""
    if context.get_start_method() == "fork":
        got: dict[int, T] = {}
        return crashed(path) if _map_forked(work, [path], args, 1, got, None) else got[0]
    from concurrent.futures.process import BrokenProcessPool

    with _pool(1, context, work, args) as pool:
        try:
            with ctrl_c_held():
                future = pool.submit(_run, path)
            return future.result()
        except BrokenProcessPool:
            return crashed(path)


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Ctrl-C pressed while the pool forks its workers is held until they are started, then
    raised as usual.  Python raises KeyboardInterrupt at the next line it runs, which may be
    in the hooks it runs around a fork (logging's lock); an exception there is printed as
    "ignored" and lost, and the run would go on to exit 0 as if no key had been pressed.
    (Only the main thread may set a handler; elsewhere the signal goes to the main thread.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: pressed.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed and callable(previous):
        previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt


# -- a child ends with its parent ----------------------------------------------------------

#: How a child watches its parent: None for this system's best way (below); "poll" for a
#: thread that looks at the parent's id every :data:`POLL_SECONDS` (what is left on a POSIX
#: system without the other ways; tests use it to try that way on Linux).
WATCH: str | None = None
POLL_SECONDS = 0.5
#: The exit status of a child whose parent is gone (nobody is left to read it).
ORPHANED = 125
_PR_SET_PDEATHSIG = 1


def bind_to_parent(parent: int, watch: str | None = None) -> None:
    """In a child process: end this process when ``parent``, the process that started it, ends.

    - Linux: the parent-death signal (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), then a look at
      the parent's id: a parent that died before the signal was asked for has left this
      process to another parent already, and it ends at once.  The signal comes when the
      *thread* that started the child ends; the threads that start taizhang's children wait
      for them.
    - macOS and the BSDs: a thread waiting on the parent's exit (kqueue ``NOTE_EXIT``), or
      looking at the parent's id every :data:`POLL_SECONDS` where kqueue is missing.
    - Windows: a thread waiting on the parent's process handle; the parent also puts each
      child into a job object that kills it when the parent's handle to the job closes,
      as it does when the parent ends in any way (:func:`hold_child`).
    """
    watch = watch or WATCH
    if os.name == "nt":
        _watch_windows(parent)
        return
    if os.getppid() != parent:
        os._exit(ORPHANED)
    if watch is None and sys.platform.startswith("linux") and _parent_death_signal():
        if os.getppid() != parent:  # the parent died before the signal was set up
            os._exit(ORPHANED)
        return
    if watch is None and hasattr(select, "kqueue"):
        _watch_kqueue(parent)
    else:
        _watch_polling(parent)


def _parent_death_signal() -> bool:
    prctl = _prctl()
    return bool(prctl) and prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0


def _prctl() -> Any:
    """libc's ``prctl``, looked up once; a forked worker uses its parent's, so that it never
    calls the dynamic loader (whose lock another thread of the parent may have held at the
    fork)."""
    global _prctl_function
    if _prctl_function is None:
        try:
            import ctypes

            _prctl_function = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            _prctl_function = False
    return _prctl_function


_prctl_function: Any = None


def _watcher(target: Callable[[], None]) -> None:
    threading.Thread(target=target, name="taizhang-parent-watch", daemon=True).start()


def _watch_polling(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_SECONDS)
        os._exit(ORPHANED)

    _watcher(watch)


def _watch_kqueue(parent: int) -> None:  # pragma: no cover - macOS and the BSDs
    kq = select.kqueue()
    try:
        kq.control([select.kevent(parent, filter=select.KQ_FILTER_PROC,
                                  flags=select.KQ_EV_ADD | select.KQ_EV_ONESHOT,
                                  fflags=select.KQ_NOTE_EXIT)], 0, 0)
    except OSError:  # no such process: the parent is gone already
        os._exit(ORPHANED)
    if os.getppid() != parent:  # gone before the watch was set (its id may be another's now)
        os._exit(ORPHANED)

    def watch() -> None:
        try:
            kq.control(None, 1, None)
        finally:
            os._exit(ORPHANED)

    _watcher(watch)


def _watch_windows(parent: int) -> None:  # pragma: no cover - Windows
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.OpenProcess.restype = ctypes.c_void_p
    kernel32.OpenProcess.argtypes = [ctypes.c_uint32, ctypes.c_int, ctypes.c_uint32]
    kernel32.WaitForSingleObject.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    synchronize, infinite = 0x00100000, 0xFFFFFFFF
    handle = kernel32.OpenProcess(synchronize, False, parent)
    if not handle:
        os._exit(ORPHANED)

    def watch() -> None:
        kernel32.WaitForSingleObject(handle, infinite)
        os._exit(ORPHANED)

    _watcher(watch)


# -- Windows: a job object that ends this process's children with it ------------------------

JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000
JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9  # JOBOBJECTINFOCLASS
_PROCESS_TERMINATE, _PROCESS_SET_QUOTA = 0x0001, 0x0100
_job: int | None = None
_job_lock = threading.Lock()


def job_limits_type() -> type:
    """``JOBOBJECT_EXTENDED_LIMIT_INFORMATION`` as ctypes lays it out (Windows' own layout:
    144 bytes on 64-bit Windows, 112 on 32-bit), for ``SetInformationJobObject``."""
    import ctypes

    class IoCounters(ctypes.Structure):
        _fields_ = [(name, ctypes.c_uint64) for name in (
            "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
            "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]

    class BasicLimits(ctypes.Structure):
        _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                    ("LimitFlags", ctypes.c_uint32), ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", ctypes.c_uint32),
                    ("Affinity", ctypes.c_size_t), ("PriorityClass", ctypes.c_uint32),
                    ("SchedulingClass", ctypes.c_uint32)]

    class ExtendedLimits(ctypes.Structure):
        _fields_ = [("BasicLimitInformation", BasicLimits), ("IoInfo", IoCounters),
                    ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                    ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]

    return ExtendedLimits


def hold_child(pid: int) -> None:
    """In the parent, just after starting child ``pid``: on Windows, put it into this
    process's job object, made once with ``JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE``.  Only this
    process holds a handle to the job (it is not inherited: workers and readers are started
    without inheriting handles), so when this process ends, however it ends, Windows closes
    the handle, and the job's processes, and theirs (a child's children are born into its
    job), are killed.  Elsewhere the children watch the parent themselves
    (:func:`bind_to_parent`); nothing is done here."""
    if os.name == "nt":  # pragma: no cover - Windows
        _hold_windows(pid)


def _hold_windows(pid: int) -> None:  # pragma: no cover - Windows
    import ctypes

    job = _the_job()
    if job is None:
        return
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.OpenProcess.restype = ctypes.c_void_p
    kernel32.OpenProcess.argtypes = [ctypes.c_uint32, ctypes.c_int, ctypes.c_uint32]
    kernel32.AssignProcessToJobObject.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    kernel32.CloseHandle.argtypes = [ctypes.c_void_p]
    handle = kernel32.OpenProcess(_PROCESS_SET_QUOTA | _PROCESS_TERMINATE, False, pid)
    if handle:
        # fails only where this process is in a job that forbids nesting (before Windows 8):
        # the child's own watch on this process (bind_to_parent) still ends it
        kernel32.AssignProcessToJobObject(ctypes.c_void_p(job), ctypes.c_void_p(handle))
        kernel32.CloseHandle(ctypes.c_void_p(handle))


def _the_job() -> int | None:  # pragma: no cover - Windows
    global _job
    with _job_lock:
        if _job is not None:
            return _job or None
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        kernel32.CreateJobObjectW.restype = ctypes.c_void_p
        kernel32.CreateJobObjectW.argtypes = [ctypes.c_void_p, ctypes.c_wchar_p]
        kernel32.SetInformationJobObject.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p,
                                                     ctypes.c_uint32]
        job = kernel32.CreateJobObjectW(None, None)  # no security attributes: not inheritable
        limits = job_limits_type()()
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        if not job or not kernel32.SetInformationJobObject(ctypes.c_void_p(job), JOB_OBJECT_EXTENDED_LIMIT_INFORMATION,
                                                           ctypes.byref(limits), ctypes.sizeof(limits)):
            _job = 0
            return None
        _job = job
        return job


@functools.lru_cache(maxsize=1)
def _tied_spawn_context() -> type:
    """``TiedSpawnContext``: a spawn context whose workers the parent holds in its job object
    from their start (Windows); made when first asked, multiprocessing imported then."""
    import multiprocessing.context

    class _TiedSpawnProcess(multiprocessing.context.SpawnProcess):
        """A spawned worker that the parent holds in its job object from its start (Windows)."""

        def start(self) -> None:
            super().start()
            if self.pid is not None:
                hold_child(self.pid)

    class TiedSpawnContext(multiprocessing.context.SpawnContext):
        Process = _TiedSpawnProcess

    for cls in (_TiedSpawnProcess, TiedSpawnContext):  # pickled by name (a spawned worker's process)
        cls.__qualname__ = cls.__name__
        globals()[cls.__name__] = cls
    return TiedSpawnContext


def __getattr__(name: str) -> Any:
    """``TiedSpawnContext`` and its process class, made when first asked (see :func:`_tied_spawn_context`)."""
    if name in ("TiedSpawnContext", "_TiedSpawnProcess"):
        _tied_spawn_context()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- the run's private folder --------------------------------------------------------------

#: A run's private folder is ``<temp>/taizhang-run-<pid>-<random>``; the pid says whose it is.
RUN_PREFIX = "taizhang-run-"
_RUN_NAME = re.compile(r"taizhang-run-(\d+)-")
#: Left by versions before the private folder: a reader child's result (a pickled workbook)
#: and a decrypted copy's folder.  Swept once older than any run of those versions could use.
_LEGACY = re.compile(r"taizhang-[a-z0-9_]{8}(?:\.result)?")
_LEGACY_AGE = 600
_folder: Path | None = None
_folder_lock = threading.Lock()


def private_folder() -> Path:
    """This run's own folder (0700) for whatever must touch the disk, made on first use.

    It is removed when this process exits; a run killed before that leaves it behind, and the
    next run to make its own folder removes it (:func:`sweep`).  A worker or reader child uses
    the folder of the run that started it (:func:`use_private_folder`)."""
    global _folder
    with _folder_lock:
        if _folder is not None and _folder.is_dir():
            return _folder
        sweep()
        folder = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-"))  # mode 0700
        atexit.register(_remove, folder, os.getpid())
        _folder = folder
        return folder


def use_private_folder(folder: Path) -> None:
    """In a child: the folder of the run that started it (that run removes it)."""
    global _folder
    _folder = folder


def _remove(folder: Path, owner: int) -> None:
    if os.getpid() == owner:  # not in a forked child that happens to run exit handlers
        shutil.rmtree(folder, ignore_errors=True)


def sweep(base: Path | None = None) -> list[Path]:
    """Remove what killed runs left in the temporary folder: private folders whose process
    is dead, and the leftovers of versions before them.  Only this user's; returns what went."""
    base = Path(base or tempfile.gettempdir())
    gone: list[Path] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return gone
    now = time.time()
    for entry in entries:
        name = entry.name
        if not name.startswith("taizhang-"):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                continue
            run = _RUN_NAME.match(name)
            if run is not None:
                if not entry.is_dir(follow_symlinks=False) or _alive(int(run.group(1))):
                    continue
                shutil.rmtree(entry.path)
            elif _LEGACY.fullmatch(name) and now - info.st_mtime > _LEGACY_AGE:
                if name.endswith(".result") and entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                elif entry.is_dir(follow_symlinks=False) and all(
                        n.startswith("book.") for n in os.listdir(entry.path)):
                    shutil.rmtree(entry.path)
                else:
                    continue
            else:
                continue
        except OSError:
            continue
        gone.append(Path(entry.path))
    return gone


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie does not); in doubt, yes."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - Windows
        return _alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rpartition(b")")[2].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def _alive_windows(pid: int) -> bool:  # pragma: no cover - Windows
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.OpenProcess.restype = ctypes.c_void_p
    kernel32.OpenProcess.argtypes = [ctypes.c_uint32, ctypes.c_int, ctypes.c_uint32]
    kernel32.GetExitCodeProcess.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32)]
    kernel32.CloseHandle.argtypes = [ctypes.c_void_p]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() != 87  # ERROR_INVALID_PARAMETER: no such process
    code = ctypes.c_uint32()
    try:
        return not kernel32.GetExitCodeProcess(ctypes.c_void_p(handle), ctypes.byref(code)) or code.value == 259
    finally:
        kernel32.CloseHandle(ctypes.c_void_p(handle))
