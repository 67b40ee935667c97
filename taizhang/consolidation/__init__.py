"""The monthly consolidation: every unit's workbook merged into the bureau's master.

- ``roster``: the unit roster (单位名册) with aliases, and which unit a file is from;
- ``lock``: one consolidation of a master at a time, stale locks recovered;
- ``master``: the master workbook's own sheets, read back and written atomically;
- ``run``: the use case itself (``consolidate``).
"""
