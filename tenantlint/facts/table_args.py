"""What a `__table_args__` value is, read from its syntax alone (SPEC facts 1, 2).

A pure function from an `ast` expression to a small frozen description; the rules decide
what each shape means for a model.
"""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, replace


class Shape(enum.Enum):
    DICT = "dict"  # {...}, or dict(...) with keywords only
    TUPLE = "tuple"  # (A, B) or (A, {...}) or A, B
    EMPTY_TUPLE = "empty tuple"
    NONE = "None"
    COMPUTED = "computed"  # a name, a call, a concatenation, a starred element...
    DECLARED_ATTR = "declared_attr"  # a method decorated with declared_attr
    NOT_A_TUPLE = "not a tuple"  # (UniqueConstraint("x")): parentheses without a comma
    LIST = "list"
    DICT_NOT_LAST = "dict not last"  # a dict before the last element of a tuple


class Schema(enum.Enum):
    MISSING = "missing"
    LITERAL = "literal"  # a string literal or None; see SchemaInfo.value
    COMPUTED = "computed"


@dataclass(frozen=True)
class Span:
    """An `ast` node's place: 1-based lines, 0-based UTF-8 byte columns, as `ast` gives them."""

    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def of(cls, node: ast.AST) -> "Span":
        return cls(node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)


@dataclass(frozen=True)
class TableArgs:
    shape: Shape
    span: Span  # the value (or the decorated method)
    schema: Schema = Schema.MISSING
    schema_value: str | None = None  # the literal, when schema is LITERAL (None for `None`)
    schema_span: Span | None = None  # the schema value, for TNT002's replacement
    options_dict: Span | None = None  # the dict holding keyword options (sole or trailing)
    has_constraints: bool = False  # positional schema items (constraints, indexes, ...)
    has_options: bool = False  # dict keys other than "schema"
    # the options dict is a module-level constant (`(Index(...), _DEFAULT_ARGS)`): its name, and
    # how often the module names it besides its definition (a merge there changes every user)
    constant: str | None = None
    constant_uses: int = 0

    @property
    def holds_anything(self) -> bool:
        return self.has_constraints or self.has_options or self.schema is not Schema.MISSING


def _dict_schema(node: ast.Dict) -> tuple[Schema, str | None, Span | None, bool, bool]:
    """(schema, literal, span of the value, other keys?, computable?) of a dict literal."""
    schema, literal, span, others, computable = Schema.MISSING, None, None, False, True
    for key, value in zip(node.keys, node.values):
        if key is None:  # {**spread}: may hold anything
            computable = False
            continue
        if isinstance(key, ast.Constant) and key.value == "schema":
            if isinstance(value, ast.Constant) and (value.value is None or isinstance(value.value, str)):
                schema, literal, span = Schema.LITERAL, value.value, Span.of(value)
            else:
                schema, literal, span = Schema.COMPUTED, None, Span.of(value)
        else:
            others = True
    return schema, literal, span, others, computable


def _from_dict(node: ast.Dict, shape: Shape, span: Span, has_constraints: bool) -> TableArgs:
    schema, literal, schema_span, others, computable = _dict_schema(node)
    if not computable and schema is Schema.MISSING:
        return TableArgs(Shape.COMPUTED, span)
    return TableArgs(
        shape,
        span,
        schema=schema,
        schema_value=literal,
        schema_span=schema_span,
        options_dict=Span.of(node),
        has_constraints=has_constraints,
        has_options=others,
    )


def _is_dict_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict"


def _is_schema_item(node: ast.expr) -> bool:
    """A positional element SQLAlchemy reads as a schema item (a constraint, an index, a column)."""
    return isinstance(node, ast.Call) and not _is_dict_call(node)


CONSTRAINT_CLASSES = frozenset(
    {"UniqueConstraint", "Index", "CheckConstraint", "ForeignKeyConstraint", "PrimaryKeyConstraint"}
)


def _is_constraint_call(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in CONSTRAINT_CLASSES


def classify(value: ast.expr) -> TableArgs:
    """Describe a `__table_args__ = <value>` expression."""
    span = Span.of(value)
    if isinstance(value, ast.Dict):
        return _from_dict(value, Shape.DICT, span, has_constraints=False)
    if isinstance(value, ast.Constant) and value.value is None:
        return TableArgs(Shape.NONE, span)
    if isinstance(value, ast.List):
        return TableArgs(Shape.LIST, span)
    if isinstance(value, ast.Tuple):
        items = value.elts
        if not items:
            return TableArgs(Shape.EMPTY_TUPLE, span)
        if any(isinstance(item, ast.Dict) or _is_dict_call(item) for item in items[:-1]):
            return TableArgs(Shape.DICT_NOT_LAST, span)
        *positional, last = items
        if isinstance(last, ast.Dict):
            return _from_dict(last, Shape.TUPLE, span, has_constraints=bool(positional))
        if all(_is_schema_item(item) for item in items):
            return TableArgs(Shape.TUPLE, span, has_constraints=True)
        return TableArgs(Shape.COMPUTED, span)  # a name or *starred: may be a dict
    if _is_constraint_call(value):  # `(UniqueConstraint("x"))`: the parentheses make no tuple
        return TableArgs(Shape.NOT_A_TUPLE, span)
    return TableArgs(Shape.COMPUTED, span)


def through_constant(value: ast.expr, name: str, node: ast.Dict, uses: int) -> TableArgs | None:
    """`__table_args__ = NAME` or `(Index(...), NAME)` where NAME is a module-level dict literal."""
    read = _from_dict(node, Shape.DICT, Span.of(value), has_constraints=False)
    if read.shape is not Shape.DICT:
        return None
    if isinstance(value, ast.Tuple):
        positional = value.elts[:-1]
        if not all(_is_schema_item(item) for item in positional):
            return None
        read = replace(read, shape=Shape.TUPLE, has_constraints=bool(positional))
    return replace(read, constant=name, constant_uses=uses)
