"""The public test file of a topic in the student edition: a bilingual student document.

It runs with plain pytest in the student's environment (no catalog there), so its
messages are written in both languages side by side, ``"es / en"``, and
:mod:`torchdojo.learner.public_tests` splits them again to show one.
"""

PUBLIC_TEST = '''\
"""Pruebas públicas de `{topic}`: solo nombres y firmas / Public tests of `{topic}`: names and signatures only.

La nota la da `torchdojo check` con los correctores de tu docente /
The grade comes from `torchdojo check` with your instructor's graders.
"""

import inspect
import os
from pathlib import Path

import pytest

from torchdojo.student.loader import LoadError, load_module

#: What the graders call: name -> parameter names.
EXPECTED = {expected!r}
HERE = Path(__file__).resolve().parent
WORKSPACES = ([Path(os.environ["TORCHDOJO_WORKSPACE"])] if os.environ.get("TORCHDOJO_WORKSPACE")
              else [HERE.parent / sub for sub in ("", "py", "notebooks")])


@pytest.fixture(scope="module")
def student():
    for folder in WORKSPACES:
        for suffix in (".py", ".ipynb"):
            path = folder / ("{module}" + suffix)
            if path.is_file():
                try:
                    return load_module(path, "{module}").module
                except LoadError as exc:
                    pytest.fail(f"{{exc.es}} / {{exc.en}}", pytrace=False)
    pytest.skip("no hay {module}.py ni {module}.ipynb / no {module}.py or {module}.ipynb")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_defined_with_its_signature(student, name):
    obj = getattr(student, name, None)
    assert callable(obj), f"falta {{name}} / {{name}} is missing"
    params = list(inspect.signature(obj).parameters)
    assert params == EXPECTED[name], (
        f"{{name}}{{tuple(params)}}: se esperaban los parámetros {{EXPECTED[name]}} / "
        f"{{name}}{{tuple(params)}}: expected the parameters {{EXPECTED[name]}}")
'''
