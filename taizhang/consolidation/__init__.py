"""The monthly consolidation: every unit's workbook merged into the bureau's master.

- ``roster``: the unit roster (单位名册) with aliases, and which unit a file is from;
- ``lock``: one consolidation of a master at a time, stale locks recovered;
- ``master``: the master workbook's own sheets, read back and written atomically;
- ``outcomes``: what a run deals in (rows, files' outcomes, the result, its error);
- ``intake``: the folder's files read and checked, the roster loaded;
- ``merge``: the files' rows merged into the master's tables;
- ``handedits``: the clerk's edits to the master, kept or refused;
- ``store``: the master's rows kept beside it in SQLite (``tagging``: values in JSON;
  ``typedrows``: the rows the figures are computed from);
- ``sheetxml``, ``sheetfill``, ``deflate``: the master's sheets written as XML from the store;
- ``run``: the use case itself (``consolidate``).
"""
