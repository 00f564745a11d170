"""One pass over a parsed module's statements, feeding each collector what it reads, and the
ModuleFacts they make together (`collect`)."""

from __future__ import annotations

import ast

from tenantlint.facts.auto_names import MetaDataCalls, class_auto_named
from tenantlint.facts.calls import Calls
from tenantlint.facts.classes import class_info
from tenantlint.facts.constants import Constants
from tenantlint.facts.imports import Names
from tenantlint.facts.raw_sql import RawSql, gated
from tenantlint.facts.source import module_name, noqa_lines, split_lines
from tenantlint.facts.types import AutoNamed, ClassInfo, ModuleFacts, TypeObjectCall


class _Walk:
    """One pass over a module's statements, feeding each collector what it reads: classes (and
    the classes nested in them), module-level names, MetaData calls, references and type objects."""

    def __init__(self, tree: ast.Module, source: str, module: str, is_package: bool, lines: list[str] | None):
        self.lines = split_lines(source) if lines is None else lines
        self.names = Names(module, is_package)
        self.classes: list[ClassInfo] = []
        self.type_objects: list[TypeObjectCall] = []
        self.calls = Calls(self.lines, self.type_objects)
        self.constants = Constants(source, self.lines)
        for stmt in tree.body:  # before the classes, which may name them (`__tablename__ = TABLE`)
            self.constants.statement(stmt)
        self.metadata = MetaDataCalls(tree)
        self.auto_named: list[AutoNamed] = []
        self.block(tree.body, "")

    def block(self, body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                self.class_body(stmt, f"{prefix}.{stmt.name}" if prefix else stmt.name, prefix)
            else:
                if not prefix:
                    self.names.statement(stmt)
                    self.metadata.statement(stmt, "")
                self.calls.scan(stmt, None)

    def class_body(self, node: ast.ClassDef, path: str, prefix: str) -> None:
        self.classes.append(class_info(node, prefix, self.lines, self.type_objects, self.constants))
        self.auto_named.extend(class_auto_named(node, path))
        for child in node.body:
            self.metadata.statement(child, path)
        # string references and type objects inside the class, attributed to it
        for child in node.body:
            if not isinstance(child, ast.ClassDef):
                self.calls.scan(child, path)
        for child in node.body:
            if isinstance(child, ast.ClassDef):
                self.block([child], path)


def collect(tree: ast.Module, source: str, relative_posix: str, lines: list[str] | None = None) -> ModuleFacts:
    """The facts of one parsed file at `relative_posix` (project-relative, for its module name);
    `lines`: the source's `split_lines`, when the caller has them already."""
    module, is_package = module_name(relative_posix)
    walk = _Walk(tree, source, module, is_package, lines)
    names, calls, metadata = walk.names, walk.calls, walk.metadata
    raw = RawSql(tree, names.imports) if gated(source) else None
    return ModuleFacts(
        module=module,
        is_package=is_package,
        imports=names.imports,
        assigned_calls=names.assigned,
        base_cls=names.base_cls,
        star_imports=tuple(names.star_imports),
        classes=tuple(walk.classes),
        tables=tuple(calls.tables),
        refs=tuple(calls.refs),
        type_objects=tuple(walk.type_objects),
        constants=walk.constants.found,
        bound=frozenset(names.bound),
        returns=names.returns,
        helpers=names.helpers,
        helper_calls=tuple(calls.helper_calls),
        noqa=noqa_lines(source, walk.lines),
        sql=tuple(raw.sql) if raw else (),
        ops=tuple(raw.ops) if raw else (),
        auto_named=tuple(walk.auto_named),
        metadata=tuple(metadata.calls),
        metadata_aliases=metadata.aliases,
    )
