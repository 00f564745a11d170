"""The second-pass word test finds exactly what `\\bname\\b` finds."""

from __future__ import annotations

import re

import pytest

from tenantlint.engine import _mentions

NAMES = {"Base", "Model", "db", "Café"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"from app.base import Base\n", True),
        (b"class X(BaseModel): pass\n", False),
        (b"x = 1Base + Base_\n", False),
        (b"ModelBase = Models\n", False),
        (b"session = db.session\n", True),
        ("x = Café()\n".encode(), False),  # \b after a non-ASCII byte never matches, as with the regex
        ("Café_x = 1\n".encode(), True),  # ... and after it, before a word character, does
        (b"", False),
    ],
)
def test_mentions_matches_the_word_boundary_regex(data, expected):
    regex = re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in sorted(NAMES)) + rb")\b")
    assert _mentions(NAMES)(data) is expected
    assert bool(regex.search(data)) is expected
