"""The use cases: the one place that strings reading, checks, figures and writing together.

Each takes a typed request (``requests``: frozen records declared once, which the command line
parses its arguments into, checked in plain Python, and the local service validates its JSON
into, through pydantic models derived from them) and gives an
:class:`~taizhang.usecases.common.Outcome`: the exit status, the ``--json`` shape, the
messages, and what a printer needs.  The faces (``cli``, ``serve``, the ribbon's macros,
``taizhang.api``) only translate input into a request and render the outcome.

- ``check.check`` (``taizhang check``), ``summarise.summarise`` (``taizhang summary``),
  ``report.report`` (``taizhang report``), ``consolidate.consolidate`` (``taizhang consolidate``).
- ``check.check_settled`` (files read and checked with the settings in force: ``taizhang.api.read``,
  ``report.make_report``) and ``report.render_report`` (the report of files already checked).
- ``book``: the same on the workbook in hand (the ribbon's 检查台账, 汇总统计, 生成汇报).
- ``files``: one file read and checked (``check_file``), and its share of the figures
  (``summarise_file``, what a worker process passes back); the figures of checked files.
- ``summarising``: the settings of a run settled, and the figures of files read in worker
  processes (``summarise_files``), or of files already checked (``summarise_checked``, for
  ``taizhang.api.summarise``), which ``summarise``, ``report``, ``book`` and the API share.

Nothing is imported here: a face imports the one use case it runs (start-up stays cheap).
"""
