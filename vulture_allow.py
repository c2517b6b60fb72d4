"""Names the dead-code check (vulture, in .ci/run) cannot see used: called by name or by a framework.

Each group says why; a new entry needs a reason of the same kind.
"""
# ruff: noqa: B018, F821

# pytest hooks of the judge's plugin, called by pytest.
pytest_configure, pytest_generate_tests, pytest_collection_modifyitems, pytest_runtest_setup
pytest_runtest_makereport, lab
# torch.nn.Module.forward, called by Module.__call__.
forward
# reprlib.Repr limits, read by reprlib itself.
maxother, maxstring, maxdict, maxfrozenset, maxlist, maxset, maxtuple, maxlevel
# zipfile.ZipInfo fields read by zipfile; Landlock ruleset fields read by the kernel; torch backend flags.
compress_type, external_attr, handled_access_net, scoped, allow_tf32
# Dask's WorkerPlugin interface.
idempotent, teardown
# The notebook API that generated notebooks call (torchdojo.learner.notebook).
nbgrader_points, quiz_points
# argparse's messages, listed for the catalog (cli/main.py); tempfile's module-level setting; the
# interpreter's bytecode-writing switch (sys.dont_write_bytecode), read by the import system.
ARGPARSE_MESSAGES, tempdir, dont_write_bytecode
# Format versions of typed files (manifest, lessons, quiz banks): declared for readers of the data.
format_version
# The class result's list of written outputs, part of the API grade_class returns.
outputs
# The closed set of student operations: members travel by value (wire.ops).
PING
