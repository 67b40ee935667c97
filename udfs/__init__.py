"""Worksheet functions (xlwings UDFs): ``=REFUND_TOTAL(退费台账!A1:K200)`` and friends.

``udfs.functions`` holds them; each is a thin wrapper over plain Python that the tests call
with row lists shaped as xlwings passes a range (``ndim=2``).
"""
