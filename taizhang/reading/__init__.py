"""Reading workbooks: from bytes on disk to the rows of each ledger, with where they came from.

- ``source``: open any Excel format (python-calamine) and refuse what is not a workbook;
- ``layout``: find a ledger's kind, header row and columns in a sheet;
- ``ledger``: turn the rows under the header into typed rows of the model.
"""
