"""``python -m torchdojo``: the command line."""

import os
import sys

# With ``-m`` Python puts the working folder first on the path: a learner's ``json.py`` there would
# shadow the standard library in this process, which runs no sandbox. torchdojo is imported already.
_here = os.path.realpath(os.getcwd())
sys.path[:] = [p for p in sys.path if p and os.path.realpath(p) != _here]

from torchdojo.cli.main import main  # noqa: E402

raise SystemExit(main())
