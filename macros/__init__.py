"""Ribbon macros: the month-end work on the workbook in front of the clerk.

The macros (``macros.actions``) are written once against a small workbook interface
(``macros.port.WorkbookPort``) with two adapters: ``macros.xlwings_port`` for the live
workbook in Excel and ``macros.openpyxl_port`` for a file on disk, so the same code runs
headless and is tested on real files.  ``macros.ribbon.dispatch`` is what the ribbon's VBA
calls.
"""
