"""Errors a user can fix: the CLI prints them as one line and exits non-zero."""


class UserError(Exception):
    """Bad input from the user (a missing file, a wrong flag, a corrupt file).

    The CLI prints ``torchdojo: <message>`` and exits with status 2; never a
    traceback.
    """
