"""The question kinds: one module, one class each, registered in :data:`KINDS`.

==============  ==========================================================
``single``      :class:`~torchdojo.quiz.kinds.single.SingleChoice`
``multiple``    :class:`~torchdojo.quiz.kinds.multiple.MultipleSelect`
``true_false``  :class:`~torchdojo.quiz.kinds.true_false.TrueFalse`
``matching``    :class:`~torchdojo.quiz.kinds.matching.Matching`
``numeric``     :class:`~torchdojo.quiz.kinds.numeric.Numeric`
==============  ==========================================================

A new kind is a new module here with a :class:`~torchdojo.quiz.kinds.base.Question`
subclass decorated with :func:`~torchdojo.quiz.kinds.base.register`, imported
below; nothing else in the engine changes.
"""

from torchdojo.quiz.kinds.base import KINDS, Option, Question, register
from torchdojo.quiz.kinds.single import SingleChoice
from torchdojo.quiz.kinds.multiple import MultipleSelect
from torchdojo.quiz.kinds.true_false import TrueFalse
from torchdojo.quiz.kinds.matching import Matching
from torchdojo.quiz.kinds.numeric import Numeric

__all__ = ["KINDS", "Matching", "MultipleSelect", "Numeric", "Option", "Question", "SingleChoice",
           "TrueFalse", "register"]
