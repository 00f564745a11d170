"""Issue 11 item 3: a `Table` wrapper (`def Table(*a, **k): return sa.Table(*a, **k)`) is SQLAlchemy's
Table, in the same module or imported from another project module (buildbot's `sautils.Table`)."""

from __future__ import annotations

import pytest
from conftest import run_tenantlint, write_tree
from sqla_probe import sqlalchemy_says

PYPROJECT = '[tool.tenantlint]\ntenant-paths = ["app/models/user/**"]\n'
WRAPPER = '''\
import sqlalchemy as sa


def Table(*args, **kwargs):
    """Wrap table creation to add dialect options."""
    kwargs["mysql_engine"] = "InnoDB"
    return sa.Table(*args, **kwargs)
'''
TABLES = '''
metadata = sa.MetaData()

users = {callee}(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
)
posts = {callee}(
    "posts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id")),
)
'''


def _project(tmp_path, files):
    return write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/models/__init__.py": "",
                                 "app/models/user/__init__.py": "", "app/util/__init__.py": "", **files})


@pytest.mark.parametrize(("files", "offset"), [
    ({"app/util/sautils.py": WRAPPER,
      "app/models/user/m.py": "import sqlalchemy as sa\n\nfrom app.util import sautils\n"
                              + TABLES.format(callee="sautils.Table")}, 0),
    ({"app/models/user/m.py": WRAPPER + TABLES.format(callee="Table")}, 4),
], ids=["imported", "same-module"])
def test_a_table_wrapper_is_sqlalchemys_table(tmp_path, files, offset):
    root = _project(tmp_path, files)
    before = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (before.exit_code, before.stdout) == (1, (
        f"app/models/user/m.py:{7 + offset}:9: TNT006 Table `users` has no tenant schema [*]\n"
        f"app/models/user/m.py:{11 + offset}:9: TNT006 Table `posts` has no tenant schema [*]\n"
        f"app/models/user/m.py:{14 + offset}:40: TNT005 Reference `users.id` names tenant table `users` without "
        "the `tenant.` schema [*]\n"
        "Found 3 problems (3 fixable with `tenantlint fix`).\n"
    ))
    assert run_tenantlint("fix", ".", cwd=root, in_process=True).exit_code == 0
    text = (root / "app/models/user/m.py").read_text()
    assert text.count('    schema="tenant",\n') == 2 and 'sa.ForeignKey("tenant.users.id")' in text
    after = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (after.exit_code, after.stdout) == (0, "All checks passed!\n")
    assert sqlalchemy_says(root, "app.models.user.m") == "ok"


def test_a_function_named_table_that_returns_something_else_is_not_a_table(tmp_path):
    root = _project(tmp_path, {
        "app/util/render.py": "from rich.table import Table as RichTable\n\n\ndef Table(*args):\n"
                              "    return RichTable(*args)\n",
        "app/models/user/m.py": 'from app.util import render\n\ngrid = render.Table("users")\n',
    })
    done = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (done.exit_code, done.stdout) == (0, "All checks passed!\n")
