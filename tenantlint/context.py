"""What the rules stand on: the project's files, which tables are per tenant, and positions.

One `Context` per run. It sorts the tables some string in scope names into tenant and shared
ones (TNT005 needs them), says what a model's `__table_args__` amounts to (a `Verdict`), and
builds findings; each rule module (`tenantlint.rules.tntNNN_*`) asks it and decides.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tenantlint.config import Config
from tenantlint.facts import CONSTANT_OF, TABLE_OF, Constant, HelperCall, ModuleFacts, RefKind, StringRef, TableCall, char_column
from tenantlint.facts.table_args import Schema, Shape, Span, TableArgs
from tenantlint.findings import Edit, Finding
from tenantlint.models import Project, Table, table_name_candidates
from tenantlint.resolution import ClassRef, ModuleLoader

if TYPE_CHECKING:
    from tenantlint.rules import Rule


@dataclass(frozen=True)
class SourceFile:
    """A parsed file in the project: where it is, whether it is in a tenant path, its facts."""

    path: Path  # as reported (relative to the current directory when possible)
    relative: str  # posix, relative to the project root
    tenant: bool
    in_scope: bool  # given on the command line (else read only as context)
    facts: ModuleFacts
    lines: tuple[str, ...]
    migration: bool = False  # under the config's `migrations` globs


class Verdict(enum.Enum):
    """What a model's `__table_args__` value says about its schema."""

    OK = "ok"  # the placeholder
    MISSING = "missing"  # no schema: `fix` can add it
    CONFLICT = "conflict"  # another literal
    COMPUTED = "computed"  # not readable from the source
    INVALID = "invalid"  # a value SQLAlchemy rejects or ignores


class Positions:
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


@dataclass(frozen=True)
class Model:
    """A class of a file that maps a table (its own, a parent's, or `__table__`)."""

    ref: ClassRef
    table: Table
    where: tuple[int, int, int, int]  # the class name

    @property
    def name(self) -> str:
        return self.ref.info.name


_WORD = re.compile(r"[A-Za-z_]\w*")
_EXPR_TABLE = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?=\.c\.)")
# a table name a model probably has: (name, in a tenant path, schema, has a literal schema, why unsettled)
_Guess = tuple[str, bool, str | None, bool, str | None]


class Context:
    def __init__(self, files: list[SourceFile], config: Config, loader: ModuleLoader | None = None,
                 moving: dict[str, tuple[str, ...]] | None = None, outside_refs: bool = False):
        self.files = files
        self.config = config
        # the codes of the rules whose fix moves "models" or "tables" (Table(...) calls) into the schema
        self.moving = moving or {}
        self.project = Project([f.facts for f in files], config.base_classes, loader)
        self.tenant_tables: set[str] = set()
        self.shared_tables: set[str] = set()
        self.guessed_tables: set[str] = set()  # named by a `declared_attr` we could not follow
        # tenant tables that do not get the schema in this run, with why: `fix` cannot set it
        # (computed or inherited `__table_args__`), or will not (not in scope, suppressed, unselected)
        self.unsettled_tables: dict[str, str] = {}
        self.in_schema: set[str] = set()  # tables that have the placeholder schema in the code as it is
        # tenant tables this run's fixes give the schema -> the project-relative file that does it
        self.moving_tables: dict[str, str] = {}
        self.outside_refs = outside_refs  # also sort the tables named in the files not given (fix)
        self._per_file: dict[tuple[str, int], list] = {}
        # Only the tables some string in scope names matter (TNT005): resolving every class of
        # the project to find the others costs most of a one-file pre-commit run.
        referenced = {n for f in files if f.in_scope or outside_refs for ref in self.refs(f) + [r for r, _ in self.helper_refs(f)]
                      for n in self.referenced_tables(ref) + self.placeholder_tables(ref)}
        # and the words of raw SQL and the tables of Alembic operations (TNT009, TNT011)
        referenced |= {n for f in files if f.in_scope for n in self.unmapped_names(f)}
        self._collect_tables(referenced)

    @property
    def placeholder(self) -> str:
        return self.config.schema

    def _memo(self, kind: str, file: SourceFile, compute) -> list:
        """Per-file results several rules ask for, computed once."""
        key = (kind, id(file))
        if key not in self._per_file:
            self._per_file[key] = compute()
        return self._per_file[key]

    # -- which tables are per tenant
    def _collect_tables(self, names: set[str]) -> None:
        """Sort the tables called `names` into tenant and shared ones."""
        if not names:
            return
        guessed: list[_Guess] = []
        for file in self.files:
            if file.migration:  # a migration's `sa.Table(...)` records history, not a table of the app
                continue
            guessed += self._model_tables(file, names)
            self._table_calls(file, names)
        # A name a `declared_attr` we cannot follow probably gives (`cls.__name__.lower()`,
        # snake_case): used only where no table is known by that name.
        for name, tenant, schema, literal, unsettled in guessed:
            if name not in self.tenant_tables and name not in self.shared_tables:
                self._add_table(name, tenant, schema, literal, unsettled)
                self.guessed_tables.add(name)

    def _model_tables(self, file: SourceFile, names: set[str]) -> list[_Guess]:
        """Adds the file's models' tables called `names`; returns the guessed names, added last."""
        guessed = []
        for ref in self.classes(file):
            if names.isdisjoint(table_name_candidates(ref.info)):
                continue
            table = self.project.table_of(ref)
            if table is None or table.single_table:
                continue
            args = self.effective_args(ref)
            literal = args is not None and args.schema is Schema.LITERAL
            schema = args.schema_value if literal else None
            unsettled = self._not_moved(file, ref) if file.tenant and not literal else None
            if table.tablename:
                self._add_table(table.tablename, file.tenant, schema, literal, unsettled, file)
            guessed += [(name, file.tenant, schema, literal, unsettled) for name in table.guesses if name in names]
        return guessed

    def _table_calls(self, file: SourceFile, names: set[str]) -> None:
        """Adds the file's `Table("name", ...)` calls called `names`."""
        for call in self.tables(file):
            if call.name in names:
                unsettled = None
                if file.tenant and not call.has_schema:
                    unsettled = ("`fix` cannot give it the schema (`**` arguments)" if call.has_star_kwargs
                                 else self._not_fixed(file, call.span.line, "tables"))
                self._add_table(call.name, file.tenant, call.schema, call.has_schema, unsettled, file)

    def _add_table(self, name: str, tenant_path: bool, schema: str | None, has_schema: bool,
                   unsettled: str | None = None, file: SourceFile | None = None) -> None:
        if schema == self.placeholder:
            self.in_schema.add(name)
        if schema == self.placeholder or (tenant_path and not has_schema):
            self.tenant_tables.add(name)
            if unsettled and schema != self.placeholder:
                self.unsettled_tables.setdefault(name, unsettled)
            elif file is not None and not has_schema:
                self.moving_tables.setdefault(name, file.relative)
        elif not has_schema or schema is None:
            self.shared_tables.add(name)

    # -- what a file holds
    def classes(self, file: SourceFile) -> list[ClassRef]:
        return [self.project.ref(file.facts, c) for c in file.facts.classes]

    def models(self, file: SourceFile) -> list[Model]:
        """The file's classes that map a table, with where their name is."""
        def compute():
            pos = self.positions(file)
            found = []
            for ref in self.classes(file):
                table = self.project.table_of(ref)
                if table is not None:
                    found.append(Model(ref, table, pos.class_name(ref.info.line, ref.info.col, ref.info.name)))
            return found

        return self._memo("models", file, compute)

    def tables(self, file: SourceFile) -> list[TableCall]:
        """The file's `Table(...)` calls (SQLAlchemy's, not another `Table`)."""
        return self._memo("tables", file, lambda: [
            self._named_table(file, c) for c in file.facts.tables if self.project.from_sqlalchemy(file.facts, c.callee)
        ])

    def _named_table(self, file: SourceFile, call: TableCall) -> TableCall:
        """`Table(USERS, ...)` with the constant's value as its name, when it is one."""
        if call.name_constant is None:
            return call
        return replace(call, name=self.project.constant_value(file.facts, call.name_constant))

    def positions(self, file: SourceFile) -> Positions:
        return Positions(file.lines)

    # -- what a model's `__table_args__` says
    def effective_args(self, ref: ClassRef) -> TableArgs | None:
        if ref.info.table_args is not None:
            return ref.info.table_args
        source = self.project.inherited_table_args(ref)
        return source.info.table_args if source else None

    def inherited(self, ref: ClassRef) -> tuple[TableArgs | None, str | None]:
        """The `__table_args__` a model without its own inherits, and the class it is from."""
        source = self.project.inherited_table_args(ref)
        return (source.info.table_args, source.info.name) if source else (None, None)

    @staticmethod
    def nothing_to_keep(inherited: TableArgs | None) -> bool:
        """Inherited `__table_args__` a plain assignment can replace without losing anything."""
        return inherited is None or (
            inherited.shape in (Shape.DICT, Shape.EMPTY_TUPLE, Shape.NONE) and not inherited.holds_anything
        )

    def _not_moved(self, file: SourceFile, ref: ClassRef) -> str | None:
        """Why the model's table lacks the placeholder schema once this run's safe fixes are
        applied; None when it has it."""
        own = ref.info.table_args
        args = own if own is not None else self.inherited(ref)[0]
        if args is not None and self.verdict(args) is Verdict.OK:
            return None
        if (own is not None and self.verdict(own) is Verdict.MISSING) or (own is None and self.nothing_to_keep(args)):
            return self._not_fixed(file, ref.info.line, "models")
        return "`fix` cannot give it the schema"

    def _not_fixed(self, file: SourceFile, line: int, kind: str) -> str | None:
        """Why the fix that moves what is reported at `line` into the schema is not applied in this
        run; None when it is."""
        if not file.in_scope:
            return f"its model in {file.relative} is not among the files of this run"
        codes = self.moving.get(kind, ())
        if not any(self.config.selects(code) and not suppressed(file.facts.noqa, line, code) for code in codes):
            return "its fix is suppressed (`# noqa`, `--select`, `--ignore`)"
        return None

    def verdict(self, args: TableArgs) -> Verdict:
        if args.shape in (Shape.COMPUTED, Shape.DECLARED_ATTR):
            return Verdict.COMPUTED
        if args.shape in (Shape.NOT_A_TUPLE, Shape.LIST, Shape.DICT_NOT_LAST):
            return Verdict.INVALID
        if args.schema is Schema.COMPUTED:
            return Verdict.COMPUTED
        if args.schema is Schema.LITERAL:
            return Verdict.OK if args.schema_value == self.placeholder else Verdict.CONFLICT
        return Verdict.MISSING

    def tenant_models(self, file: SourceFile) -> list[Model]:
        """Models of a tenant-path file with a table of their own declared by `__tablename__`:
        the ones whose `__table_args__` must give the placeholder."""
        if not file.tenant:
            return []
        return [m for m in self.models(file) if not m.table.single_table and not m.ref.info.has_table]

    # -- string references (TNT005)
    def refs(self, file: SourceFile) -> list[StringRef]:
        """The file's string references, computed ones with the table names of their models and
        the values of string constants filled in (`f"{Chip.__tablename__}.id"` -> `chip.id`,
        `ForeignKey(USER_ID)` -> `user.id`); those we cannot fill are left out (`computed_refs`)."""
        return [ref for ref in self._memo("refs", file, lambda: self._filled_refs(file)) if not ref.opaque]

    def helper_refs(self, file: SourceFile) -> list[tuple[StringRef, str]]:
        """`fk("parent")` calling `def fk(t): return ForeignKey(f"{t}.id")`: the target it builds,
        and where the helper is (`path:line`)."""
        return self._memo("helper refs", file, lambda: [found for call in file.facts.helper_calls
                                                        if (found := self._through_helper(file, call))])

    def _through_helper(self, file: SourceFile, call: HelperCall) -> tuple[StringRef, str] | None:
        found = self.project.helper(file.facts, call.callee)
        if found is None:
            return None
        module, name, helper = found
        value = helper.value
        for part in helper.names:
            filled = call.args[helper.params.index(part)] if part in helper.params[: len(call.args)] \
                else self.project.constant_value(module, part)
            if filled is None:
                return None
            value = value.replace(CONSTANT_OF, filled, 1)
        path = module.module.replace(".", "/") + ("/__init__.py" if module.is_package else ".py")
        return StringRef(RefKind.COLUMN, value, call.span, None), f"`{name}` at {path}:{helper.line}"

    def computed_refs(self, file: SourceFile) -> list[StringRef]:
        """Where the file needs a string naming a table (a foreign key's target, a `metadata.tables`
        key) and has an expression tenantlint cannot resolve to one (a call, a parameter)."""
        return [ref for ref in self._memo("refs", file, lambda: self._filled_refs(file)) if ref.opaque]

    def _filled_refs(self, file: SourceFile) -> list[StringRef]:
        refs = []
        for ref in file.facts.refs:
            if ref.opaque:
                refs.append(ref)
                continue
            value = ref.value
            for name in ref.models:
                target = self.project.lookup(self.project.qualify(file.facts, name))
                table = self.project.table_of(target) if isinstance(target, ClassRef) else None
                if table is None or table.tablename is None:
                    break
                value = value.replace(TABLE_OF, table.tablename, 1)
            else:
                filled = self._constants_filled(file, ref, value)
                if filled is not None:
                    refs.append(replace(ref, value=filled) if filled != ref.value else ref)
                elif ref.required and not self._an_object(file, ref):
                    refs.append(replace(ref, opaque=True))
        return refs

    def _constants_filled(self, file: SourceFile, ref: StringRef, value: str) -> str | None:
        for name in ref.names:
            filled = self.project.constant_value(file.facts, name)
            if filled is None:
                return None
            value = value.replace(CONSTANT_OF, filled, 1)
        return value

    def _an_object(self, file: SourceFile, ref: StringRef) -> bool:
        """`ForeignKey(Parent.id)`, `ForeignKey(parent_id)` of a module-level column: an object
        SQLAlchemy resolves itself, not a string (a bare name bound only in a function is not)."""
        if ref.value != CONSTANT_OF or len(ref.names) != 1:
            return False
        name = ref.names[0]
        return "." in name or self.project.binds(file.facts, name)

    def constant_of(self, file: SourceFile, ref: StringRef) -> tuple[ModuleFacts, str, Constant] | None:
        """The one constant a reference is (`ForeignKey(USER_ID)`), where it is defined."""
        if len(ref.names) != 1 or ref.models:
            return None
        return self.project.constant(file.facts, ref.names[0])

    def imported_elsewhere(self, module: ModuleFacts, name: str) -> bool:
        """Whether another module read in this run imports `module.name`."""
        qualified = f"{module.module}.{name}"
        return any(qualified in other.imports.values() or module.module in other.imports.values()
                   for other in self.project.modules.values() if other is not module)

    @staticmethod
    def referenced_tables(ref: StringRef) -> list[str]:
        if ref.kind is RefKind.COLUMN:
            parts = ref.value.split(".")
            return [parts[0]] if len(parts) == 2 else []
        if ref.kind is RefKind.TABLE:
            return [ref.value] if "." not in ref.value else []
        return _EXPR_TABLE.findall(ref.value)

    def placeholder_tables(self, ref: StringRef) -> list[str]:
        """The tables a reference names already qualified with the placeholder (`tenant.brands.id`)."""
        prefix = f"{self.placeholder}."
        if ref.kind is RefKind.COLUMN:
            parts = ref.value.split(".")
            return [parts[1]] if len(parts) == 3 and ref.value.startswith(prefix) else []
        if ref.kind is RefKind.TABLE:
            parts = ref.value.split(".")
            return [parts[1]] if len(parts) == 2 and ref.value.startswith(prefix) else []
        return re.findall(rf"(?<![\w.]){re.escape(prefix)}([A-Za-z_]\w*)(?=\.c\.)", ref.value)

    def qualified(self, ref: StringRef, tenant: set[str]) -> str:
        if ref.kind is not RefKind.EXPRESSION:
            return f"{self.placeholder}.{ref.value}"
        return _EXPR_TABLE.sub(lambda m: f"{self.placeholder}.{m.group(1)}" if m.group(1) in tenant else m.group(1), ref.value)

    @staticmethod
    def unmapped_names(file: SourceFile) -> set[str]:
        """The names raw SQL, lightweight tables and Alembic operations of a file may mean as tables."""
        names = {op.table for op in file.facts.ops}
        for sql in file.facts.sql:
            names.update(_WORD.findall(sql.sql) if sql.kind == "sql" else (sql.sql,))
        return names

    # -- findings
    @staticmethod
    def finding(file: SourceFile, rule: Rule, message: str, where: tuple, model: str | None,
                edit: Edit | None = None, by_hand: str | None = None, breaks_now: bool = False) -> Finding:
        line, col, end_line, end_col = where
        return Finding(rule.code, message, file.path, line, col, end_line, end_col, model, edit, by_hand=by_hand,
                       breaks_now=breaks_now)


def suppressed(noqa: dict[int, frozenset[str] | None], line: int, code: str) -> bool:
    """Whether a `# noqa` (all codes, or this one) on `line` silences `code`."""
    if line not in noqa:
        return False
    codes = noqa[line]
    return codes is None or code in codes
