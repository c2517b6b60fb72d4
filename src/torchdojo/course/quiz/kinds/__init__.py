"""The question kinds: one module, one class each, registered in :data:`KINDS`.

==============  ==========================================================
``single``      :class:`~torchdojo.course.quiz.kinds.single.SingleChoice`
``multiple``    :class:`~torchdojo.course.quiz.kinds.multiple.MultipleSelect`
``true_false``  :class:`~torchdojo.course.quiz.kinds.true_false.TrueFalse`
``matching``    :class:`~torchdojo.course.quiz.kinds.matching.Matching`
``numeric``     :class:`~torchdojo.course.quiz.kinds.numeric.Numeric`
==============  ==========================================================

A new kind is a new module here with a :class:`~torchdojo.course.quiz.kinds.base.Question`
subclass decorated with :func:`~torchdojo.course.quiz.kinds.base.register`, imported
below; nothing else in the engine changes.
"""

from torchdojo.course.quiz.kinds.base import KINDS, Option, Question, register
from torchdojo.course.quiz.kinds.single import SingleChoice
from torchdojo.course.quiz.kinds.multiple import MultipleSelect
from torchdojo.course.quiz.kinds.true_false import TrueFalse
from torchdojo.course.quiz.kinds.matching import Matching
from torchdojo.course.quiz.kinds.numeric import Numeric

__all__ = ["KINDS", "Matching", "MultipleSelect", "Numeric", "Option", "Question", "SingleChoice",
           "TrueFalse", "register"]
