"""Issue 11 item 10 over the whole catalogue: every place where a string names a tenant table,
filled by every kind of expression tenantlint cannot resolve, is an unfixable TNT005 "computed"
finding, never silence; and after `fix` the app really is broken where the finding says so.

Each case is a module where the expression does name the tenant table `parent` (or a link
table) at run time, through a dict tenantlint does not read. Where only a string can
stand (a foreign key's target, a `metadata.tables` key, a `Table` name) any such expression is
computed; where an object can stand as well (`secondary=`, `primaryjoin=`: a `Table`, a lambda, a
SQL expression) only text put together from parts is, since a call or a subscript there is
usually the object itself.
"""

from __future__ import annotations

import pytest
from conftest import run_tenantlint, write_tree
from sqla_probe import sqlalchemy_says

PYPROJECT = '[tool.tenantlint]\ntenant-paths = ["app/models/user/**"]\n'

# kind -> expression giving the value `{v}` at run time
ANY_EXPRESSION = {
    "subscript": 'N["{v}"]',
    "call": 'N.get("{v}")',
}
TEXT_FROM_PARTS = {
    "f-string": "f\"{{N['{v}']}}\"",
    "concatenation": 'N["{v}"] + ""',
    "percent": '"%s" % N["{v}"]',
    "format": '"{{}}".format(N["{v}"])',
}

# site -> (the value the expression stands for, the line it sits on in `Child` with {e} for it,
# the kinds that are computed there, what SQLAlchemy says about the fixed app)
_UNRESOLVED_FK = "tenant.child: parent.id: NoReferencedTableError"
SITES = {
    "ForeignKey(target)": ("parent.id", "    parent_id = Column(ForeignKey({e}))",
                           ANY_EXPRESSION | TEXT_FROM_PARTS, _UNRESOLVED_FK),
    "ForeignKey(column=target)": ("parent.id", "    parent_id = Column(ForeignKey(column={e}))",
                                  ANY_EXPRESSION | TEXT_FROM_PARTS, _UNRESOLVED_FK),
    "ForeignKeyConstraint refcolumns": (
        "parent.id", '    __table_args__ = (ForeignKeyConstraint(["parent_id"], [{e}]),)\n'
        "    parent_id = Column(Integer)", ANY_EXPRESSION | TEXT_FROM_PARTS, _UNRESOLVED_FK),
    "ForeignKeyConstraint(refcolumns=)": (
        "parent.id", '    __table_args__ = (ForeignKeyConstraint(["parent_id"], refcolumns=[{e}]),)\n'
        "    parent_id = Column(Integer)", ANY_EXPRESSION | TEXT_FROM_PARTS, _UNRESOLVED_FK),
    "secondary=": ("child_parent", '    parents = relationship("Parent", secondary={e})', TEXT_FROM_PARTS,
                   "mappers: InvalidRequestError"),
    "primaryjoin=": ("parent.c.id == Child.parent_id",
                     '    parent_id = Column(ForeignKey("parent.id"))\n'
                     '    parent = relationship("Parent", primaryjoin={e})', TEXT_FROM_PARTS,
                     "mappers: InvalidRequestError"),
    "metadata.tables[key]": ("parent", "    parent_id = Column(Integer)\n\n\nPARENT = Base.metadata.tables[{e}]",
                             ANY_EXPRESSION | TEXT_FROM_PARTS, "import failed: KeyError: 'parent'"),
    # the table gets the schema and its literal reference is qualified: the app maps, but which
    # table it is stays unknown, so references to it elsewhere cannot be checked: never "clean"
    "Table(name, ...)": ("parent_links", '    parent_id = Column(Integer)\n\n\nLINKS = Table({e}, Base.metadata, '
                         'Column("parent_id", ForeignKey("parent.id")))', ANY_EXPRESSION | TEXT_FROM_PARTS, "ok"),
}
CASES = [(site, kind) for site, (_, _, kinds, _) in SITES.items() for kind in kinds]


def _module(line: str) -> str:
    return (
        "from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Integer, Table\n"
        "from sqlalchemy.orm import DeclarativeBase, relationship\n\n"
        'N = {"parent.id": "parent.id", "child_parent": "child_parent", "parent": "parent",\n'
        '     "parent_links": "parent_links", "parent.c.id == Child.parent_id": "parent.c.id == Child.parent_id"}\n\n\n'
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        'class Parent(Base):\n    __tablename__ = "parent"\n    id = Column(Integer, primary_key=True)\n\n\n'
        'class Child(Base):\n    __tablename__ = "child"\n    id = Column(Integer, primary_key=True)\n'
        f"{line}\n\n\n"
        'child_parent = Table("child_parent", Base.metadata, Column("child_id", ForeignKey("child.id")),\n'
        '                     Column("parent_id", ForeignKey("parent.id")))\n'
    )


def _expected(source: str, site: str, expression: str) -> str:
    """The finding, where the expression (or, for a `Table` name, the call) is written."""
    number, text = next((n, t) for n, t in enumerate(source.splitlines(), 1) if expression in t)
    tail = " is computed: tenantlint cannot tell which table it names (confirm with `tenantlint verify`)"
    if site == "Table(name, ...)":
        col = text.index("Table(")
        return (f"app/models/user/m.py:{number}:{col + 1}: TNT005 Table name `{expression}` is computed: tenantlint "
                "cannot tell which table it is, nor check the references to it (confirm with `tenantlint verify`)")
    return f"app/models/user/m.py:{number}:{text.index(expression) + 1}: TNT005 Reference `{expression}`{tail}"


@pytest.mark.parametrize(("site", "kind"), CASES, ids=[f"{s} <- {k}" for s, k in CASES])
def test_a_reference_tenantlint_cannot_resolve_is_reported_before_and_after_fix(tmp_path, site, kind):
    value, line, kinds, broken = SITES[site]
    expression = kinds[kind].format(v=value)
    source = _module(line.format(e=expression))
    root = write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/models/__init__.py": "",
                                 "app/models/user/__init__.py": "", "app/models/user/m.py": source})
    finding = _expected(source, site, expression)
    before = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (before.exit_code, finding in before.stdout.splitlines()) == (1, True), before.stdout

    fixed = run_tenantlint("fix", ".", cwd=root, in_process=True)
    after = run_tenantlint("check", ".", cwd=root, in_process=True)
    fixed_source = (root / "app/models/user/m.py").read_text()
    computed = [out for out in after.stdout.splitlines() if "is computed" in out]
    assert (fixed.exit_code, after.exit_code, computed) == (1, 1, [_expected(fixed_source, site, expression)])
    assert after.stdout.endswith("Found 1 problem (0 fixable with `tenantlint fix`).\n")
    # what the finding warns about is real: SQLAlchemy fails on the fixed app where it says so
    assert sqlalchemy_says(root, "app.models.user.m").startswith(broken)


@pytest.mark.parametrize("site", ["secondary=", "primaryjoin="])
@pytest.mark.parametrize("value", ['N["child_parent"]', 'N.get("child_parent")', "LINKS"])
def test_where_an_object_can_stand_a_call_or_a_name_is_taken_for_the_object(tmp_path, site, value):
    """`secondary=tables["links"]`, `secondary=make_links()`, `secondary=LINKS` (a `Table`) are objects."""
    keyword = site.rstrip("=")
    source = _module(f'    parents = relationship("Parent", {keyword}={value})').replace("\n\n\nclass Base", "\nLINKS = None\n\n\nclass Base")
    root = write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/models/__init__.py": "",
                                 "app/models/user/__init__.py": "", "app/models/user/m.py": source})
    out = run_tenantlint("check", ".", cwd=root, in_process=True).stdout
    assert [line for line in out.splitlines() if "is computed" in line] == []


def test_a_table_named_by_its_callers_or_by_the_database_is_not_computed(tmp_path):
    """A wrapper's returned `Table(name, ...)` (its callers name the table) and a reflected table."""
    source = '''\
import sqlalchemy as sa

metadata = sa.MetaData()


def history_table(name, *columns):
    return sa.Table(f"{name}_history", metadata, *columns)


def reflected(connection, name):
    return sa.Table(name, sa.MetaData(), autoload_with=connection)
'''
    root = write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/util.py": source})
    checked = run_tenantlint("check", ".", cwd=root, in_process=True)
    assert (checked.exit_code, checked.stdout) == (0, "All checks passed!\n")


def test_a_join_put_together_from_class_names_names_no_table(tmp_path):
    """Flask-AppBuilder's mixins: `primaryjoin="%s.created_by_fk == User.id" % cls.__name__` names
    classes, which the registry resolves; a tenant table in the same text is still seen."""
    source = _module(
        '    parent_id = Column(ForeignKey("parent.id"))\n'
        '    a = relationship("Parent", primaryjoin="%s.parent_id == Parent.id" % __qualname__)\n'
        '    b = relationship("Parent", primaryjoin=f"{Base.__name__}.x == parent.c.id")'
    ).replace("__qualname__", "Parent.__name__")
    root = write_tree(tmp_path, {"pyproject.toml": PYPROJECT, "app/__init__.py": "", "app/models/__init__.py": "",
                                 "app/models/user/__init__.py": "", "app/models/user/m.py": source})
    out = run_tenantlint("check", ".", cwd=root, in_process=True).stdout.splitlines()
    assert [line for line in out if ":21:" in line or ":22:" in line] == [
        "app/models/user/m.py:22:44: TNT005 Reference `<class>.x == parent.c.id` names tenant table `parent` "
        "without the `tenant.` schema (a computed string: write `<class>.x == tenant.parent.c.id`, or refer "
        "to the column itself)",
    ]
