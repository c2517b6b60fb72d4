"""Recipes: trusted builders and probes that run in the student process.

When a grader must hand student code an object (a model, a loss function, an
optimiser, a DataLoader) or observe something only the student process can see
(its global random state), it does not build the object itself: it names a
recipe, and this trusted code of the course builds it on the student's side.
The judge then checks what was built against its own twin, built by the same
recipe in the judge (:func:`torchdojo.judge.remote.StudentModule.recipe`), so a
submission that altered ``torch.nn`` at import cannot slip a different object
into a test.

Recipes are plain functions of data (and handles, which arrive as the objects
they stand for); each topic registers its own in a module of this package.
No recipe contains a solution to an exercise.
"""

from __future__ import annotations

from typing import Any, Callable

RECIPES: dict[str, Callable[..., Any]] = {}


def recipe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``fn`` under its name."""
    if fn.__name__ in RECIPES:
        raise ValueError(f"recipe {fn.__name__!r} registered twice")
    RECIPES[fn.__name__] = fn
    return fn


def run(name: str, kwargs: dict[str, Any]) -> Any:
    """Run recipe ``name`` (in whichever process calls it)."""
    try:
        fn = RECIPES[name]
    except KeyError:
        raise KeyError(f"unknown recipe {name!r}") from None
    return fn(**kwargs)


def _register_all() -> None:
    """Import every module of this package (each registers its recipes)."""
    import importlib
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        importlib.import_module(f"{__name__}.{info.name}")


_register_all()
