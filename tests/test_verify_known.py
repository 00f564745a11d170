"""`tenantlint verify` and what `check` knows (issue 11 item 14, issue 13 item 8): the baseline of a
phased migration hides the runtime findings it covers, and each runtime finding names the static
finding whose `tenantlint fix` removes its cause."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_tenantlint, write_tree

HEADER = """
from sqlalchemy import Column, Enum, Integer
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""


def shop(root: Path, config: str = "") -> Path:
    (root / "pyproject.toml").write_text(f"[tool.tenantlint]\n{config}")
    return write_tree(root, {
        "shop/__init__.py": "",
        "shop/base.py": HEADER,
        "shop/models/__init__.py": "",
        "shop/models/user/__init__.py": "",
        # plan 01 migrated products; brands waits for plan 02
        "shop/models/user/brand.py": """
            from sqlalchemy import Column, Integer

            from shop.base import Base


            class Brand(Base):
                __tablename__ = "brands"
                id = Column(Integer, primary_key=True)
        """,
        "shop/models/user/product.py": """
            from sqlalchemy import Column, Integer

            from shop.base import Base


            class Product(Base):
                __tablename__ = "products"
                __table_args__ = {"schema": "tenant"}
                id = Column(Integer, primary_key=True)
        """,
    })


NOTE = """
from sqlalchemy import Column, Integer

from shop.base import Base


class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)
"""


def test_verify_hides_what_the_baseline_holds_and_shows_what_is_new(tmp_path):
    root = shop(tmp_path)
    recorded = run_tenantlint("check", "--baseline", "known.json", "--update-baseline", cwd=root, in_process=True)
    assert recorded.exit_code == 0, recorded.stderr
    assert json.loads((root / "known.json").read_text())["entries"] == [
        {"path": "shop/models/user/brand.py", "code": "TNT001", "model": "Brand", "occurrence": 0},
    ]
    # without the baseline: Brand's TNT101, and the leak the probe proves on its table
    assert run_tenantlint("verify", "shop", "-q", cwd=root).stdout == (
        "shop/models/user/brand.py:6:7: TNT101 Table `brands` (model `Brand`) is defined in a tenant path but has "
        "no schema: it needs `tenant` [fix: TNT001]\n"
        "shop/models/user/brand.py:6:7: TNT106 Table `brands` (model `Brand`): a row written as probe tenant "
        "`user_1` is not isolated (rows seen: user_1: 1, user_2: 1) [fix: TNT001]\n"
    )
    known = run_tenantlint("verify", "shop", "--baseline", "known.json", cwd=root)
    assert (known.exit_code, known.stdout) == (0, "All checks passed!\n2 known problems in baseline known.json not shown.\n")
    # a model added since is new: reported, and so is its leak
    (root / "shop/models/user/note.py").write_text(NOTE)
    new = run_tenantlint("verify", "shop", "--baseline", "known.json", "--output-format", "json", cwd=root)
    assert new.exit_code == 1
    assert [(f["code"], f["model"]) for f in json.loads(new.stdout)] == [("TNT101", "Note")]
    assert new.stderr.endswith("2 known problems in baseline known.json not shown.\n")


def test_the_config_key_baseline_is_honoured_and_a_missing_file_is_an_error(tmp_path):
    root = shop(tmp_path, 'baseline = "known.json"\n')
    assert run_tenantlint("verify", "shop", cwd=root).stderr == (
        "tenantlint: error: baseline file known.json does not exist; create it with "
        "`tenantlint check --baseline known.json --update-baseline`\n")
    assert run_tenantlint("check", "--update-baseline", cwd=root, in_process=True).exit_code == 0
    result = run_tenantlint("verify", "shop", "-q", cwd=root)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "2 known problems in baseline known.json not shown.\n")


def test_each_runtime_finding_says_which_static_finding_fix_fixes(tmp_path):
    root = shop(tmp_path)
    write_tree(root, {"shop/models/user/order.py": """
        from sqlalchemy import Column, Enum, Integer
        from sqlalchemy.orm import declared_attr

        from shop.base import Base


        class Order(Base):
            __tablename__ = "orders"
            __table_args__ = {"schema": "tenant"}
            id = Column(Integer, primary_key=True)
            status = Column(Enum("new", "paid", name="order_status"))


        class Computed(Base):
            __tablename__ = "computed"
            id = Column(Integer, primary_key=True)

            @declared_attr.directive
            def __table_args__(cls):
                return {}
    """})
    result = run_tenantlint("verify", "shop", cwd=root)
    assert result.exit_code == 1
    assert result.stdout == (
        "shop/models/user/brand.py:6:7: TNT101 Table `brands` (model `Brand`) is defined in a tenant path but has "
        "no schema: it needs `tenant` [fix: TNT001]\n"
        "shop/models/user/brand.py:6:7: TNT106 Table `brands` (model `Brand`): a row written as probe tenant "
        "`user_1` is not isolated (rows seen: user_1: 1, user_2: 1) [fix: TNT001]\n"
        "shop/models/user/order.py:7:7: TNT104 Enum `order_status` of `orders.status` has no `schema=\"tenant\"`: "
        "it is shared by every tenant [fix: TNT007 with --unsafe-fixes]\n"
        # a computed `__table_args__` is TNT003: nothing `fix` can do
        "shop/models/user/order.py:14:7: TNT101 Table `computed` (model `Computed`) is defined in a tenant path "
        "but has no schema: it needs `tenant`\n"
        "Found 4 problems (2 fixed by `tenantlint fix` through TNT001; 1 by `tenantlint fix --unsafe-fixes` "
        "through TNT007).\n"
    )
    assert not (root / ".tenantlint_cache").exists()  # its static analysis writes no cache into the project
    findings = json.loads(run_tenantlint("verify", "shop", "--output-format", "json", cwd=root).stdout)
    assert [(f["code"], f["fixable"], f.get("fixed_by")) for f in findings] == [
        ("TNT101", False, {"code": "TNT001", "command": "tenantlint fix"}),
        ("TNT106", False, {"code": "TNT001", "command": "tenantlint fix"}),
        ("TNT104", False, {"code": "TNT007", "command": "tenantlint fix --unsafe-fixes"}),
        ("TNT101", False, None),
    ]
    # and `fix` does what they say: after it (with --unsafe-fixes), only the computed one is left
    assert run_tenantlint("fix", "--unsafe-fixes", cwd=root, in_process=True).exit_code == 1
    after = run_tenantlint("verify", "shop", "-q", cwd=root)
    assert after.stdout == (
        "shop/models/user/order.py:14:7: TNT101 Table `computed` (model `Computed`) is defined in a tenant path "
        "but has no schema: it needs `tenant`\n"
    )
