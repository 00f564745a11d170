"""The rules: from the project's models and references to findings (with their edits)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from pathlib import Path

from tenantlint.config import Config
from tenantlint.findings import Applicability, Edit, EditKind, Finding
from tenantlint.models import ClassRef, ModuleLoader, Project, Role, table_name_candidates
from tenantlint.summary import TABLE_OF, ModuleSummary, RefKind, StringRef, char_column
from tenantlint.table_args import Schema, Shape, Span, TableArgs


@dataclass(frozen=True)
class SourceFile:
    """A parsed file in the project: where it is, whether it is in a tenant path, its facts."""

    path: Path  # as reported (relative to the current directory when possible)
    relative: str  # posix, relative to the project root
    tenant: bool
    in_scope: bool  # given on the command line (else read only as context)
    summary: ModuleSummary
    lines: tuple[str, ...]


class _Positions:
    """ast gives UTF-8 byte columns; findings and edits use characters."""

    def __init__(self, lines: tuple[str, ...]):
        self.lines = lines

    def char(self, line: int, byte_col: int) -> int:
        return char_column(self.lines, line, byte_col)

    def span(self, span: Span) -> tuple[int, int, int, int]:
        """1-based (line, column, end_line, end_column)."""
        return (
            span.line,
            self.char(span.line, span.col) + 1,
            span.end_line,
            self.char(span.end_line, span.end_col) + 1,
        )

    def class_name(self, line: int, byte_col: int, name: str) -> tuple[int, int, int, int]:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        col = self.char(line, byte_col)
        match = re.compile(r"class\s+").match(text, col)
        start = match.end() if match else col
        return (line, start + 1, line, start + len(name) + 1)


_EXPR_TABLE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?=\.c\.)")


class Checker:
    def __init__(self, files: list[SourceFile], config: Config, loader: ModuleLoader | None = None):
        self.files = files
        self.config = config
        self.project = Project([f.summary for f in files], config.base_classes, loader)
        self.tenant_tables: set[str] = set()
        self.shared_tables: set[str] = set()
        self.guessed_tables: set[str] = set()  # named by a `declared_attr` we could not follow
        self.unsettled_tables: set[str] = set()  # tenant tables whose schema `fix` cannot set (TNT003, ...)
        # Only the tables some string in scope names matter (TNT005): resolving every class of
        # the project to find the others costs most of a one-file pre-commit run.
        referenced = {n for f in files if f.in_scope for ref in self._refs(f) for n in self._referenced_tables(ref)}
        self._collect_tables(referenced)

    @property
    def placeholder(self) -> str:
        return self.config.schema

    # -- which tables are per tenant
    def _collect_tables(self, names: set[str]) -> None:
        """Sort the tables called `names` into tenant and shared ones."""
        if not names:
            return
        guessed: list[tuple[str, bool, str | None, bool]] = []
        for file in self.files:
            for ref in self._classes(file):
                if names.isdisjoint(table_name_candidates(ref.info)):
                    continue
                table = self.project.table_of(ref)
                if table is None or table.single_table:
                    continue
                args = self._effective_args(ref)
                literal = args is not None and args.schema is Schema.LITERAL
                schema = args.schema_value if literal else None
                if table.tablename:
                    self._add_table(table.tablename, file.tenant, schema, literal)
                    if file.tenant and not literal and not self._gets_placeholder(ref):
                        self.unsettled_tables.add(table.tablename)
                guessed += [(name, file.tenant, schema, literal) for name in table.guesses if name in names]
            for call in self._tables(file):
                if call.name in names:
                    self._add_table(call.name, file.tenant, call.schema, call.has_schema)
        # A name a `declared_attr` we cannot follow probably gives (`cls.__name__.lower()`,
        # snake_case): used only where no table is known by that name.
        for name, tenant, schema, literal in guessed:
            if name not in self.tenant_tables and name not in self.shared_tables:
                self._add_table(name, tenant, schema, literal)
                self.guessed_tables.add(name)

    def _add_table(self, name: str, tenant_path: bool, schema: str | None, has_schema: bool) -> None:
        if schema == self.placeholder or (tenant_path and not has_schema):
            self.tenant_tables.add(name)
        elif not has_schema or schema is None:
            self.shared_tables.add(name)

    def _classes(self, file: SourceFile) -> list[ClassRef]:
        return [ClassRef(file.summary, c) for c in file.summary.classes]

    def _effective_args(self, ref: ClassRef) -> TableArgs | None:
        if ref.info.table_args is not None:
            return ref.info.table_args
        source = self.project.inherited_table_args(ref)
        return source.info.table_args if source else None

    # -- findings
    def run(self) -> list[Finding]:
        findings: list[Finding] = []
        for file in self.files:
            if not file.in_scope:
                continue
            found = list(self._check_classes(file)) + list(self._check_tables(file)) + list(self._check_refs(file))
            found += list(self._check_type_objects(file))
            findings.extend(f for f in found if self.config.selects(f.code) and not self._suppressed(file, f))
        return sorted(findings, key=lambda f: f.sort_key)

    @staticmethod
    def _suppressed(file: SourceFile, finding: Finding) -> bool:
        if finding.line not in file.summary.noqa:
            return False
        codes = file.summary.noqa[finding.line]
        return codes is None or finding.code in codes

    def _finding(self, file: SourceFile, code: str, message: str, where: tuple, model: str | None, edit=None):
        line, col, end_line, end_col = where
        return Finding(code, message, file.path, line, col, end_line, end_col, model, edit)

    def _check_classes(self, file: SourceFile):
        pos = _Positions(file.lines)
        for ref in self._classes(file):
            info = ref.info
            table = self.project.table_of(ref)
            if table is None:
                continue
            where = pos.class_name(info.line, info.col, info.name)
            name = info.name
            if table.single_table:
                if info.table_args is not None and file.tenant:
                    yield self._finding(
                        file, "TNT004",
                        f"Model `{name}` has no table of its own (single-table inheritance): "
                        "SQLAlchemy rejects its `__table_args__`",
                        where, name,
                    )
                continue
            if info.has_table:
                if info.table_args is not None:
                    yield self._finding(
                        file, "TNT004",
                        f"Model `{name}` sets `__table__`, so SQLAlchemy ignores its `__table_args__`",
                        where, name,
                    )
                continue  # the Table(...) call itself is checked by TNT006
            if not file.tenant:
                args = info.table_args
                if args is not None and args.schema is Schema.LITERAL and args.schema_value == self.placeholder:
                    yield self._finding(
                        file, "TNT008",
                        f"Model `{name}` declares the tenant schema `{self.placeholder}` outside the tenant paths",
                        where, name,
                    )
                continue
            yield from self._check_model_args(file, ref, where, pos)

    def _check_model_args(self, file: SourceFile, ref: ClassRef, where: tuple, pos: _Positions):
        info, name, placeholder = ref.info, ref.info.name, self.placeholder
        own = info.table_args
        if own is None:
            source = self.project.inherited_table_args(ref)
            inherited = source.info.table_args if source else None
            if self._nothing_to_keep(inherited):
                yield self._finding(
                    file, "TNT001", f"Model `{name}` has no tenant schema", where, name,
                    Edit(EditKind.ADD_ASSIGNMENT, info.line, info.col, old=info.path,
                         title=f"Add `__table_args__ = {{\"schema\": \"{placeholder}\"}}`"),
                )
                return
            origin = source.info.name
            verdict = self._verdict(inherited)
            if verdict == "ok":
                return
            if verdict == "computed":
                yield self._finding(
                    file, "TNT003",
                    f"Model `{name}` inherits a computed `__table_args__` from `{origin}`; "
                    "run `tenantlint verify` to check it", where, name,
                )
            elif verdict == "invalid":
                yield self._finding(
                    file, "TNT004", f"Model `{name}` inherits an invalid `__table_args__` from `{origin}`", where, name
                )
            elif verdict == "conflict":
                yield self._finding(
                    file, "TNT002",
                    f"Model `{name}` inherits schema {inherited.schema_value!r} from `{origin}`, "
                    f"not `{placeholder}`", where, name,
                )
            else:  # missing, and a plain assignment would drop what the parent holds (fact 5)
                yield self._finding(
                    file, "TNT001",
                    f"Model `{name}` has no tenant schema; it inherits `__table_args__` from `{origin}`, "
                    "which a plain assignment would drop: merge them by hand", where, name,
                )
            return
        verdict = self._verdict(own)
        if verdict == "ok":
            return
        if verdict == "computed":
            yield self._finding(
                file, "TNT003",
                f"`__table_args__` of model `{name}` is computed; run `tenantlint verify` to check it", where, name,
            )
        elif verdict == "invalid":
            yield self._finding(
                file, "TNT004", f"`__table_args__` of model `{name}` is invalid: {self._invalid_reason(own)}",
                where, name,
            )
        elif verdict == "conflict":
            span = own.schema_span
            edit = Edit(
                EditKind.REPLACE_SCHEMA, span.line, pos.char(span.line, span.col), old="", new=f'"{placeholder}"',
                applicability=Applicability.UNSAFE, title=f"Set the schema to `{placeholder}`",
            )
            yield self._finding(
                file, "TNT002", f"Model `{name}` has schema {own.schema_value!r}, not `{placeholder}`", where, name, edit
            )
        else:
            yield self._finding(file, "TNT001", f"Model `{name}` has no tenant schema", where, name, self._args_edit(own, pos))

    @staticmethod
    def _nothing_to_keep(inherited: TableArgs | None) -> bool:
        """Inherited `__table_args__` a plain assignment can replace without losing anything."""
        return inherited is None or (
            inherited.shape in (Shape.DICT, Shape.EMPTY_TUPLE, Shape.NONE) and not inherited.holds_anything
        )

    def _gets_placeholder(self, ref: ClassRef) -> bool:
        """Whether the model's table has the placeholder schema once the safe fixes are applied."""
        own = ref.info.table_args
        if own is not None:
            return self._verdict(own) in ("ok", "missing")
        source = self.project.inherited_table_args(ref)
        inherited = source.info.table_args if source else None
        return self._nothing_to_keep(inherited) or self._verdict(inherited) == "ok"

    def _verdict(self, args: TableArgs) -> str:
        if args.shape in (Shape.COMPUTED, Shape.DECLARED_ATTR):
            return "computed"
        if args.shape in (Shape.NOT_A_TUPLE, Shape.LIST, Shape.DICT_NOT_LAST):
            return "invalid"
        if args.schema is Schema.COMPUTED:
            return "computed"
        if args.schema is Schema.LITERAL:
            return "ok" if args.schema_value == self.placeholder else "conflict"
        return "missing"

    @staticmethod
    def _invalid_reason(args: TableArgs) -> str:
        return {
            Shape.NOT_A_TUPLE: "parentheses without a comma make no tuple; SQLAlchemy expects a tuple or a dict",
            Shape.LIST: "a list; SQLAlchemy expects a tuple or a dict",
            Shape.DICT_NOT_LAST: "a dict that is not the last tuple element is not read as options",
        }[args.shape]

    def _args_edit(self, args: TableArgs, pos: _Positions) -> Edit:
        title = f"Add `\"schema\": \"{self.placeholder}\"` to `__table_args__`"
        if args.options_dict is not None:
            span = args.options_dict
            return Edit(EditKind.MERGE_KEY, span.line, pos.char(span.line, span.col), title=title)
        span = args.span
        kind = EditKind.REPLACE_ARGS if args.shape is Shape.NONE else EditKind.APPEND_DICT
        return Edit(kind, span.line, pos.char(span.line, span.col), title=title)

    def _tables(self, file: SourceFile):
        return [c for c in file.summary.tables if self.project.from_sqlalchemy(file.summary, c.callee)]

    def _check_tables(self, file: SourceFile):
        pos = _Positions(file.lines)
        for call in self._tables(file):
            where = pos.span(call.span)
            if file.tenant and not call.has_schema:
                edit = None
                if not call.has_star_kwargs:
                    edit = Edit(EditKind.ADD_KEYWORD, call.span.line, pos.char(call.span.line, call.span.col),
                                new=f'"{self.placeholder}"', title=f"Add `schema=\"{self.placeholder}\"`")
                yield self._finding(file, "TNT006", f"Table `{call.name}` has no tenant schema", where, call.name, edit)
            elif file.tenant and call.schema != self.placeholder:
                yield self._finding(
                    file, "TNT002", f"Table `{call.name}` has schema {call.schema!r}, not `{self.placeholder}`",
                    where, call.name,
                )
            elif not file.tenant and call.has_schema and call.schema == self.placeholder:
                yield self._finding(
                    file, "TNT008",
                    f"Table `{call.name}` declares the tenant schema `{self.placeholder}` outside the tenant paths",
                    where, call.name,
                )

    def _refs(self, file: SourceFile) -> list[StringRef]:
        """The file's string references, computed ones with the table names of their models
        filled in (`f"{Chip.__tablename__}.id"` -> `chip.id`); those we cannot fill are left out."""
        refs = []
        for ref in file.summary.refs:
            value = ref.value
            for name in ref.models:
                target = self.project.lookup(self.project.qualify(file.summary, name))
                table = self.project.table_of(target) if isinstance(target, ClassRef) else None
                if table is None or table.tablename is None:
                    break
                value = value.replace(TABLE_OF, table.tablename, 1)
            else:
                refs.append(replace(ref, value=value) if ref.models else ref)
        return refs

    def _check_refs(self, file: SourceFile):
        pos = _Positions(file.lines)
        for ref in self._refs(file):
            names = self._referenced_tables(ref)
            tenant = [n for n in names if n in self.tenant_tables]
            if not tenant:
                continue
            where = pos.span(ref.span)
            ambiguous = [n for n in tenant if n in self.shared_tables]
            if ambiguous:
                yield self._finding(
                    file, "TNT005",
                    f"Reference `{ref.value}` is ambiguous: `{ambiguous[0]}` is both a shared and a tenant table",
                    where, ambiguous[0],
                )
                continue
            new_value = self._qualified(ref, set(tenant))
            edit = None
            unsettled = [n for n in tenant if n in self.unsettled_tables]
            if ref.raw is not None and not unsettled:  # qualify only what will be in the schema
                quote_at = len(ref.raw) - len(ref.raw.lstrip("rRuU"))
                prefix, quote = ref.raw[:quote_at], ref.raw[quote_at]
                if ref.raw[quote_at : quote_at + 3] == quote * 3:
                    quote *= 3
                candidate = f"{prefix}{quote}{new_value}{quote}"
                if self._evaluates_to(candidate, new_value):
                    edit = Edit(EditKind.QUALIFY_STRING, ref.span.line, pos.char(ref.span.line, ref.span.col),
                                old=ref.raw, new=candidate, title=f"Qualify as `{new_value}`")
            guess = " (its name is generated: confirm with `tenantlint verify`)" if tenant[0] in self.guessed_tables else ""
            if unsettled:
                guess = (f" (`fix` cannot give `{unsettled[0]}` the schema: qualify this once its model has it,"
                         " and confirm with `tenantlint verify`)")
            elif ref.computed:
                guess = f" (a computed string: write `{new_value}`, or refer to the column itself)"
            yield self._finding(
                file, "TNT005",
                f"Reference `{ref.value}` names tenant table `{tenant[0]}` without the `{self.placeholder}.` schema{guess}",
                where, tenant[0], edit,
            )

    @staticmethod
    def _evaluates_to(literal: str, value: str) -> bool:
        try:
            return ast.literal_eval(literal) == value
        except (ValueError, SyntaxError):
            return False

    @staticmethod
    def _referenced_tables(ref: StringRef) -> list[str]:
        if ref.kind is RefKind.COLUMN:
            parts = ref.value.split(".")
            return [parts[0]] if len(parts) == 2 else []
        if ref.kind is RefKind.TABLE:
            return [ref.value] if "." not in ref.value else []
        return _EXPR_TABLE.findall(ref.value)

    def _qualified(self, ref: StringRef, tenant: set[str]) -> str:
        if ref.kind is not RefKind.EXPRESSION:
            return f"{self.placeholder}.{ref.value}"
        return _EXPR_TABLE.sub(lambda m: f"{self.placeholder}.{m.group(1)}" if m.group(1) in tenant else m.group(1), ref.value)

    def _check_type_objects(self, file: SourceFile):
        if not file.tenant:
            return
        pos = _Positions(file.lines)
        classes = {c.path: c for c in file.summary.classes}
        for call in file.summary.type_objects:
            if call.has_schema:
                continue
            if call.class_path is not None:
                info = classes.get(call.class_path)
                # models, and the mixins and abstract bases they get columns from; not pydantic schemas
                if info is None or self.project.role(ClassRef(file.summary, info)) is Role.SQLMODEL_SCHEMA:
                    continue
            if call.kind == "Mapped":
                if not self.project.is_enum(file.summary, call.callee):
                    continue
                message = (f"`Mapped[{call.callee}]` makes a named native enum type without a schema: it is created "
                           f"once and shared by every tenant; declare `mapped_column(Enum({call.callee}, "
                           f"schema=\"{self.placeholder}\"))`")
            elif self.project.from_sqlalchemy(file.summary, call.callee):
                message = f"`{call.kind}(...)` has no schema: it is created once and shared by every tenant"
            else:
                continue  # enum.Enum, typing.Sequence, ...
            edit = None
            if not call.has_star_kwargs:
                edit = Edit(EditKind.ADD_KEYWORD, call.span.line, pos.char(call.span.line, call.span.col),
                            new=f'"{self.placeholder}"', applicability=Applicability.UNSAFE,
                            title=f"Add `schema=\"{self.placeholder}\"`")
            yield self._finding(file, "TNT007", message, pos.span(call.span), call.class_path, edit)
