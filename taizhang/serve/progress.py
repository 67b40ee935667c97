"""Progress of the runs in flight, by the job id the client chose (``X-Taizhang-Job``)."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Finished runs kept for a late poll; the oldest are forgotten first.
KEEP = 200


class Runs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, dict[str, Any]] = {}

    def start(self, job: str, command: str) -> None:
        with self._lock:
            self._runs[job] = {"job": job, "command": command, "state": "running", "done": 0,
                               "total": None, "file": None, "started": time.time(), "exit": None}
            while len(self._runs) > KEEP:
                self._runs.pop(next(iter(self._runs)))

    def advance(self, job: str, done: int, total: int | None, name: str) -> None:
        with self._lock:
            run = self._runs.get(job)
            if run is not None:
                run.update(done=done, total=total, file=name or run["file"])

    def finish(self, job: str, code: int | None) -> None:
        with self._lock:
            run = self._runs.get(job)
            if run is not None:
                run.update(state="done" if code is not None else "failed", exit=code)

    def get(self, job: str) -> dict[str, Any] | None:
        with self._lock:
            run = self._runs.get(job)
            return dict(run) if run else None
