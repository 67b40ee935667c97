"""Files worked out once and kept beside a module's bytecode, as Python keeps the bytecode itself.

taizhang keeps two: the compiled methods of its dataclasses (``taizhang.records``) and its
shipped data files parsed (``taizhang.config``).  Each lives in the ``__pycache__`` folder
beside its module, or in the same folders under ``sys.pycache_prefix`` (``PYTHONPYCACHEPREFIX``)
where one is set; is written whole or not at all (a file of its own, then renamed over the old
one); and is not written where Python writes no bytecode (``-B``, ``PYTHONDONTWRITEBYTECODE``)
nor where the folder cannot be written (an installation the user may not change): there each
process works it out again, as before.  Whoever reads one checks that it is what it stands
for and works it out again when it is not.
"""

from __future__ import annotations

import os
import sys


def beside_bytecode(source: str, name: str) -> str:
    """The path of ``name`` in the folder where Python keeps the bytecode of the module file
    ``source`` (what ``importlib.util.cache_from_source`` gives, without importing it)."""
    folder = os.path.dirname(os.path.abspath(source))
    if sys.pycache_prefix:
        inside = os.path.splitdrive(folder)[1].lstrip(os.sep + (os.altsep or ""))
        return os.path.join(sys.pycache_prefix, inside, name)
    return os.path.join(folder, "__pycache__", name)


def keep(path: str, data: bytes) -> bool:
    """Write ``data`` to ``path`` whole (through a file of its own, renamed over it), unless
    Python writes no bytecode; whether it was written.  Never raises."""
    if sys.dont_write_bytecode:
        return False
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as fh:
            fh.write(data)
        os.replace(temporary, path)
        return True
    except (OSError, ValueError):
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False
