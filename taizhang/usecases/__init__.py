"""The use cases: the one place that strings reading, checks, figures and writing together.

Each takes a typed request (``requests``: pydantic models the command line parses its
arguments into and the local service validates its JSON into) and gives an
:class:`~taizhang.usecases.common.Outcome`: the exit status, the ``--json`` shape, the
messages, and what a printer needs.  The faces (``cli``, ``serve``, the ribbon's macros,
``taizhang.api``) only translate input into a request and render the outcome.

- ``check.check`` (``taizhang check``), ``summarise.summarise`` (``taizhang summary``),
  ``report.report`` (``taizhang report``), ``consolidate.consolidate`` (``taizhang consolidate``).

Nothing is imported here: a face imports the one use case it runs (start-up stays cheap).
"""
