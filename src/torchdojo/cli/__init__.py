"""The ``torchdojo`` command line: a thin layer over the Python API, a module per verb."""
