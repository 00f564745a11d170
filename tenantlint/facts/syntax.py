"""Small readings of `ast` expressions shared by the fact collectors."""

from __future__ import annotations

import ast

from tenantlint.facts.types import TABLE_OF


_AST = ast.AST


def first_line(node: ast.stmt) -> int:
    """A statement's first line: its first decorator's, as LibCST starts it (`ast` gives a class's
    or function's line as the line of its name)."""
    decorators = getattr(node, "decorator_list", None)
    return min(node.lineno, *(d.lineno for d in decorators)) if decorators else node.lineno


# Fields that never hold a node a collector looks for: names, flags, a constant's value, and the
# expression contexts and operators (shared singletons).
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "name", "kind", "module", "level", "type_comment",
                          "is_async", "conversion", "simple", "kwd_attrs", "tag"})
_CHILDREN: dict[type, tuple[str, ...]] = {}


def _children(cls: type) -> tuple[str, ...]:
    """The fields of a node class that can hold nodes (none for what is not a node: a list of
    `Global` names holds strings, a `Dict`'s keys hold None for `**x`)."""
    if not issubclass(cls, _AST) or cls is ast.Constant:
        fields: tuple[str, ...] = ()
    else:
        fields = tuple(f for f in cls._fields if f not in _LEAF_FIELDS)
    _CHILDREN[cls] = fields
    return fields


_WANTED: dict[type | tuple[type, ...], dict[type, bool]] = {}  # per `kinds`: whether a node class is one


def find(root: ast.AST, kinds: type | tuple[type, ...]) -> list:
    """The nodes of `kinds` under `root` (itself included), in `ast.walk` order (breadth first), at
    about half its cost: `ast.walk` builds two generators per node and visits every field of
    every leaf, and these walks are most of reading a file after the parse."""
    queue = [root]
    found = []
    children = _CHILDREN
    wanted = _WANTED.get(kinds)
    if wanted is None:
        wanted = _WANTED[kinds] = {}
    for node in queue:  # grows while iterated: breadth first, like ast.walk
        cls = node.__class__
        is_kind = wanted.get(cls)
        if is_kind is None:
            is_kind = wanted[cls] = issubclass(cls, kinds)
        if is_kind:
            found.append(node)
        names = children.get(cls)
        if names is None:
            names = _children(cls)
        for name in names:
            value = getattr(node, name, None)
            if value.__class__ is list:
                queue += value
            elif value is not None:
                queue.append(value)
    return found


def literal_value(source: str | ast.expr) -> object:
    """What `ast.literal_eval` gives for constants, tuples, lists, sets, dicts and signed numbers
    (anything else raises ValueError; text that does not parse, SyntaxError). Not literal_eval
    itself: each call of it builds nested functions that refer to one another, a reference cycle
    only the cyclic collector frees, and the analysis and the fix run with it paused (on the bench
    monorepo grown 4x, 20 MB of such cycles outlived the references they had checked)."""
    node = ast.parse(source.lstrip(" \t"), mode="eval").body if isinstance(source, str) else source
    return _literal(node)


def _literal(node: ast.expr) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_literal(item) for item in node.elts)
    if isinstance(node, ast.List):
        return [_literal(item) for item in node.elts]
    if isinstance(node, ast.Set):
        return {_literal(item) for item in node.elts}
    if isinstance(node, ast.Dict) and None not in node.keys:
        return {_literal(key): _literal(value) for key, value in zip(node.keys, node.values)}
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub))
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float, complex)):
        return node.operand.value if isinstance(node.op, ast.UAdd) else -node.operand.value
    raise ValueError(f"malformed node or string: {node!r}")


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


def last_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def is_declared_attr(decorators: list[ast.expr]) -> bool:
    return any("declared_attr" in dotted(d.func if isinstance(d, ast.Call) else d) for d in decorators)


def truthy_constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and bool(node.value)


def _table_of(node: ast.expr) -> str | None:
    """`Chip.__tablename__` -> "Chip"."""
    if isinstance(node, ast.Attribute) and node.attr == "__tablename__":
        return dotted(node.value) or None
    return None


def computed_string(node: ast.expr) -> tuple[str, tuple[str, ...]] | None:
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


def string_shaped(node: ast.expr) -> bool:
    """Text put together from parts: an f-string, `"a" + b`, `"%s.id" % t`, `"{}.id".format(t)`.
    Whatever fills it in, the result is a string (a bare name or a call may be an object)."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return any(_a_string(side) for side in (node.left, node.right)) if isinstance(node.op, ast.Add) \
            else _a_string(node.left)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
        and _a_string(node.func.value)


CLASS_NAME = "<class>"  # what a class's `__name__` becomes in an expression's text: never a table


def with_class_names(node: ast.expr) -> str | None:
    """`"%s.owner_id == User.id" % cls.__name__`, `f"{cls.__name__}.id == ..."`: a `primaryjoin`
    put together from class names only (the registry resolves them; they name no table), its
    text with CLASS_NAME for each; None for anything else."""
    if isinstance(node, ast.JoinedStr):
        parts = [p.value if isinstance(p, ast.Constant) else _class_name(p.value) if isinstance(
            p, ast.FormattedValue) and p.conversion == -1 and p.format_spec is None else None for p in node.values]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
            and isinstance(node.left.value, str) and node.left.value.count("%") == node.left.value.count("%s"):
        values = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
        if node.left.value.count("%s") != len(values):
            return None
        pieces = node.left.value.split("%s")
        parts = [pieces[0]]
        for value, piece in zip(values, pieces[1:]):
            parts += [_class_name(value), piece]
    else:
        return None
    return None if None in parts or CLASS_NAME not in parts else "".join(parts)  # type: ignore[arg-type]


def _class_name(node: ast.expr) -> str | None:
    return CLASS_NAME if isinstance(node, ast.Attribute) and node.attr == "__name__" else None


def _a_string(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)) or string_shaped(node)


def body_without_docstring(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    return [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
