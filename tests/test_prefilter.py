"""Files the byte prefilter skips are still read when a name resolves into them."""

from __future__ import annotations

import pytest


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


def test_only_files_that_can_matter_are_parsed(tmp_path):
    """A file is parsed when its bytes name a model, a table or a table reference, or when a
    name resolves into it; library code that only says `Table` or `relationship` in passing is not."""
    from tenantlint.config import load_config
    from tenantlint.engine import analyze

    (tmp_path / "pyproject.toml").write_text("[tool.tenantlint]\n")
    files = {
        "app/models/base.py": "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n",
        "app/models/mixins.py": "class Audited:\n    audited = True\n",  # no marker: read when resolved
        "app/models/user/order.py": (
            "from sqlalchemy import Column, Integer, Table\n"
            "from app.models.base import Base\n"
            "from app.models.mixins import Audited\n"
            "from app import log\n\n\n"
            "class Order(Audited, Base):\n"
            '    __tablename__ = "orders"\n'
            "    id = Column(Integer, primary_key=True)\n"
            '    note = Column(Integer, info=log.note("a call with a string, not a helper"))\n'
        ),
        "app/log.py": "def note(text):\n    return print(text)\n",  # no marker: a helper's module never is
        "app/shared/links.py": 'from sqlalchemy import Table, MetaData\n\nlinks = Table("links", MetaData())\n',
        "lib/report.py": "from rich.table import Table\n\nt = Table(show_header=True)  # a relationship of sorts\n",
        "lib/unrelated.py": "class Audited:\n    pass\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    analysis = analyze([tmp_path], load_config(None, [tmp_path]), use_cache=False)
    assert [(f.code, f.model) for f in analysis.findings] == [("TNT001", "Order")]
    assert sorted(f.relative for f in analysis.files) == [
        "app/models/base.py", "app/models/mixins.py", "app/models/user/order.py", "app/shared/links.py",
    ]


def _re_export_project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tenantlint]\ntenant-paths = ["app/models/user/**"]\n')
    db, user = tmp_path / "app" / "db", tmp_path / "app" / "models" / "user"
    db.mkdir(parents=True)
    user.mkdir(parents=True)
    for folder in (tmp_path / "app", user.parent, user):
        (folder / "__init__.py").write_text("")
    (db / "base.py").write_text("from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n")
    (db / "__init__.py").write_text("from .base import Base\n")  # no marker: skipped, read when named
    (user / "thing.py").write_text('from app.db import Base\n\n\nclass Thing(Base):\n    __tablename__ = "things"\n')
    return db / "__init__.py"


def test_a_skipped_file_is_read_again_when_named_and_one_unreadable_by_then_marks_the_run_transient(tmp_path, monkeypatch):
    """The prefilter keeps no skipped file's bytes (memory would grow with the tree): the file is
    read again when a name resolves into it. One that cannot be read by then is not read, and the
    run is marked transient, so its output is never replayed from the run cache."""
    from tenantlint import engine, parsing
    from tenantlint.config import load_config

    re_export = _re_export_project(tmp_path)
    config = load_config(None, [tmp_path])
    kept = engine.analyze([tmp_path], config, use_cache=False)
    assert [(f.code, f.model) for f in kept.findings] == [("TNT001", "Thing")]
    assert (kept.transient, sorted(p.name for p in kept.data)) == (False, ["__init__.py", "__init__.py", "base.py", "thing.py"])

    reads = []
    real_read = parsing.read_bytes

    def read(path, limit):
        reads.append(path)
        if path == re_export and reads.count(path) > 1:
            raise PermissionError(13, "Permission denied")
        return real_read(path, limit)

    monkeypatch.setattr(parsing, "read_bytes", read)
    gone = engine.analyze([tmp_path], config, use_cache=False, keep_sources=False)
    assert reads.count(re_export) == 2  # the scan, then the name resolution
    assert (sorted(f.relative for f in gone.files), gone.transient, gone.data) == (
        ["app/__init__.py", "app/db/base.py", "app/models/user/__init__.py", "app/models/user/thing.py"], True, {})
