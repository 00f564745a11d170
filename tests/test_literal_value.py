"""facts.syntax.literal_value reads literals as ast.literal_eval does, without its reference cycles."""

from __future__ import annotations

import ast
import gc

import pytest

from tenantlint.facts.syntax import literal_value

LITERALS = ['"users.id"', "'tenant.users'", "r'a\\b'", "u'x'", '"""doc"""', "b'raw'", "-1", "+2.5", "-3j", "None",
            "True", '{"schema": "tenant"}', "('a', {'b': [1, -2]})", "{1, 2}", "[]", "()", "  'indented'",
            '{"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s"}',
            # plain strings, prefixes, quotes inside, escapes, implicit concatenation
            "''", '""""""', "'\"'", "R'x'", "U'x'", "'a' 'b'", '"a""b"', r"'\n'", r"'tab\there'", "rb'x'",
            "'''a'b'''", "'é'", "'a' "]
NOT_LITERALS = ["f'{x}'", "name", "'a' + 'b'", "{**x}", "call()", "'unterminated", "'''", "ur'x'", '"""a""""']


@pytest.mark.parametrize("source", LITERALS)
def test_literals_read_as_literal_eval_reads_them(source):
    assert literal_value(source) == ast.literal_eval(source)
    assert literal_value(ast.parse(source.strip(), mode="eval").body) == ast.literal_eval(source)


@pytest.mark.parametrize("source", NOT_LITERALS)
def test_anything_else_is_refused_as_literal_eval_refuses_it(source):
    with pytest.raises((ValueError, SyntaxError)) as ours:
        literal_value(source)
    with pytest.raises((ValueError, SyntaxError)) as theirs:
        ast.literal_eval(source)
    assert ours.type is theirs.type


def test_no_reference_cycle_is_left_for_the_paused_collector():
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        for _ in range(200):
            literal_value('"users.id"')
        grown_ours = len(gc.get_objects()) - before
        before = len(gc.get_objects())
        for _ in range(200):
            ast.literal_eval('"users.id"')
        grown_theirs = len(gc.get_objects()) - before
    finally:
        gc.enable()
    assert (grown_ours, grown_theirs >= 200) == (0, True)


@pytest.mark.parametrize("value", ["tenant.users.id", "tenant.a b", "tenant.x'y", 'tenant.x"y', "tenant.x\\ny",
                                   "tenant.x\\\\y", "tenant.\u00e9t\u00e9", "tenant.x\ny", "tenant.x\ty", "tenant.x\x00"])
@pytest.mark.parametrize("prefix", ["", "r", "u", "R"])
@pytest.mark.parametrize("quote", ["'", '"', "'''", '"""'])
def test_a_qualified_literal_is_accepted_only_when_it_reads_as_its_value(value, prefix, quote):
    """TNT005's shortcut (no parse for a value with nothing a literal reads differently) agrees with the parse."""
    from tenantlint.rules.tnt005_unqualified_table_reference import _evaluates_to

    literal = f"{prefix}{quote}{value}{quote}"
    try:
        reads = literal_value(literal) == value
    except (ValueError, SyntaxError):
        reads = False
    assert _evaluates_to(literal, value) is reads


def _raw_literal_by_parsing(raw: str, value: str) -> str | None:
    """What raw_literal gave before its shortcut: parse the text, then refuse bytes and concatenation."""
    from tenantlint.facts.source import _one_literal

    try:
        if literal_value(raw) != value:
            return None
    except (ValueError, SyntaxError):
        return None
    if raw[:1] not in "\"'" and raw[:1].lower() not in ("u", "r"):
        return None
    return raw if _one_literal(raw) else None


_WRITTEN = [s.strip() for s in LITERALS] + [
    "'users.id'", "r'x'", "U\"x\"", "'a\"b'", "\"a'b\"", "'a\\'b'", "'\\\\'", "'tab\there'", "'a' \"b\"", "\"a\" 'b'",
    "'a' 'b'", "\"\"", "r''", "'é.id'", "\"x\\ny\"", "'ünï'", "'\\x41'",
]
_STRINGS = [s for s in _WRITTEN if isinstance(ast.parse(f"x = {s}").body[0].value, ast.Constant)
            and isinstance(ast.parse(f"x = {s}").body[0].value.value, str)]  # raw_literal reads strings only


@pytest.mark.parametrize("literal", _STRINGS)
def test_a_literal_as_written_is_what_parsing_it_gives(literal):
    from tenantlint.facts.source import raw_literal

    node = ast.parse(f"x = {literal}\n").body[0].value
    assert raw_literal([f"x = {literal}"], node) == _raw_literal_by_parsing(literal, node.value)
