"""Reporters: they write a `Report` to the stream or the files they are given."""
