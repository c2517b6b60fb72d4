"""A value the student process cannot send is said in the learner's language, with why (wire.codec's refusals)."""

from __future__ import annotations

import pytest
import torch

from torchdojo.judge.compare import equal, number, require_tensor
from torchdojo.judge.feedback import Feedback
from torchdojo.wire.codec import REFUSALS, Decoder, Unsendable, encode


def _sent(value):
    return Decoder(encode(value), handle=lambda *a: None).decode()


@pytest.mark.parametrize("value, es, en", [
    (torch.arange(4.0).reshape(2, 2).to_sparse(), "devuelve un tensor denso", "return a dense tensor"),
    (torch.zeros(2, device="meta"), "sin valores ordinarios", "without ordinary values"),
])
def test_a_tensor_that_cannot_be_sent_is_explained_in_both_languages(value, es, en):
    got = _sent(value)
    assert isinstance(got, Unsendable)
    with pytest.raises(Feedback) as caught:
        require_tensor(got, "f(x)")
    assert es in caught.value.es and "no se puede leer como dato" in caught.value.es
    assert en in caught.value.en and "cannot be read as data" in caught.value.en
    assert en not in caught.value.es


@pytest.mark.parametrize("check", [lambda got: number(got, "loss"), lambda got: equal(got, 3, "n")])
def test_a_number_that_cannot_be_sent_is_explained_too(check):
    got = _sent(10 ** 5000)
    assert isinstance(got, Unsendable)
    with pytest.raises(Feedback) as caught:
        check(got)
    assert "dígitos" in caught.value.es and "digits" not in caught.value.es
    assert "digits" in caught.value.en


def test_every_refusal_is_a_catalog_message_with_a_spanish_translation():
    from torchdojo.text.i18n import catalog

    es = catalog("es")
    assert all(es.gettext(msgid) != msgid for msgid in REFUSALS)
