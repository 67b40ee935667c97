"""taizhang (台账): read, check, roll up and consolidate the ledgers of a discipline-inspection office.

The package is the headless core: no Excel needed.  ``udfs``, ``macros`` and ``addin`` are
thin Excel layers over it; ``taizhang.cli`` is the command line.
"""

__version__ = "0.1.0"
