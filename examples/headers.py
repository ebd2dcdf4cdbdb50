"""Reading HTTP/1.1 header blocks."""

from __future__ import annotations


def split_header_line(line: str) -> tuple[str, str]:
    """Split `Name: value` into a lower-case name and a stripped value."""
    name, _, value = line.partition(":")
    return name.strip().lower(), value.strip()


def parse_headers(block: str) -> dict[str, list[str]]:
    """Parse a header block into a mapping of lower-case names to their values."""
    headers: dict[str, list[str]] = {}
    # TODO: parse each line with split_header_line, folding continuation lines
    # that start with whitespace into the previous value
    return headers


def content_length(headers: dict[str, list[str]]) -> int | None:
    """The Content-Length, or None when absent; reject conflicting values."""
    raise NotImplementedError("content_length")
