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


@pytest.mark.parametrize(
    "model",
    [
        "from app.db import Base\n\n\nclass Thing(Base):\n",
        "from app.db import Base as B\n\n\nclass Thing(B):\n",
        "import app.db as d\n\n\nclass Thing(d.Base):\n",
    ],
)
def test_a_base_re_exported_by_a_module_without_markers_is_resolved(tmp_path, model):
    from tenantlint.config import load_config
    from tenantlint.engine import analyze

    (tmp_path / "pyproject.toml").write_text('[tool.tenantlint]\ntenant-paths = ["app/models/user/**"]\n')
    db = tmp_path / "app" / "db"
    user = tmp_path / "app" / "models" / "user"
    db.mkdir(parents=True)
    user.mkdir(parents=True)
    for folder in (tmp_path / "app", db, user.parent, user):
        (folder / "__init__.py").write_text("")
    (db / "base.py").write_text("from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n")
    (db / "__init__.py").write_text("from .base import Base\n\n__all__ = ['Base']\n")  # no marker
    (user / "thing.py").write_text(model + '    __tablename__ = "things"\n')
    (tmp_path / "app" / "other.py").write_text("class Unrelated:\n    pass\n")
    analysis = analyze([tmp_path], load_config(None, [tmp_path]), use_cache=False)
    assert [(f.code, f.model, f.line) for f in analysis.findings] == [("TNT001", "Thing", 4)]
    assert sorted(f.relative for f in analysis.files) == [
        "app/db/__init__.py", "app/db/base.py", "app/models/user/__init__.py", "app/models/user/thing.py",
    ]
