"""Each edit kind (tenantlint/edits/<kind>.py): the exact fixed source, accepted by the safety
check; the same change at the wrong node, or with one change more, refused with its reason."""

from __future__ import annotations

import pytest

from tenantlint import edits
from tenantlint.findings import Edit, EditKind
from tenantlint.fixer import apply_edits
from tenantlint.safety import UnsafeFix, prove_edits

COMMENT = "# Placeholder for schema_translate_map"


def at(kind: EditKind, source: str, line: int, text: str, **fields: str) -> Edit:
    """The edit of `kind` at the first `text` of 1-based `line`."""
    return Edit(kind, line, source.splitlines()[line - 1].index(text), **fields)


ASSIGNMENT = 'class A(Base):\n    __tablename__ = "a"\n    id = 1\n\n\nclass B(Base):\n    __tablename__ = "b"\n'
TUPLE = '__table_args__ = (UniqueConstraint("id"),)\nother = (1,)\n'
DICT = '__table_args__ = {"comment": "c"}\ninfo = {"k": 1}\n'
NONE = "__table_args__ = None\nx = None\n"
SCHEMA = 'Table("t", metadata, schema="public")\nname = "public"\n'
CALL = 'Table("t", metadata)\nlog = print("t")\n'
FK = 'a = ForeignKey("orders.id")\nb = ForeignKey("users.id")\n'
META = 'md = MetaData(naming_convention={"ix": "ix_%(column_0_label)s", "uq": "u"})\nother = {"ix": "x"}\n'
KEEP = "ix_%(table_name)s_%(column_0_name)s"

# kind: (source, edit, fixed source, [(tampered fixed source, the refusal), ...])
CASES = {
    EditKind.ADD_ASSIGNMENT: (
        ASSIGNMENT,
        Edit(EditKind.ADD_ASSIGNMENT, 1, 0, old="A"),
        ASSIGNMENT.replace('"a"\n', f'"a"\n    __table_args__ = {{"schema": "tenant"}}  {COMMENT}\n'),
        [
            (ASSIGNMENT.replace('"b"\n', '"b"\n    __table_args__ = {"schema": "tenant"}\n'),
             "line 6: ClassDef.body: 1 items became 2"),
            (ASSIGNMENT.replace('"a"\n', '"a"\n    __table_args__ = {"schema": "public"}\n'),
             "line 1: class `A` did not get the planned `__table_args__`"),
            (ASSIGNMENT.replace('"a"\n', '"a"\n    __table_args__ = {"schema": "tenant"}\n').replace('"b"', '"c"'),
             "a value changed: 'b' became 'c'"),
            (ASSIGNMENT.replace('"a"\n', '"a"\n    __table_args__ = {"schema": "tenant"}\n').replace("(Base)", "(Other)", 1),
             "a value changed: 'Base' became 'Other'"),
        ],
    ),
    EditKind.APPEND_DICT: (
        TUPLE,
        at(EditKind.APPEND_DICT, TUPLE, 1, "("),
        TUPLE.replace('("id"),)', '("id"), {"schema": "tenant"})'),
        [
            (TUPLE.replace("(1,)", '(1, {"schema": "tenant"})'),
             "line 2: Tuple.elts: 1 items became 2"),
            (TUPLE.replace('("id"),)', '("id"), {"schema": "public"})'),
             "line 1: the tuple did not get the schema dict as its last element"),
            (TUPLE.replace('("id"),)', '("uid"), {"schema": "tenant"})'), "a value changed: 'id' became 'uid'"),
            (TUPLE.replace('("id"),)', '("id"), {"schema": "tenant"})').replace("(1,)", '(1, {"schema": "tenant"})'),
             "line 2: Tuple.elts: 1 items became 2"),
        ],
    ),
    EditKind.MERGE_KEY: (
        DICT,
        at(EditKind.MERGE_KEY, DICT, 1, "{"),
        DICT.replace('"c"}', '"c", "schema": "tenant"}'),
        [
            (DICT.replace("1}", '1, "schema": "tenant"}'), "line 2: Dict.keys: 1 items became 2"),
            (DICT.replace('"c"}', '"c", "schema": "public"}'), "line 1: the dict did not get the schema key as its last item"),
            (DICT.replace('"c"}', '"d", "schema": "tenant"}'), "a value changed: 'c' became 'd'"),
            (DICT.replace('"c"}', '"c", "schema": "tenant"}').replace("1}", '1, "schema": "tenant"}'),
             "line 2: Dict.keys: 1 items became 2"),
        ],
    ),
    EditKind.REPLACE_ARGS: (
        NONE,
        at(EditKind.REPLACE_ARGS, NONE, 1, "None"),
        NONE.replace("None", '{"schema": "tenant"}', 1),
        [
            (NONE.replace("x = None", 'x = {"schema": "tenant"}'), "line 2: Constant became Dict"),
            (NONE.replace("None", '{"schema": "tenant", "x": 1}', 1),
             "line 1: the value replaced edit did not give the planned value"),
            (NONE.replace("None", '{"schema": "tenant"}'), "line 2: Constant became Dict"),
        ],
    ),
    EditKind.REPLACE_SCHEMA: (
        SCHEMA,
        at(EditKind.REPLACE_SCHEMA, SCHEMA, 1, '"public"', new='"tenant"'),
        SCHEMA.replace('"public"', '"tenant"', 1),
        [
            (SCHEMA.replace('schema="public"', 'schema="tenant"').replace('"t"', '"tenant"'),
             "a value changed: 't' became 'tenant'"),
            (SCHEMA.replace('"public"', '"tenant"'), "a value changed: 'public' became 'tenant'"),
            (SCHEMA.replace('"public"', '"Tenant"', 1), "line 1: the schema replaced edit did not give the planned value"),
        ],
    ),
    EditKind.ADD_KEYWORD: (
        CALL,
        at(EditKind.ADD_KEYWORD, CALL, 1, "Table", new='"tenant"'),
        CALL.replace("metadata)", 'metadata, schema="tenant")'),
        [
            (CALL.replace('("t")', '("t", schema="tenant")'), "line 2: Call.keywords: 0 items became 1"),
            (CALL.replace("metadata)", 'metadata, schema="public")'),
             'line 1: the call did not get `schema="tenant"` as its last keyword'),
            (CALL.replace("metadata)", 'metadata, schema="tenant")').replace("Table", "Tables"),
             "a value changed: 'Table' became 'Tables'"),
            (CALL.replace("metadata)", 'meta, schema="tenant")'), "a value changed: 'metadata' became 'meta'"),
        ],
    ),
    EditKind.QUALIFY_STRING: (
        FK,
        at(EditKind.QUALIFY_STRING, FK, 1, '"orders', old='"orders.id"', new='"tenant.orders.id"'),
        FK.replace('"orders', '"tenant.orders'),
        [
            (FK.replace('"users', '"tenant.users'), "a value changed: 'users.id' became 'tenant.users.id'"),
            (FK.replace('"orders', '"public.orders'), "line 1: the FK qualified edit did not give the planned value"),
            (FK.replace('"orders', '"tenant.orders').replace('"users', '"tenant.users'),
             "a value changed: 'users.id' became 'tenant.users.id'"),
            (FK.replace('"orders', '"tenant.orders').replace("a =", "c ="), "a value changed: 'a' became 'c'"),
        ],
    ),
    EditKind.NAMING_CONVENTION: (
        META,
        Edit(EditKind.NAMING_CONVENTION, 1, 5, new=repr({"ix": KEEP})),
        META.replace("ix_%(column_0_label)s", KEEP),
        [
            (META.replace("ix_%(column_0_label)s", KEEP).replace('"u"', '"v"'),
             "line 1: `naming_convention` did not get exactly the planned entries"),
            (META.replace("ix_%(column_0_label)s", KEEP).replace('"x"', '"y"'), "a value changed: 'x' became 'y'"),
        ],
    ),
}


def test_every_edit_kind_has_one_module_named_after_it():
    assert {kind: spec.apply.__module__ for kind, spec in edits.SPECS.items()} == {
        kind: f"tenantlint.edits.{kind.name.lower()}" for kind in EditKind
    }
    assert sorted(CASES, key=list(EditKind).index) == list(EditKind)


@pytest.mark.parametrize("kind", list(CASES), ids=lambda k: k.name)
def test_the_edit_gives_the_planned_source_and_passes_the_safety_check(kind):
    source, edit, fixed, _ = CASES[kind]
    new = apply_edits(source.encode(), [edit], "tenant", COMMENT)
    assert new == fixed.encode()
    prove_edits(source.encode(), new, [edit], "tenant")


@pytest.mark.parametrize(
    ("kind", "index"), [(k, i) for k, case in CASES.items() for i in range(len(case[3]))],
    ids=lambda v: v.name if isinstance(v, EditKind) else str(v),
)
def test_a_tampered_result_is_refused(kind, index):
    source, edit, _, tampered = CASES[kind]
    new, reason = tampered[index]
    with pytest.raises(UnsafeFix) as refused:
        prove_edits(source.encode(), new.encode(), [edit], "tenant")
    assert str(refused.value) == reason


def test_an_edit_that_finds_no_node_is_refused_by_both_halves():
    edit = Edit(EditKind.MERGE_KEY, 2, 0)
    with pytest.raises(edits.FixError) as not_applied:
        apply_edits(DICT.encode(), [edit], "tenant", COMMENT)
    assert str(not_applied.value) == "could not apply: key merged at line 2"
    with pytest.raises(UnsafeFix) as refused:
        prove_edits(DICT.encode(), DICT.encode(), [edit], "tenant")
    assert str(refused.value) == "planned edits found no node: key merged at line 2"
