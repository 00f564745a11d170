"""SECURITY.md's first promise: `check` and `fix` read the checked tree as data. No module of it
is imported or executed, not even one that shadows a library tenantlint itself imports; only
`verify` imports code, and its help says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_tenantlint, write_tree

# Each file records that it ran by creating `<its name>.ran` beside itself.
RAN = "import pathlib; pathlib.Path(__file__).with_suffix('.ran').touch()\n"

TREE = {
    "pyproject.toml": "[tool.tenantlint]\n",
    "app/__init__.py": RAN,
    "app/models/__init__.py": RAN,
    "app/models/base.py": RAN + "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n",
    "app/models/user/__init__.py": RAN,
    "app/models/user/product.py": RAN + (
        "from sqlalchemy import Column, Integer\n\nfrom app.models.base import Base\n\n\n"
        "class Product(Base):\n    __tablename__ = \"products\"\n    id = Column(Integer, primary_key=True)\n"
    ),
    # modules named like what tenantlint imports, at the root of the checked tree
    "click.py": RAN,
    "libcst.py": RAN,
    "pathspec.py": RAN,
    "tomllib.py": RAN,
    "sitecustomize.py": RAN,
    "conftest.py": RAN,
    "setup.py": RAN,
}

FIXED = (
    RAN + "from sqlalchemy import Column, Integer\n\nfrom app.models.base import Base\n\n\n"
    "class Product(Base):\n    __tablename__ = \"products\"\n"
    "    __table_args__ = {\"schema\": \"tenant\"}  # Placeholder for schema_translate_map\n"
    "    id = Column(Integer, primary_key=True)\n"
)


def ran(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.ran"))


@pytest.mark.parametrize("args", [
    ("check", "."),
    ("check", "--no-cache", "--output-format", "sarif", "."),
    ("fix", "--diff", "."),
])
def test_check_and_fix_diff_execute_nothing_of_the_checked_tree(tmp_path, args):
    root = write_tree(tmp_path, TREE)
    result = run_tenantlint(*args, cwd=root, script=True)
    assert result.exit_code == 1, result.stderr
    assert ran(root) == []


def test_fix_executes_nothing_and_fixes_the_model(tmp_path):
    root = write_tree(tmp_path, TREE)
    result = run_tenantlint("fix", ".", cwd=root, script=True)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "Fixed 1 problem in 1 file.\n", "")
    assert (root / "app/models/user/product.py").read_text() == FIXED
    assert ran(root) == []


def test_only_verify_imports_and_its_help_says_so(tmp_path):
    root = write_tree(tmp_path, TREE)
    assert "this runs their code" in run_tenantlint("verify", "--help", cwd=root, script=True).stdout
    run_tenantlint("verify", "app.models", cwd=root, script=True)
    assert ran(root) == ["app/__init__.ran", "app/models/__init__.ran", "app/models/base.ran",
                         "app/models/user/__init__.ran", "app/models/user/product.ran"]
