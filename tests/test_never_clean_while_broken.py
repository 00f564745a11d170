"""Issue 11, the property of the definition of done: after `fix`, either SQLAlchemy configures the
mappers and every foreign key resolves, or `check` exits 1 with a finding that explains it."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from conftest import run_tenantlint, write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqla_probe import sqlalchemy_says

PYPROJECT = '[tool.tenantlint]\ntenant-paths = ["app/models/user/**"]\n'

# How the child names the parent's table, each with what the module needs for it.
REFERENCES = {
    "literal": ("", 'ForeignKey("parent.id")'),
    "constant": ('PARENT_ID = "parent.id"\n', "ForeignKey(PARENT_ID)"),
    "constant used twice": ('PARENT_ID = "parent.id"\nALSO = PARENT_ID\n', "ForeignKey(PARENT_ID)"),
    "imported constant": ("from app.names import PARENT_ID\n", "ForeignKey(PARENT_ID)"),
    "built constant": ('PARENT_ID = TABLE_PARENT + ".id"\n', "ForeignKey(PARENT_ID)"),
    "helper": ('\n\ndef fk(t):\n    return ForeignKey(f"{t}.id")\n', 'fk("parent")'),
    "imported helper": ("from app.helpers import fk\n", 'fk("parent")'),
    "object": ("", "ForeignKey(Parent.id)"),
}
TABLENAMES = {"literal": '"parent"', "constant": "TABLE_PARENT", "imported constant": "names.TABLE_PARENT"}
PARENT_ARGS = {
    "none": "",
    "computed": "    __table_args__ = make_args()\n",
    "noqa": "",  # the class line gets `# noqa: TNT001`
}


def _module(reference: str, tablename: str, parent_args: str, noqa_ref: bool) -> str:
    prelude, call = REFERENCES[reference]
    noqa = "  # noqa: TNT001" if parent_args == "noqa" else ""
    return (
        "from sqlalchemy import Column, ForeignKey, Integer\nfrom sqlalchemy.orm import DeclarativeBase\n\n"
        "from app import names\n\nTABLE_PARENT = \"parent\"\n" + prelude + "\n\n"
        "def make_args():\n    return {\"mysql_engine\": \"InnoDB\"}\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        f"class Parent(Base):{noqa}\n    __tablename__ = {TABLENAMES[tablename]}\n{PARENT_ARGS[parent_args]}"
        "    id = Column(Integer, primary_key=True)\n\n\n"
        "class Child(Base):\n    __tablename__ = \"child\"\n    id = Column(Integer, primary_key=True)\n"
        f"    parent_id = Column({call}){'  # noqa: TNT005' if noqa_ref else ''}\n"
    )


@settings(max_examples=int(__import__("os").environ.get("PROPERTY_EXAMPLES", "14")), deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(reference=st.sampled_from(sorted(REFERENCES)), tablename=st.sampled_from(sorted(TABLENAMES)),
       parent_args=st.sampled_from(sorted(PARENT_ARGS)), noqa_ref=st.booleans())
def test_after_fix_the_app_maps_or_check_says_why(reference, tablename, parent_args, noqa_ref):
    root = Path(tempfile.mkdtemp(prefix="tenantlint-property-"))
    try:
        write_tree(root, {
            "pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/models/__init__.py": "",
            "app/models/user/__init__.py": "",
            "app/names.py": 'TABLE_PARENT = "parent"\nPARENT_ID = "parent.id"\n',
            "app/helpers.py": 'from sqlalchemy import ForeignKey\n\n\ndef fk(t):\n    return ForeignKey(t + ".id")\n',
            "app/models/user/m.py": _module(reference, tablename, parent_args, noqa_ref),
        })
        fixed = run_tenantlint("fix", ".", cwd=root, in_process=True)
        assert fixed.exit_code in (0, 1), fixed.stderr
        checked = run_tenantlint("check", ".", cwd=root, in_process=True)
        says = sqlalchemy_says(root, "app.models.user.m")
        assert says.startswith(("ok", "tenant.child: parent.id", "child: tenant.parent.id")), says
        if says != "ok" and not noqa_ref:
            assert checked.exit_code == 1, (says, checked.stdout)
            assert "TNT0" in checked.stdout
        elif says != "ok":
            # the user's own `# noqa: TNT005` on the reference is the one silence that stays (known
            # gap: the table still moves; docs/cannot-see.md); never a clean check otherwise
            assert "# noqa: TNT005" in (root / "app/models/user/m.py").read_text()
        else:
            assert checked.exit_code in (0, 1), checked.stderr
    finally:
        shutil.rmtree(root)
