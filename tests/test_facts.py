"""One vocabulary decides which files are parsed and which statements are scanned; the rules
declare the words they rely on."""

from __future__ import annotations

import re

import pytest

from tenantlint import engine
from tenantlint.facts import calls, vocabulary
from tenantlint.rules import static_rules


def test_every_word_a_rule_declares_is_in_the_vocabulary_and_every_word_is_declared():
    declared = {word for rule in static_rules() for word in rule.words}
    assert declared == set(vocabulary.BY_NAME)
    no_words = [rule.code for rule in static_rules() if not rule.words]
    assert no_words == []


def test_the_prefilter_and_the_scan_are_derived_from_the_vocabulary():
    assert engine._MARKERS is vocabulary.MARKERS
    assert calls.scanned is vocabulary.scanned
    assert [m for m, _ in vocabulary.MARKERS] == [
        b"__table", b"__abstract__", b"mapped_column", b"ForeignKey", b"foreign_key", b"primaryjoin",
        b"secondaryjoin", b".tables[", b"table=True", b"DeclarativeBase", b"declarative_base", b"generate_base",
        b"secondary", b"relationship", b".Model", b"Table(", b"text(", b"exec_driver_sql", b".execute(", b"read_sql",
        b"table(", b".get_", b"alembic", b"MetaData",
    ]
    words = [w.scanned for w in vocabulary.WORDS if w.scanned]
    assert vocabulary.SCANNED.pattern == "|".join(words)
    assert sorted(words) == sorted(
        "ForeignKey|Table|Enum|Sequence|foreign_key|tables|foreign_keys|order_by|primaryjoin|remote_side|"
        "secondary|secondaryjoin".split("|")
    )
    assert vocabulary.scanned('    a = Column(fk("parent"))')  # a helper's call
    assert not vocabulary.scanned('    a = Column("a", Integer)\n    r = relationship("Parent")')


# The helper-call test as the one regular expression it replaced had it, to compare against.
_HELPER_CALL = re.compile(r"\b(?!(?:" + "|".join(sorted(vocabulary.SQLALCHEMY_CALLS)) + r")\()\w+\(\s*[rRuU]?[\"']")


@pytest.mark.parametrize("text", [
    'a = Column(fk("parent"))', "a = fk( 'x')", 'a = fk(r"x")', 'a = Column("a")', 'x = sa.Column("a")',
    'Columns("a")', 'xColumn("a")', 'a = ("x")', 'fk(\n    "x")', 'a = ColumnX(u"x")', 'é_fk("x")', 'fk2("x")',
    'Column(b"x")', 'fk(f"x")', 'relationship("A"), helper("B")', 'Index("ix", "a"), text("select")',
    '_("x")', '  __("x")', 'a = b(c("x"))', 'mapped_column(String(5), comment="c")',
])
def test_the_helper_call_test_is_the_regular_expression_it_replaced(text):
    assert vocabulary.scanned(text) == bool(vocabulary.SCANNED.search(text) or _HELPER_CALL.search(text))


def test_a_confirmed_marker_needs_its_pattern():
    assert engine.names_a_model(b"x = Table('users', metadata)\n")
    assert not engine.names_a_model(b"# a Table( in prose\nTable(name)\n")
    assert not engine.names_a_model(b"secondary school\n")
    assert engine.names_a_model(b"relationship('A', secondary = 'a_b')\n")
    assert [w.name for w in vocabulary.WORDS if w.confirm is not None] == ["secondary", "relationship", ".Model", "Table",
                                                                         "text", "execute", "table", "inspector", "alembic"]
    assert all(isinstance(w.confirm, re.Pattern) for w in vocabulary.WORDS if w.confirm is not None)


def test_the_cache_key_covers_every_fact_type():
    """The per-file cache is keyed by the shape of `Entry`: every data class and enum of the facts
    is spelled out in it, so changing any of them changes the key (no version to bump by hand)."""
    import dataclasses
    import enum

    from tenantlint import cache
    from tenantlint.facts import table_args, types

    shape = cache._entry_codec().shape
    kinds = [value for module in (types, table_args) for value in vars(module).values()
             if isinstance(value, type) and value.__module__ == module.__name__
             and (dataclasses.is_dataclass(value) or issubclass(value, enum.Enum))]
    assert sorted(k.__name__ for k in kinds) == [
        "AutoNamed", "ClassInfo", "Constant", "Helper", "HelperCall", "MetaDataCall", "ModuleFacts", "OpCall", "RefKind",
        "Schema", "Shape", "Span", "SqlString", "StringRef", "TableArgs", "TableCall", "TypeObjectCall",
    ]
    for kind in kinds:
        assert f"{kind.__qualname__}(" in shape or f"{kind.__qualname__}{{" in shape, kind
    assert "ModuleFacts(module:str,is_package:bool," in shape
