"""SQLAlchemy naming conventions and the schema: which names change when a table gets one (TNT010).

A `%(column_0_label)s` token renders `<schema>_<table>_<column>` once the table has a schema
(SQLAlchemy 2.x, checked in tests/test_phase2_runtime.py), so every auto-named index or
constraint whose convention uses a `*_label` token is renamed by adding `{"schema": "tenant"}`.
`%(table_name)s_%(column_0_name)s` renders what the label did without a schema, for any number
of columns when the token names one column; `column_0N_label` (`a_tableb_table...` glued) and
`column_0_N_label` repeat the table per column, which no token reproduces for two columns or more.
Pure functions: no SQLAlchemy import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What `MetaData()` uses without `naming_convention=` (sqlalchemy.sql.schema.DEFAULT_NAMING_CONVENTION).
DEFAULT_CONVENTION: dict[str, str] = {"ix": "ix_%(column_0_label)s"}

# column_0_label, column_2_label, column_0N_label, column_0_N_label
_LABEL = re.compile(r"%\(column_(\d+)(N|_N)?_label\)s")
_TOKEN = re.compile(r"%\((\w+)\)s")

# The convention keys that apply to each kind of auto-named object (SQLAlchemy accepts the class too).
KIND_KEYS = {
    "ix": ("ix", "Index"),
    "uq": ("uq", "UniqueConstraint"),
    "ck": ("ck", "CheckConstraint"),
    "fk": ("fk", "ForeignKeyConstraint"),
    "pk": ("pk", "PrimaryKeyConstraint"),
}


@dataclass(frozen=True)
class Named:
    """An index or constraint SQLAlchemy names from the convention: its kind and columns."""

    kind: str  # ix, uq, ck, fk, pk
    table: str
    columns: tuple[str, ...]
    referred_table: str | None = None  # fk


def template_for(convention: dict[str, str], kind: str) -> str | None:
    for key in KIND_KEYS[kind]:
        if key in convention:
            return convention[key]
    return None


def uses_label(template: str) -> bool:
    return bool(_LABEL.search(template))


def kept(template: str) -> str:
    """The template that renders, with a schema, what `template` rendered without one."""
    def replace(match: re.Match) -> str:
        index, many = match.group(1), match.group(2) or ""
        return f"%(table_name)s_%(column_{index}{many}_name)s"

    return _LABEL.sub(replace, template)


def reproduces(template: str, named: Named) -> bool:
    """Whether `kept(template)` gives `named` its old name: a `*N_label` token over two or more
    columns repeats the table name between columns, which the kept template cannot."""
    return len(named.columns) <= 1 or all(not m.group(2) for m in _LABEL.finditer(template))


def render(template: str, named: Named, schema: str | None) -> str:
    """The name SQLAlchemy gives `named` under `template` (before its 63-character truncation)."""
    label_prefix = f"{schema}_{named.table}" if schema else named.table
    columns = named.columns

    def token(match: re.Match) -> str:
        name = match.group(1)
        if name == "table_name":
            return named.table
        if name == "referred_table_name":
            return named.referred_table or "?"
        found = re.fullmatch(r"column_(\d+)(N|_N)?_(name|key|label)", name)
        if not found:
            return match.group(0)
        index, many, what = int(found.group(1)), found.group(2), found.group(3)
        picked = columns[index:] if many else columns[index:index + 1]
        parts = [f"{label_prefix}_{c}" if what == "label" else c for c in picked]
        return ("_" if many == "_N" else "").join(parts) if parts else "?"

    return _TOKEN.sub(token, template)


@dataclass(frozen=True)
class Rename:
    named: Named
    old: str
    new: str
    fixable: bool  # the kept template restores `old`


def renames(convention: dict[str, str], items: list[Named], schema: str) -> list[Rename]:
    """The names in `items` that change when their tables get `schema`, in order."""
    found = []
    for named in items:
        template = template_for(convention, named.kind)
        if template is None or not uses_label(template):
            continue
        old, new = render(template, named, None), render(template, named, schema)
        if old != new:
            found.append(Rename(named, old, new, reproduces(template, named)))
    return found


def kept_convention(convention: dict[str, str], kinds: set[str]) -> dict[str, str]:
    """The entries to write (merged into the existing convention) so `kinds` keep their old names."""
    entries = {}
    for kind in sorted(kinds):
        for key in KIND_KEYS[kind]:
            if key in convention and uses_label(convention[key]):
                entries[key] = kept(convention[key])
                break
    return entries
