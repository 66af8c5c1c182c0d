"""JSON-LD as the server answers it: Oxigraph's output (already valid expanded JSON-LD, written on
one line) laid out for a person reading it.

Used wherever a description is answered in JSON-LD (``/def/`` and ``/.well-known/void``), so that
the two read alike.
"""

from __future__ import annotations

import json


def compact(data: bytes) -> bytes:
    """Oxigraph's JSON-LD, re-indented one space a level (the JSON-LD itself is unchanged: still
    expanded, with no context), with a final newline and non-ASCII characters kept as they are."""
    return (json.dumps(json.loads(data), indent=1, ensure_ascii=False) + "\n").encode()
