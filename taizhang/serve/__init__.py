"""``taizhang serve``: the same commands over a local HTTP service, for offices without Excel.

A FastAPI application bound to 127.0.0.1 only.  Every request's ``Host`` must name this
service and an ``Origin``, when sent, must be this service's own (no other web page can drive
it, DNS rebinding included).  ``/api/*`` needs ``Authorization: Bearer TOKEN``; the token is
random, kept in a file only the user can read (``security.token_file``), and printed on the
first stdout line as ``http://127.0.0.1:PORT/#token=TOKEN``.  Paths in requests must lie in
the allowed folders.

- ``POST /api/check|summary|report|consolidate`` take the command's long options as JSON
  (``options``) and answer its ``--json`` shape, computed by the very functions the command
  line prints (``taizhang.usecases``); the exit status is the ``X-Taizhang-Exit`` header.
- ``/`` is a plain page for any browser; ``/wps/`` is the WPS add-in (``ribbon.xml``,
  ``index.html``, ``main.js``, the task pane), see ``static/``.  ``taizhang wps install`` copies
  the add-in into WPS's own add-in folder (``install``); that copy first asks
  ``/wps/hello`` for the service's proof before it sends the token (``wpsaddin``).
"""

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """``create_app``, imported when asked for: the command line reads the service's port and
    loopback address from ``serve.security`` without loading FastAPI."""
    if name == "create_app":
        from taizhang.serve.app import create_app

        return create_app
    raise AttributeError(name)
