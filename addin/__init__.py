"""The Excel add-in: the ribbon tab 纪检台账, its VBA glue, and building and installing it.

``addin.actions`` is the one registry of ribbon buttons; ``addin.ribbon`` and ``addin.vba``
generate the customUI XML and the VBA dispatcher from it; ``addin.build`` writes them out
and builds the ``.xlam`` from xlwings' ribbon add-in template; ``addin.install`` puts it
into Excel (Windows only).
"""
