"""pytest's hooks and the shared fixtures; the helpers the tests import are in ``fixtures.py``."""

from __future__ import annotations

import pytest

from taizhang.config import default_config


@pytest.fixture(scope="session")
def config():
    """The shipped defaults, whatever the developer's machine has configured."""
    return default_config()


@pytest.fixture(autouse=True)
def _no_office_config(monkeypatch, tmp_path_factory):
    """Tests use the shipped defaults, whatever the developer's machine has configured."""
    monkeypatch.delenv("TAIZHANG_CONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.getbasetemp()))
    monkeypatch.delenv("APPDATA", raising=False)


@pytest.fixture(autouse=True, scope="session")
def _addin_log_in_a_temporary_folder(tmp_path_factory):
    """The add-in's log (addin.logs) goes to a temporary folder, never the user's profile."""
    import os

    old = os.environ.get("TAIZHANG_LOG_DIR")
    os.environ["TAIZHANG_LOG_DIR"] = str(tmp_path_factory.mktemp("taizhang-logs"))
    yield
    if old is None:
        os.environ.pop("TAIZHANG_LOG_DIR", None)
    else:
        os.environ["TAIZHANG_LOG_DIR"] = old
