"""A lean pool of forked worker processes (Linux): what :func:`taizhang.workers.map_files` uses
where workers start by ``fork``.

``concurrent.futures.ProcessPoolExecutor`` does the same job for any start method, at a price
a folder of small workbooks feels: importing it (multiprocessing, sockets, subprocess) before
the first worker starts, a thread in this process that wakes for every file, and a worker
that takes each file from a queue guarded by a lock and puts its result back through
another.  Measured on a 72-unit month, the run spent about 0.14 s more processor time that
way than reading the files with two plain forked children.  Forked children need none of
it: they inherit the work, its arguments and the paths, so only a file's number goes to a
child (four bytes down a pipe) and its pickled result comes back (up another).

Each child is given two files ahead (so it never waits for this process between files);
as each result comes back, its child gets the next file.  A child that dies (a reader that
aborts on a hostile file) loses only the files it had been given: their numbers are handed
back as *orphans*, for the caller to run one at a time, while the other children read on.
An exception raised by the work in a child is raised here, its frames given as the cause
(:class:`RemoteTraceback`), as ``concurrent.futures`` does.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import sys
import traceback
from collections import deque
from contextlib import AbstractContextManager
from typing import Any, Callable, TypeVar

T = TypeVar("T")

#: Files a child is given ahead of the one it reads: it never waits for this process.
AHEAD = 2
_NUMBER = struct.Struct("<I")
_SIZE = struct.Struct("<Q")


class RemoteTraceback(Exception):
    """The frames of an exception raised in a child, as the cause of the one raised here."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


class _Child:
    """A forked child as this process sees it: its pid, the pipe its files go down, the pipe its
    results come up, and the files given to it and not yet answered."""

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid, self.tasks, self.results = pid, tasks, results
        self.given: deque[int] = deque()

    def give(self, number: int) -> None:
        """Hand the child a file; one that has just died keeps it, orphaned when its end is read."""
        self.given.append(number)
        try:
            os.write(self.tasks, _NUMBER.pack(number))
        except BrokenPipeError:
            pass


def map_forked(call: Callable[[int], T], count: int, jobs: int, *,
               child_init: Callable[[], None],
               forking: Callable[[], AbstractContextManager[Any]],
               done: Callable[[int, T], None]) -> list[int]:
    """``call(i)`` for each ``i`` in ``range(count)``, in ``jobs`` forked children; ``done(i,
    result)`` is called here as each comes back, in the order they finish.  Returns the
    numbers given to a child that died before answering them (in the order given).

    ``child_init()`` runs first in each child; the children are forked inside ``forking()``
    (what must hold while a process forks: Ctrl-C held, the collector frozen)."""
    children: list[_Child] = []
    orphans: list[int] = []
    waiting = deque(range(count))
    try:
        with forking():
            for _ in range(max(1, min(jobs, count))):
                children.append(_fork(call, child_init, children))
        for child in children:
            while waiting and len(child.given) < AHEAD:
                child.give(waiting.popleft())
        live = {child.results: child for child in children}
        while any(child.given for child in live.values()):
            poll = select.poll()  # not select(): a long-lived process (the service) may hold fds past 1024
            for fd, child in live.items():
                if child.given:
                    poll.register(fd, select.POLLIN)
            for fd, _event in poll.poll():
                child = live[fd]
                message = _receive(fd)
                if message is None:  # the child died: what it had is orphaned
                    orphans.extend(child.given)
                    child.given.clear()
                    del live[fd]
                    _end(child, kill=True)
                    continue
                number, ok, value = message
                child.given.popleft()
                if not ok:
                    raise _raised(value)
                if waiting:
                    child.give(waiting.popleft())
                done(number, value)
            if not live:  # every child died: the files not yet given are orphans too
                orphans.extend(waiting)
                waiting.clear()
    except BaseException:
        for child in children:
            _end(child, kill=True)
        raise
    for child in children:
        _end(child, kill=False)
    return orphans


def _fork(call: Callable[[int], Any], child_init: Callable[[], None], others: list[_Child]) -> _Child:
    tasks_r, tasks_w = os.pipe()
    results_r, results_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 1
        try:
            os.close(tasks_w)
            os.close(results_r)
            for other in others:  # the pipes of the children forked before this one
                for fd in (other.tasks, other.results):
                    os.close(fd)
            _quiet_stdin()
            child_init()
            _serve(call, tasks_r, results_w)
            status = 0
        except BaseException as exc:  # noqa: BLE001 - nothing may escape a forked child
            _log_failure(exc)
        finally:
            os._exit(status)
    os.close(tasks_r)
    os.close(results_w)
    return _Child(pid, tasks_w, results_r)


def _log_failure(exc: BaseException) -> None:
    """A child that failed outside the work (its start, its pipes): the trace to the log (the
    clerk sees the files it had read again, or reported, by the parent), never to the terminal."""
    try:
        import logging

        from taizhang.logs import trace_for_log

        logging.getLogger("taizhang.workers").error("worker process failed\n%s", trace_for_log(exc))
    except BaseException:  # noqa: BLE001 - nothing may escape a forked child
        pass


def _quiet_stdin() -> None:
    """The child reads nothing from the terminal (as multiprocessing's children)."""
    try:
        sys.stdin.close()
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the child
    except (OSError, ValueError, AttributeError):
        pass


def _serve(call: Callable[[int], Any], tasks: int, results: int) -> None:
    """In a child: read each file's number, answer with its result (or the exception raised),
    until this process closes the pipe."""
    while True:
        head = _read(tasks, _NUMBER.size)
        if head is None:
            return
        (number,) = _NUMBER.unpack(head)
        try:
            message: tuple = (number, True, call(number))
        except Exception as exc:  # noqa: BLE001 - raised again in the parent
            message = (number, False, _carried(exc))
        try:
            data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - a result that cannot be pickled: said as an error
            data = pickle.dumps((number, False, _carried(exc)), pickle.HIGHEST_PROTOCOL)
        _write(results, _SIZE.pack(len(data)) + data)


def _carried(exc: BaseException) -> tuple[BaseException | None, str, str]:
    """An exception as it crosses to the parent: itself where it pickles, and its frames."""
    frames = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
        carried: BaseException | None = exc
    except Exception:  # noqa: BLE001
        carried = None
    return carried, type(exc).__name__, frames


def _raised(value: tuple[BaseException | None, str, str]) -> BaseException:
    exc, name, frames = value
    if exc is None:
        exc = RuntimeError(f"{name} raised in a worker process")
    exc.__cause__ = RemoteTraceback(f'\n"""\n{frames}"""')
    return exc


def _receive(fd: int) -> tuple | None:
    """The next message a child sent, or None when it has gone (its end of the pipe closed)."""
    head = _read(fd, _SIZE.size)
    if head is None:
        return None
    body = _read(fd, _SIZE.unpack(head)[0])
    return None if body is None else pickle.loads(body)


def _read(fd: int, size: int) -> bytes | None:
    """Exactly ``size`` bytes from ``fd``, or None at its end (unbuffered, so that ``poll``
    sees every byte not yet read)."""
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _end(child: _Child, *, kill: bool) -> None:
    """Close the child's pipes (it ends when its pipe of files closes), killed first when asked,
    and wait for it to go."""
    if child.pid == 0:
        return
    if kill:
        try:
            os.kill(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for fd in (child.tasks, child.results):
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        os.waitpid(child.pid, 0)
    except ChildProcessError:
        pass
    child.pid = 0
