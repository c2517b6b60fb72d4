"""Errors a user can fix: the CLI prints them as one line and exits with status 2."""

from __future__ import annotations

from typing import Any

from torchdojo.text.i18n import tr


class UserError(Exception):
    """Bad input from the user (a missing file, a wrong flag, a corrupt file).

    ``UserError(msgid, **params)``: ``msgid`` is an English ``str.format``
    template with named fields, listed in the gettext catalog
    (:mod:`torchdojo.text.i18n`); the error is translated when it is shown, so code
    deep in the library raises it without knowing the user's language. The CLI
    prints ``torchdojo: <message>`` in the chosen language and exits with status
    2; never a traceback. ``str(error)`` is the English text.
    """

    def __init__(self, message: str, /, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def render(self, lang: str) -> str:
        """The message in ``lang``."""
        return tr(lang, self.message, **self.params)

    def __str__(self) -> str:
        return self.render("en")

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle their args only; the fields must travel too (Dask workers).
        return (_rebuild, (type(self), self.message, self.params))


def _rebuild(cls: type[UserError], message: str, params: dict[str, Any]) -> UserError:
    return cls(message, **params)
