"""Frozen facts to plain JSON values and back, driven by the data classes' type hints.

The cache is read from a folder that anyone who writes to the repository could have filled, so
decoding trusts nothing: every value is checked against its declared type, and nothing but
the declared types (data classes, enums, str, int, bool, None and the containers) is ever
built. Any mismatch is a `ShapeError`. A data class is a JSON list of its fields in order,
an enum its value, a tuple or frozenset a list (a tuple of strings one string
joined by newlines, when none holds one), a `dict[str, V]` an object, a `dict[int, V]`
a list of `[key, value]` pairs.

A warm run decodes some 100,000 objects, so each type's encoder and decoder is generated as
Python source from its hints, as `dataclasses` generates `__init__` (the source comes from
tenantlint's own type hints, never from the data): about 3x faster than nested closures.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import itertools
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable


class ShapeError(ValueError):
    """A JSON value is not what the declared type says."""


@dataclass(frozen=True)
class Codec:
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]  # raises ShapeError
    shape: str  # the type, spelled out: what `fingerprint` hashes


def fingerprint(of: Codec) -> str:
    """A short hash of the shape of a type and of every type reachable from it: it changes when
    a field, its type, or an enum's values change, so an old cache is never read as new."""
    return hashlib.blake2b(of.shape.encode(), digest_size=10).hexdigest()


def codec(hint: Any, localns: dict[str, Any] | None = None) -> Codec:
    """The codec of a type hint; `localns` resolves names a data class imports only for type checking."""
    found = _CODECS.get(hint)
    if found is None:
        node = _node(hint, localns)
        found = _CODECS[hint] = Codec(_function(node.encode), _function(node.decode), node.shape)
    return found


def _bad() -> typing.NoReturn:
    raise ShapeError("the value does not have the declared shape")


_CODECS: dict[Any, Codec] = {}
_NODES: dict[Any, _Node] = {}
_NAMESPACE: dict[str, Any] = {"_bad": _bad, "_new": object.__new__}
_names = itertools.count()


def _name(value: Any, prefix: str) -> str:
    """A global name for `value` in the generated code."""
    name = f"{prefix}{next(_names)}"
    _NAMESPACE[name] = value
    return name


def _function(expression: Callable[[str], str]) -> Callable[[Any], Any]:
    return eval(f"lambda v: {expression('v')}", _NAMESPACE)  # noqa: S307 - source built from type hints


@dataclass(frozen=True)
class _Node:
    """How to encode and decode one type, as Python expressions over a variable's name."""

    shape: str
    encode: Callable[[str], str]
    decode: Callable[[str], str]
    scalar: type | None = None  # str, int, bool: JSON gives them back as they are


def _node(hint: Any, localns: dict[str, Any] | None = None) -> _Node:
    found = _NODES.get(hint)
    if found is None:
        found = _NODES[hint] = _build(hint, localns)
    return found


def _build(hint: Any, localns: dict[str, Any] | None) -> _Node:
    if hint is type(None) or hint is None:
        return _Node("None", lambda v: v, lambda v: f"({v} if {v} is None else _bad())")
    if hint in (str, int, bool):
        kind = _name(hint, "T")  # `type(...) is`, not isinstance: a bool is no int here
        return _Node(hint.__name__, lambda v: v, lambda v: f"({v} if type({v}) is {kind} else _bad())", hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint, localns)
    return _generic(hint, typing.get_origin(hint), typing.get_args(hint))


def _generic(hint: Any, origin: Any, args: tuple[Any, ...]) -> _Node:
    """`X | None`, `tuple[...]`, `frozenset[X]`, `dict[str | int, X]`."""
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        return _optional(_node(next(a for a in args if a is not type(None))))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence(_node(args[0]), tuple)
    if origin is tuple:
        return _fixed_tuple([_node(a) for a in args])
    if origin is frozenset:
        return _sequence(_node(args[0]), frozenset)
    if origin is dict and args[0] is str:
        return _str_dict(_node(args[1]))
    if origin is dict and args[0] is int:
        return _int_dict(_node(args[1]))
    raise TypeError(f"no JSON codec for {hint!r}")


def _enum(cls: type[enum.Enum]) -> _Node:
    members = {member.value: member for member in cls}
    table, kinds = _name(members, "M"), _name(frozenset(type(value) for value in members), "K")
    values = ",".join(repr(v) for v in members)
    return _Node(f"{cls.__qualname__}{{{values}}}", lambda v: f"{v}.value",
                 lambda v: f"({table}[{v}] if type({v}) in {kinds} and {v} in {table} else _bad())")


def _dataclass(cls: type, localns: dict[str, Any] | None) -> _Node:
    # Built without calling __init__ (a frozen class's sets each field through
    # object.__setattr__, several times slower): only right for classes without __post_init__.
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__ the decoder would skip")
    names = [f.name for f in dataclasses.fields(cls)]
    hints = typing.get_type_hints(cls, localns=localns)
    parts = [_node(hints[name]) for name in names]
    klass = _name(cls, "C")
    encoder = _name(None, "e")
    decoder = _name(None, "d")
    local = [f"f{i}" for i in range(len(names))]
    _NAMESPACE[encoder] = _function(lambda v: "[" + ", ".join(p.encode(f"{v}.{n}") for n, p in zip(names, parts)) + "]")
    unpack = f"{', '.join(local)}, = v\n" if names else ""
    fields = ", ".join(f"{n!r}: {p.decode(f)}" for n, p, f in zip(names, parts, local))
    source = (f"def {decoder}(v):\n"
              f"    if type(v) is not list or len(v) != {len(names)}:\n        _bad()\n"
              f"    {unpack}    made = _new({klass})\n"
              f"    made.__dict__.update({{{fields}}})\n    return made\n")
    exec(source, _NAMESPACE)  # noqa: S102 - source built from type hints
    shape = ",".join(f"{name}:{part.shape}" for name, part in zip(names, parts))
    return _Node(f"{cls.__qualname__}({shape})", lambda v: f"{encoder}({v})", lambda v: f"{decoder}({v})")


def _optional(inner: _Node) -> _Node:
    if inner.scalar is not None:
        kind = _name(inner.scalar, "T")
        return _Node(f"{inner.shape}|None", inner.encode,
                     lambda v: f"({v} if {v} is None or type({v}) is {kind} else _bad())")
    return _Node(f"{inner.shape}|None", lambda v: f"(None if {v} is None else {inner.encode(v)})",
                 lambda v: f"(None if {v} is None else {inner.decode(v)})")


def _sequence(item: _Node, kind: type) -> _Node:
    shape = f"{kind.__name__}[{item.shape}{', ...' if kind is tuple else ''}]"
    make = _name(kind, "S")
    if kind is tuple and item.scalar is str:
        return _Node(shape, lambda v: f"_join({v})", lambda v: f"(tuple({v}.split(_NL)) if type({v}) is str else _split({v}))")
    if item.scalar is not None:  # one C-speed pass checks every element's type
        only = _name(frozenset({item.scalar}), "O")
        return _Node(shape, lambda v: f"list({v})" if kind is tuple else f"sorted({v})",
                     lambda v: f"({make}({v}) if type({v}) is list and set(map(type, {v})) <= {only} else _bad())")
    encode, decode = _name(_function(item.encode), "e"), _name(_function(item.decode), "d")
    return _Node(shape, lambda v: f"list(map({encode}, {v}))",
                 lambda v: f"({make}(map({decode}, {v})) if type({v}) is list else _bad())")


def _join(lines: tuple[str, ...]) -> str | list[str]:
    """A tuple of strings (a file's lines, mostly) as one string when no element holds a
    newline: JSON reads one long string several times faster than many short ones."""
    joined = "\n".join(lines)
    return joined if lines and joined.count("\n") == len(lines) - 1 else list(lines)


def _split(value: Any) -> tuple[str, ...]:
    if type(value) is str:
        return tuple(value.split("\n"))
    if type(value) is list and set(map(type, value)) <= {str}:
        return tuple(value)
    _bad()


_NAMESPACE.update(_join=_join, _split=_split, _NL="\n")


def _fixed_tuple(items: list[_Node]) -> _Node:
    count = len(items)
    shape = f"tuple[{','.join(item.shape for item in items)}]"
    decoder = _name(None, "d")
    body = ", ".join(item.decode(f"v[{i}]") for i, item in enumerate(items))
    exec(f"def {decoder}(v):\n    if type(v) is not list or len(v) != {count}:\n        _bad()\n"  # noqa: S102
         f"    return ({body},)\n", _NAMESPACE)
    return _Node(shape, lambda v: "[" + ", ".join(item.encode(f"{v}[{i}]") for i, item in enumerate(items)) + "]",
                 lambda v: f"{decoder}({v})")


def _str_dict(item: _Node) -> _Node:
    shape = f"dict[str,{item.shape}]"
    if item.scalar is not None:  # JSON object keys are always strings
        only = _name(frozenset({item.scalar}), "O")
        return _Node(shape, lambda v: f"dict({v})",
                     lambda v: f"({v} if type({v}) is dict and set(map(type, {v}.values())) <= {only} else _bad())")
    encode, decode = _name(_function(item.encode), "e"), _name(_function(item.decode), "d")
    return _Node(shape, lambda v: f"{{k: {encode}(x) for k, x in {v}.items()}}",
                 lambda v: f"({{k: {decode}(x) for k, x in {v}.items()}} if type({v}) is dict else _bad())")


def _int_dict(item: _Node) -> _Node:
    decode_item = _function(item.decode)

    def decode(value: Any) -> dict[int, Any]:
        if type(value) is not list:
            _bad()
        found = {}
        for pair in value:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not int:
                _bad()
            found[pair[0]] = decode_item(pair[1])
        return found

    encode, decoder = _name(_function(item.encode), "e"), _name(decode, "d")
    return _Node(f"dict[int,{item.shape}]", lambda v: f"[[k, {encode}(x)] for k, x in {v}.items()]",
                 lambda v: f"{decoder}({v})")
