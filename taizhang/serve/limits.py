"""What keeps slow or many connections from stalling the service for the user.

uvicorn (h11) already bounds a request's head (``h11_max_incomplete_event_size``) and closes
an idle kept-alive connection (``timeout_keep_alive``); it does not close a connection that
never finishes its head, and every open connection holds a file descriptor, so a thousand
connections sending a header a byte at a time would exhaust them: ``accept`` would then fail
in a loop (stderr filled with "Too many open files") and the user's own request could not
get in.  Here:

- :class:`GuardedH11Protocol` closes a connection whose request head has not arrived within
  :data:`HEADER_TIMEOUT` seconds (at its start, and between requests), and keeps the open
  connections under :func:`connection_cap`: when a new one would pass it, the oldest
  connection still waiting for its head is closed, so that a new request (the user's, sent
  at once) always gets in;
- :func:`raise_open_files` lifts the soft limit on open files to the hard one (at most
  :data:`OPEN_FILES_WANTED`);
- :class:`OnceFilter` lets a repeated error through to the log once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a connection may take to send a request's head (a browser sends it at once).
HEADER_TIMEOUT = 10.0
#: Open files this service asks the system for (the soft limit is often 1024).
OPEN_FILES_WANTED = 8192
#: File descriptors kept free of connections: workbooks, worker pipes, the template child,
#: and a burst of connections accepted at once (up to :data:`BACKLOG`) before any is closed.
RESERVED_FILES = 192
#: Connections waiting to be accepted, and accepted in one go.
BACKLOG = 64
#: Connections at most, however many files are allowed (one user needs a handful).
MAX_CONNECTIONS = 1000


def open_files_limit() -> int | None:
    try:
        import resource
    except ImportError:  # Windows: no such limit on sockets
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def raise_open_files() -> int | None:
    """Lift the soft limit on open files towards the hard one; the soft limit now."""
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = OPEN_FILES_WANTED if hard == resource.RLIM_INFINITY else min(hard, OPEN_FILES_WANTED)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (OSError, ValueError):
            pass
    return open_files_limit()


def connection_cap(open_files: int | None = None) -> int:
    """How many connections may be open at once: below the open-files limit, with room kept
    for the work itself."""
    limit = open_files_limit() if open_files is None else open_files
    if limit is None:
        return MAX_CONNECTIONS
    return max(16, min(MAX_CONNECTIONS, limit - RESERVED_FILES))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's head and a cap on the
    connections (see the module)."""

    cap: int = MAX_CONNECTIONS
    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._made = self.loop.time()
        self._head_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._await_head()
        if len(self.connections) > self.cap:
            self._make_room()

    def _await_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_late)

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _head_late(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> None:
        waiting = [c for c in self.connections if isinstance(c, GuardedH11Protocol) and c is not self
                   and c._waiting_for_head() and not c.transport.is_closing()]
        if waiting:
            oldest = min(waiting, key=lambda c: c._made)
            oldest.transport.close()
        else:  # every other connection is being answered: this one waits its turn elsewhere
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()  # the next request on this connection has its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        if getattr(self, "_head_timer", None) is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)


def guarded_protocol(cap: int) -> type[GuardedH11Protocol]:
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"cap": cap})


class OnceFilter(logging.Filter):
    """Lets each message (by its template) through once; later repeats are dropped, so an
    error raised in a loop writes one line, not megabytes."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[str, Any]] = set()
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.msg if isinstance(record.msg, str) else repr(record.msg)
        key = (record.name, text.split("\n", 1)[0])
        with self._lock:
            if key in self._seen:
                return False
            if len(self._seen) > 10_000:
                self._seen.clear()
            self._seen.add(key)
        return True


def log_repeats_once() -> None:
    """Install :class:`OnceFilter` on the loggers the server writes its errors to."""
    once = OnceFilter()
    for name in ("asyncio", "uvicorn", "uvicorn.error"):
        logging.getLogger(name).addFilter(once)
