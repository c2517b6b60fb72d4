"""The wire between the student process and the judge: data only.

* :mod:`torchdojo.wire.job` - the typed grading job a caller sends to a judge
  (JSON, no torch needed);
* :mod:`torchdojo.wire.codec` - values as bytes: numbers, strings, bytes,
  lists/tuples/dicts of these, ``torch.dtype``/``torch.device``, tensors as raw
  bytes + dtype + shape, NumPy arrays, and opaque handles for objects that stay in
  the student process. Nothing is pickled; the judge's decoder builds only plain
  built-in types and plain ``torch.Tensor``;
* :mod:`torchdojo.wire.frames` - length-prefixed frames over a socket, with size
  limits and deadlines.

Both processes import this package; it imports nothing that grades.
"""


def N_(msgid: str) -> str:
    """gettext's no-op marker for messages said on this floor (the catalog, :mod:`torchdojo.text`, is a floor
    up): the message is extracted into the catalog and shown translated where it is read."""
    return msgid
