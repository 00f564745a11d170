"""TNT000 parse-error: a file in scope that cannot be read or parsed.

The engine reports it while reading files (`engine.load`), before any rule runs: there are no
facts to check. This module holds its documentation and examples.
"""

from __future__ import annotations

from tenantlint.rules import Invalid, Rule, Valid, example

PUBLIC_PATH = "app/models/public/example.py"

RULE = Rule(
    code="TNT000",
    name="parse-error",
    summary="a file in scope cannot be read or parsed",
    what="Reports a file in scope that Python cannot parse.",
    why="tenantlint cannot tell which models such a file holds, so it can neither check nor fix it.",
    example="class Product(Base)\n    __tablename__ = \"products\"",
    use_instead="class Product(Base):\n    __tablename__ = \"products\"",
    fix_safety="Never fixed; the file is left untouched and the run exits with 2.",
    fix_summary="never; exit 2",
    valid=(
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
''')),
        Valid("# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n"),
        Valid("def helper(:\n    pass\n", path="app/scripts/notes.txt"),  # not a Python file: not read
    ),
    invalid=(
        Invalid("class Product(Base)\n    __tablename__ = 'products'\n"),
        Invalid("class Plan(Base)\n    __tablename__ = 'plans'\n", path=PUBLIC_PATH),  # in scope anywhere, not only in tenant paths
        Invalid("# -*- coding: no-such-codec -*-\nx = 1\n"),  # cannot be decoded
    ),
)
