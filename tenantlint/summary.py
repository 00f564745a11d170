"""Per-file syntax facts, read with the stdlib `ast` (13x faster to parse than LibCST).

Detection needs only these facts; LibCST is loaded only by `fix`, for the files it edits.
A summary is plain frozen data: it can be cached and built in worker processes.
"""

from __future__ import annotations

import ast
import enum
import re
from dataclasses import dataclass, field, replace

from tenantlint.table_args import Span, TableArgs, Shape, classify


class RefKind(enum.Enum):
    COLUMN = "column"  # "table.column" or "schema.table.column" (ForeignKey, foreign_key=)
    TABLE = "table"  # "table" (secondary=, metadata.tables[...])
    EXPRESSION = "expression"  # "... table.c.column ..." (primaryjoin=, order_by=, ...)


@dataclass(frozen=True)
class StringRef:
    kind: RefKind
    value: str  # with TABLE_OF marking where a model's table name goes (f"{Chip.__tablename__}.id")
    span: Span
    raw: str | None  # the literal as written, when it can be rewritten (a plain string)
    models: tuple[str, ...] = ()  # the dotted names whose `__tablename__` fill the TABLE_OF marks

    @property
    def computed(self) -> bool:
        return self.raw is None


TABLE_OF = "\x00"  # where a computed reference inserts a model's table name


@dataclass(frozen=True)
class TableCall:
    """`Table("name", metadata, ...)`."""

    span: Span
    callee: str  # `Table`, `sa.Table`, `db.Table`: whose Table it is is decided with the imports
    name: str | None
    schema: str | None  # the literal, if `schema=` is a literal
    has_schema: bool
    has_star_kwargs: bool


@dataclass(frozen=True)
class TypeObjectCall:
    """`Enum(..., name=...)` or `Sequence(...)`: objects created once per schema (fact 8); or
    `x: Mapped[SomeEnum]`, which SQLAlchemy 2 maps to a named native enum by itself."""

    span: Span
    kind: str  # "Enum", "Sequence", or "Mapped" (then `callee` is the annotated type)
    callee: str
    has_schema: bool
    has_star_kwargs: bool
    class_path: str | None  # the class whose body holds it


@dataclass(frozen=True)
class ClassInfo:
    path: str  # dotted nesting path inside the module: "Outer.Inner"
    name: str
    line: int  # of the `class` keyword
    col: int  # byte column of the `class` keyword
    bases: tuple[str, ...]  # dotted names; "" for an expression we cannot name
    keywords: tuple[tuple[str, str], ...]  # (keyword, dotted value or repr of a constant)
    decorators: tuple[str, ...]
    tablename: str | None  # the literal `__tablename__`
    has_tablename: bool
    tablename_declared_attr: bool
    # how a `declared_attr` `__tablename__` names tables: "lower" (`cls.__name__.lower()`),
    # "name" (`cls.__name__`), "unknown" (anything else), None without one
    tablename_rule: str | None
    has_table: bool  # `__table__ = ...`
    table_args: TableArgs | None
    abstract: bool
    has_primary_key: bool
    docstring: bool


@dataclass(frozen=True)
class ModuleSummary:
    module: str  # dotted module name relative to the project root
    is_package: bool
    imports: dict[str, str]  # local name -> qualified name
    assigned_calls: dict[str, str]  # module-level `X = f(...)` -> dotted f
    base_cls: dict[str, str]  # `Base = declarative_base(cls=Mixin)` -> "Mixin": Base inherits from it
    star_imports: tuple[str, ...]  # modules of `from x import *`
    classes: tuple[ClassInfo, ...]
    tables: tuple[TableCall, ...]
    refs: tuple[StringRef, ...]
    type_objects: tuple[TypeObjectCall, ...]
    noqa: dict[int, frozenset[str] | None] = field(default_factory=dict)  # line -> codes (None: all)


def dotted(node: ast.expr) -> str:
    """`a.b.C` for names and attributes; "" for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call):  # registry().generate_base(): keep the callee
        inner = dotted(node.func)
        if inner:
            parts.append(inner + "()")
            return ".".join(reversed(parts))
        return ""
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def _one_literal(raw: str) -> bool:
    """`"a.id"`, not `"a" ".id"` (implicit concatenation): no unescaped closing quote inside."""
    body = raw.lstrip("rRuU")
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    if len(body) < 2 * len(quote) or not body.endswith(quote):
        return False
    inner = body[len(quote) : len(body) - len(quote)].replace("\\\\", "").replace("\\" + quote[0], "")
    return quote not in inner


def _table_of(node: ast.expr) -> str | None:
    """`Chip.__tablename__` -> "Chip"."""
    if isinstance(node, ast.Attribute) and node.attr == "__tablename__":
        return dotted(node.value) or None
    return None


def _computed_string(node: ast.expr) -> tuple[str, tuple[str, ...]] | None:
    """An f-string or `"%s.id" % Chip.__tablename__` built only from text and models' table
    names: the text with TABLE_OF marks, and the models. None for anything else."""
    if isinstance(node, ast.JoinedStr):
        text, models = [], []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text.append(part.value)
            elif isinstance(part, ast.FormattedValue) and part.conversion == -1 and part.format_spec is None \
                    and (model := _table_of(part.value)):
                text.append(TABLE_OF)
                models.append(model)
            else:
                return None
        return "".join(text), tuple(models)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
            and isinstance(node.left.value, str):
        values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        models = tuple(_table_of(v) for v in values)
        if None in models or node.left.value.count("%s") != len(models) or node.left.value.count("%") != len(models):
            return None
        return node.left.value.replace("%s", TABLE_OF), models  # type: ignore[return-value]
    return None


def _last_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _is_declared_attr(decorators: list[ast.expr]) -> bool:
    return any("declared_attr" in dotted(d.func if isinstance(d, ast.Call) else d) for d in decorators)


# Annotations SQLAlchemy maps to a plain column type: never an enum, not worth resolving.
_SCALARS = frozenset({
    "int", "str", "float", "bool", "bytes", "dict", "list", "Any", "date", "datetime", "time", "timedelta",
    "Decimal", "UUID", "uuid.UUID", "datetime.date", "datetime.datetime", "datetime.time", "decimal.Decimal",
})


def _implicit_enum(stmt: ast.AnnAssign) -> str | None:
    """The X of `x: Mapped[X]` (or `Mapped[X | None]`, `Mapped[Optional[X]]`) when SQLAlchemy
    picks the column type from the annotation: no value, or `mapped_column()` without a type."""
    value = stmt.value
    if value is not None:
        if not (isinstance(value, ast.Call) and _last_name(value.func) == "mapped_column"):
            return None
        if any(not (isinstance(arg, ast.Call) and _last_name(arg.func) == "ForeignKey") for arg in value.args):
            return None  # the type is given
    annotation = stmt.annotation
    if not (isinstance(annotation, ast.Subscript) and _last_name(annotation.value) == "Mapped"):
        return None
    inner = annotation.slice
    if isinstance(inner, ast.Subscript) and _last_name(inner.value) == "Optional":
        inner = inner.slice
    if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.BitOr):
        sides = [side for side in (inner.left, inner.right) if not (isinstance(side, ast.Constant) and side.value is None)]
        inner = sides[0] if len(sides) == 1 else inner
    name = dotted(inner) if isinstance(inner, (ast.Name, ast.Attribute)) else ""
    return name if name and name not in _SCALARS else None


def _returned_literal(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    """The value of a function whose body is one `return <dict or tuple display>`."""
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, (ast.Dict, ast.Tuple)):
        return body[0].value
    return None


def _tablename_rule(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """What a `declared_attr` `__tablename__` returns, when it is one of the usual forms."""
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return "unknown"
    value = body[0].value
    if isinstance(value, ast.Call) and not value.args and isinstance(value.func, ast.Attribute) \
            and value.func.attr == "lower":
        return "lower" if dotted(value.func.value).endswith(".__name__") else "unknown"
    return "name" if dotted(value).endswith(".__name__") else "unknown"


def _truthy_constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and bool(node.value)


_NOQA = re.compile(r"#\s*(?:noqa(?::\s*(?P<codes>[A-Z0-9,\s]+))?|tenantlint:\s*ignore(?:\[(?P<codes2>[A-Z0-9,\s]+)\])?)", re.I)


def _noqa_lines(source: str, lines: list[str]) -> dict[int, frozenset[str] | None]:
    """Suppression comments by line: `# noqa`, `# noqa: TNT001`, `# tenantlint: ignore[TNT001]`.

    Read from each physical line, as flake8 does: tokenizing whole files to find the comments
    cost more than parsing them."""
    result: dict[int, frozenset[str] | None] = {}
    if "noqa" not in source and "tenantlint:" not in source:
        return result
    for number, line in enumerate(lines, 1):
        match = _NOQA.search(line) if "#" in line else None
        if not match:
            continue
        codes = match.group("codes") or match.group("codes2")
        if codes is None:
            result[number] = None
        else:
            found = frozenset(c.strip().upper() for c in re.split(r"[,\s]+", codes) if c.strip())
            previous = result.get(number, frozenset())
            result[number] = None if previous is None else previous | found
    return result


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    parts = module.split(".") if module else []
    package = parts if is_package else parts[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)] if level - 1 <= len(package) else []
    base = ".".join(package)
    if name:
        return f"{base}.{name}" if base else name
    return base


REF_KEYWORDS_TABLE = frozenset({"secondary"})
REF_KEYWORDS_EXPR = frozenset({"primaryjoin", "secondaryjoin", "order_by", "foreign_keys", "remote_side"})
# Every name `_Collector._call` and `scan` look for: a statement without one holds nothing for them.
_SCANNED_WORDS = re.compile(
    r"ForeignKey|Table|Enum|Sequence|foreign_key|tables|" + "|".join(sorted(REF_KEYWORDS_TABLE | REF_KEYWORDS_EXPR))
)


class _Collector:
    """One pass over the statements that can hold facts; the body of functions is read only
    for string references and `Table(...)` calls (they may sit anywhere)."""

    def __init__(self, module: str, is_package: bool, lines: list[str]):
        self.module = module
        self.is_package = is_package
        self.lines = lines
        self.imports: dict[str, str] = {}
        self.assigned: dict[str, str] = {}
        self.base_cls: dict[str, str] = {}
        self.star_imports: list[str] = []
        self.classes: list[ClassInfo] = []
        self.tables: list[TableCall] = []
        self.refs: list[StringRef] = []
        self.type_objects: list[TypeObjectCall] = []

    # -- imports and module-level names
    def module_statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = top
        elif isinstance(stmt, ast.ImportFrom):
            base = (
                _resolve_relative(self.module, self.is_package, stmt.level, stmt.module)
                if stmt.level
                else (stmt.module or "")
            )
            for alias in stmt.names:
                if alias.name == "*":
                    self.star_imports.append(base)
                else:
                    self.imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Call):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            callee = dotted(stmt.value.func)
            cls_kw = next((k.value for k in stmt.value.keywords if k.arg == "cls"), None)
            for target in targets:
                if isinstance(target, ast.Name) and callee:
                    self.assigned[target.id] = callee
                    if cls_kw is not None and dotted(cls_kw):
                        self.base_cls[target.id] = dotted(cls_kw)
        elif isinstance(stmt, (ast.If, ast.Try)):
            # imports under `if TYPE_CHECKING:` / `try:` still name the same things
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.stmt):
                    self.module_statement(child)
                elif isinstance(child, ast.ExceptHandler):
                    for sub in child.body:
                        self.module_statement(sub)

    # -- classes
    def class_def(self, node: ast.ClassDef, prefix: str) -> None:
        path = f"{prefix}.{node.name}" if prefix else node.name
        tablename = None
        has_tablename = declared_tablename = has_table = abstract = has_pk = False
        tablename_rule: str | None = None
        # only Flask-SQLAlchemy's table naming asks for it (fact 3): look where the text says so
        look_for_pk = "primary_key" in "\n".join(self.lines[node.lineno - 1 : node.end_lineno])
        table_args: TableArgs | None = None
        for stmt in node.body:
            if isinstance(stmt, ast.ClassDef):
                continue  # summarized on its own by `summarize`
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if stmt.name == "__tablename__":
                    has_tablename = True
                    if _is_declared_attr(stmt.decorator_list):
                        declared_tablename, tablename_rule = True, _tablename_rule(stmt)
                elif stmt.name == "__table_args__":
                    kind = Shape.DECLARED_ATTR if _is_declared_attr(stmt.decorator_list) else Shape.COMPUTED
                    table_args = TableArgs(kind, Span.of(stmt))
                    returned = _returned_literal(stmt)
                    if kind is Shape.DECLARED_ATTR and returned is not None:
                        # still computed (TNT003), but a schema it returns as a literal is known
                        read = classify(returned)
                        table_args = replace(read, shape=kind, span=Span.of(stmt)) if read.shape in (
                            Shape.DICT, Shape.TUPLE) else table_args
                continue
            if isinstance(stmt, ast.AnnAssign) and (enum_type := _implicit_enum(stmt)):
                self.type_objects.append(TypeObjectCall(Span.of(stmt.target), "Mapped", enum_type, False, True, path))
            targets: list[ast.expr] = []
            value = None
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                targets, value = [stmt.target], stmt.value
            for target in targets:
                if not isinstance(target, ast.Name):
                    continue
                if target.id == "__tablename__":
                    has_tablename = True
                    tablename = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
                elif target.id == "__table_args__":
                    table_args = classify(value)
                elif target.id == "__table__":
                    has_table = True
                elif target.id == "__abstract__":
                    abstract = _truthy_constant(value)
            if look_for_pk and value is not None and not has_pk and isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                has_pk = any(
                    isinstance(n, ast.keyword) and n.arg == "primary_key" and _truthy_constant(n.value)
                    for n in ast.walk(value)
                )
        keywords = tuple(
            (kw.arg, dotted(kw.value) or repr(getattr(kw.value, "value", None))) for kw in node.keywords if kw.arg
        )
        decorators = tuple(dotted(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list)
        first = node.body[0] if node.body else None
        docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
            first.value.value, str
        )
        self.classes.append(
            ClassInfo(
                path=path,
                name=node.name,
                line=node.lineno,
                col=node.col_offset,
                bases=tuple(dotted(b) for b in node.bases),
                keywords=keywords,
                decorators=decorators,
                tablename=tablename,
                has_tablename=has_tablename,
                tablename_declared_attr=declared_tablename,
                tablename_rule=tablename_rule,
                has_table=has_table,
                table_args=table_args,
                abstract=abstract,
                has_primary_key=has_pk,
                docstring=docstring,
            )
        )

    # -- calls and subscripts anywhere
    def _raw(self, node: ast.Constant) -> str | None:
        """The literal as written, if it is one plain string on one line."""
        if node.lineno != node.end_lineno:
            return None
        line = self.lines[node.lineno - 1].encode("utf-8")
        raw = line[node.col_offset : node.end_col_offset].decode("utf-8", "replace")
        try:
            if ast.literal_eval(raw) != node.value:
                return None
        except (ValueError, SyntaxError):  # implicit concatenation, f-strings
            return None
        if raw[:1] not in "\"'" and raw[:1].lower() not in ("u", "r"):
            return None  # bytes or anything else
        if not _one_literal(raw):  # "a" ".id": implicit concatenation
            return None
        return raw

    def _string(self, kind: RefKind, node: ast.expr) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.refs.append(StringRef(kind, node.value, Span.of(node), self._raw(node)))
            return
        computed = _computed_string(node)
        if computed is not None:
            self.refs.append(StringRef(kind, computed[0], Span.of(node), None, computed[1]))

    def scan(self, root: ast.stmt, class_path: str | None) -> None:
        """Calls and subscripts of one statement; one that names none of them is not walked."""
        start = min([root.lineno, *(d.lineno for d in getattr(root, "decorator_list", ()))])
        text = "\n".join(self.lines[start - 1 : root.end_lineno])
        if not _SCANNED_WORDS.search(text):
            return
        for node in _calls_and_subscripts(root):
            if isinstance(node, ast.Call):
                self._call(node, class_path)
            elif isinstance(node, ast.Subscript):
                if isinstance(node.value, ast.Attribute) and node.value.attr == "tables":
                    self._string(RefKind.TABLE, node.slice)

    def _call(self, node: ast.Call, class_path: str | None) -> None:
        name = _last_name(node.func)
        if name == "ForeignKey":
            target = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "column"), None)
            if target is not None:
                self._string(RefKind.COLUMN, target)
        elif name == "ForeignKeyConstraint":
            target = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "refcolumns"), None
            )
            if isinstance(target, (ast.List, ast.Tuple)):
                for item in target.elts:
                    self._string(RefKind.COLUMN, item)
        elif name == "Table" and node.args and isinstance(node.args[0], ast.Constant):
            schema_kw = next((k for k in node.keywords if k.arg == "schema"), None)
            schema = None
            if schema_kw is not None and isinstance(schema_kw.value, ast.Constant):
                schema = schema_kw.value.value if isinstance(schema_kw.value.value, str) else None
            self.tables.append(
                TableCall(
                    span=Span.of(node),
                    callee=dotted(node.func),
                    name=node.args[0].value if isinstance(node.args[0].value, str) else None,
                    schema=schema,
                    has_schema=schema_kw is not None,
                    has_star_kwargs=any(k.arg is None for k in node.keywords),
                )
            )
        elif name in ("Enum", "Sequence"):
            is_named_enum = name == "Enum" and (
                any(k.arg == "name" for k in node.keywords)
                or (node.args and not isinstance(node.args[0], ast.Constant))
            ) and not any(k.arg == "native_enum" and isinstance(k.value, ast.Constant) and k.value.value is False for k in node.keywords)
            if name == "Sequence" or is_named_enum:
                self.type_objects.append(
                    TypeObjectCall(
                        span=Span.of(node),
                        kind=name,
                        callee=dotted(node.func),
                        has_schema=any(k.arg == "schema" for k in node.keywords),
                        has_star_kwargs=any(k.arg is None for k in node.keywords),
                        class_path=class_path,
                    )
                )
        for keyword in node.keywords:
            if keyword.arg == "foreign_key":
                self._string(RefKind.COLUMN, keyword.value)
            elif keyword.arg in REF_KEYWORDS_TABLE:
                value = keyword.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    kind = RefKind.TABLE if value.value.replace(".", "").isidentifier() else RefKind.EXPRESSION
                    self._string(kind, value)
            elif keyword.arg in REF_KEYWORDS_EXPR:
                self._string(RefKind.EXPRESSION, keyword.value)


_Call, _Subscript, _AST = ast.Call, ast.Subscript, ast.AST


def _calls_and_subscripts(root: ast.AST):
    """The Call and Subscript nodes under `root`, in `ast.walk` order (breadth first).

    `ast.walk` builds two generators per node; walking the fields here costs about a third
    of that, and the scan is the largest part of reading a model file after the parse.
    """
    queue = [root]
    for node in queue:  # grows while iterated: breadth first, like ast.walk
        if isinstance(node, (_Call, _Subscript)):
            yield node
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                queue.extend(item for item in value if isinstance(item, _AST))
            elif isinstance(value, _AST) and name != "ctx":
                queue.append(value)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as `ast` numbers them (str.splitlines also breaks at \\f, \\x1c, \\u2028, ...)."""
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def char_column(lines: list[str] | tuple[str, ...], line: int, byte_col: int) -> int:
    """`ast`'s UTF-8 byte column on 1-based `line`, as the character column LibCST and editors count."""
    if not 0 < line <= len(lines):
        return byte_col
    text = lines[line - 1]
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))


def module_name(relative_posix: str) -> tuple[str, bool]:
    """`backend/models/user/product.py` -> ("backend.models.user.product", False)."""
    parts = relative_posix[:-3].split("/") if relative_posix.endswith(".py") else relative_posix.split("/")
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def summarize(tree: ast.Module, source: str, relative_posix: str) -> ModuleSummary:
    module, is_package = module_name(relative_posix)
    lines = split_lines(source)
    collector = _Collector(module, is_package, lines)

    def visit_block(body: list[ast.stmt], prefix: str) -> None:
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                collector.class_def(stmt, prefix)
                # string references and type objects inside the class, attributed to it
                for child in stmt.body:
                    if not isinstance(child, ast.ClassDef):
                        collector.scan(child, f"{prefix}.{stmt.name}" if prefix else stmt.name)
                for child in stmt.body:
                    if isinstance(child, ast.ClassDef):
                        visit_block([child], f"{prefix}.{stmt.name}" if prefix else stmt.name)
            else:
                if not prefix:
                    collector.module_statement(stmt)
                collector.scan(stmt, None)

    visit_block(tree.body, "")
    return ModuleSummary(
        module=module,
        is_package=is_package,
        imports=collector.imports,
        assigned_calls=collector.assigned,
        base_cls=collector.base_cls,
        star_imports=tuple(collector.star_imports),
        classes=tuple(collector.classes),
        tables=tuple(collector.tables),
        refs=tuple(collector.refs),
        type_objects=tuple(collector.type_objects),
        noqa=_noqa_lines(source, lines),
    )
