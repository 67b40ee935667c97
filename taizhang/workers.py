"""Per-file work in worker processes, for the commands that read a folder of workbooks.

``check``, ``summary`` and the consolidation do the same work on every file and only then
put the results together, so a folder's files can be read by two processes at once.
:func:`map_files` does that when it pays, and in this process otherwise; the results are the
same either way, in the files' order.

When it pays is a matter of how a worker starts:

- by ``fork`` (Linux), in about 15 ms, with everything this process has set up (the
  configuration, registered ledger kinds, logging): from :data:`FORK_THRESHOLD` files.  A
  worker only reads and checks files; the locks it takes that another thread of this process
  (a progress bar's, the local service's) could hold when it forks are the logging and import
  locks, which Python re-creates in a forked child;
- by ``spawn`` (Windows, macOS), by importing taizhang afresh: 0.5 to 1 s a worker measured
  here, so only from :data:`SPAWN_THRESHOLD` files, where reading half of them saves more
  than that.

A worker that dies while reading (a reader that aborts on a hostile file) loses no other
file: the files it had are read again one at a time, each in a pool of its own, so that only
the file that kills its reader is lost, and ``crashed(path)`` says what to report for it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

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


def start_context() -> tuple[multiprocessing.context.BaseContext, int]:
    """How workers start here, and from how many files that pays."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork"), FORK_THRESHOLD
    return multiprocessing.get_context("spawn"), SPAWN_THRESHOLD


def in_processes(count: int, jobs: int | None = None) -> bool:
    """Whether :func:`map_files` would read ``count`` files in worker processes."""
    jobs = default_jobs() if jobs is None else jobs
    return jobs > 1 and count >= start_context()[1]


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
    orphans: list[int] = []
    with _pool(jobs or default_jobs(), context, work, args) as pool:
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
    for i in sorted(orphans):
        results[i] = _alone(paths[i], context, work, args, crashed)
        if progress:
            progress(paths[i])
    return [results[i] for i in range(len(paths))]


def _pool(jobs: int, context: Any, work: Callable[..., Any], args: tuple) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                               initargs=(work, args))


def _init_worker(work: Callable[..., Any], args: tuple) -> None:
    global _WORK
    _WORK = (work, args)
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, once


def _run(path: Path) -> Any:
    assert _WORK is not None
    work, args = _WORK
    return work(path, *args)


def _alone(path: Path, context: Any, work: Callable[..., T], args: tuple, crashed: Callable[[Path], T]) -> T:
    with _pool(1, context, work, args) as pool:
        try:
            return pool.submit(_run, path).result()
        except BrokenProcessPool:
            return crashed(path)
