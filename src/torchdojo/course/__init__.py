"""The course as data: manifest, lessons, quiz banks and their engine, stubs, targets, the glossary.

The data sets and the pretrained backbone that student code imports are rooms of
their own (:mod:`torchdojo.datasets`, :mod:`torchdojo.models`), on the same floor.
"""
