"""``taizhang.forkpool``: forked children read the files, their results come back in any order
and are kept by number; a child that dies costs only the files it had; an error raised in a
child is raised here with its frames; no child outlives the call."""

from __future__ import annotations

import contextlib
import os
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="children are forked on Linux only")

from taizhang.forkpool import RemoteTraceback, map_forked  # noqa: E402


def _run(call, count, jobs=2):
    done: dict[int, object] = {}

    def record(i, value):
        assert i not in done  # each number answered once
        done[i] = value

    orphans = map_forked(call, count, jobs, child_init=lambda: None, forking=contextlib.nullcontext, done=record)
    return done, orphans


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_every_number_is_answered_once_by_a_child():
    done, orphans = _run(lambda i: (i * i, os.getpid()), 50)
    assert orphans == [] and sorted(done) == list(range(50))
    assert all(value == i * i for i, (value, _) in done.items())
    assert os.getpid() not in {pid for _, pid in done.values()} and _no_children_left()


def test_a_child_that_dies_costs_only_the_files_it_had():
    def call(i):
        if i == 7:
            os._exit(3)  # a reader that aborts
        return i

    for _ in range(3):
        done, orphans = _run(call, 40)
        assert 7 in orphans and 7 not in done
        assert set(done) | set(orphans) == set(range(40)) and not set(done) & set(orphans)
        assert all(done[i] == i for i in done)
        assert len(orphans) <= 2  # the file that killed it and the one given ahead
        assert _no_children_left()


def test_a_file_given_to_a_child_that_has_just_died_is_orphaned_not_an_error():
    """The child answers file 0 (a large result, which this process takes a while to read),
    then dies on file 1; file 2 goes down its pipe after its death (a broken pipe)."""
    def call(i):
        if i == 1:
            os._exit(3)
        return b"x" * (8 << 20) if i == 0 else i

    for _ in range(3):
        done, orphans = _run(call, 4, jobs=1)
        assert len(done[0]) == 8 << 20 and orphans == [1, 2, 3]  # every child died: the rest too
        assert _no_children_left()


def test_an_error_in_a_child_is_raised_here_with_the_childs_frames():
    def failing_work(i):
        if i == 5:
            raise ValueError("bad cell")
        return i

    with pytest.raises(ValueError, match="bad cell") as raised:
        _run(failing_work, 20)
    cause = raised.value.__cause__
    assert isinstance(cause, RemoteTraceback) and "failing_work" in str(cause)
    assert _no_children_left()


def test_an_error_that_cannot_cross_is_said_by_its_name():
    class Local(Exception):  # a local class cannot be pickled
        pass

    def call(i):
        raise Local("x")

    with pytest.raises(RuntimeError, match="Local raised in a worker process"):
        _run(call, 3)
    assert _no_children_left()


def test_pipes_numbered_past_1024_are_waited_on():
    """A long-lived process (the service) may hold many files open: the children's pipes then
    get numbers past 1024, which ``select`` cannot wait on."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("this system allows fewer than 1,200 open files")
    wanted = max(soft, 1200) if hard == resource.RLIM_INFINITY else min(hard, max(soft, 1200))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    held = []
    try:
        while True:
            fd = os.open(os.devnull, os.O_RDONLY)
            held.append(fd)
            if fd >= 1030:
                break
        done, orphans = _run(lambda i: i + 1, 10)
        assert orphans == [] and done == {i: i + 1 for i in range(10)}
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_child_that_fails_to_start_orphans_its_files_and_says_nothing_on_the_terminal(capfd):
    def broken_start():
        raise RuntimeError("cannot start")

    orphans = map_forked(lambda i: i, 5, 2, child_init=broken_start, forking=contextlib.nullcontext,
                         done=lambda i, v: pytest.fail("no child answers"))
    assert sorted(orphans) == [0, 1, 2, 3, 4]
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # the trace goes to the log, not to the clerk's terminal
    assert _no_children_left()
