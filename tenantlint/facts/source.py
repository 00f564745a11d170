"""Reading a file's text as `ast` numbers it: lines, columns, module names, noqa comments, literals."""

from __future__ import annotations

import ast
import io
import re
import tokenize

from tenantlint.facts.syntax import literal_value
from tenantlint.facts.table_args import Span

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines as `ast` numbers them (str.splitlines also breaks at \\f, \\x1c, \\u2028, ...)."""
    lines = text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)  # the same, 5x as fast
    return lines[:-1] if lines and lines[-1] == "" else lines


def source_encoding(data: bytes) -> str:
    """The encoding Python reads a source file in: its BOM or coding cookie (PEP 263), else UTF-8."""
    return tokenize.detect_encoding(io.BytesIO(data).readline)[0]


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


_NOQA = re.compile(r"#\s*(?:noqa(?::\s*(?P<codes>[A-Z0-9,\s]+))?|tenantlint:\s*ignore(?:\[(?P<codes2>[A-Z0-9,\s]+)\])?)", re.I)


def noqa_lines(source: str, lines: list[str]) -> dict[int, frozenset[str] | None]:
    """Suppression comments by line: `# noqa`, `# noqa: TNT001`, `# tenantlint: ignore[TNT001]`.

    Read from each physical line, as flake8 does: tokenizing whole files to find the comments
    cost more than parsing them."""
    result: dict[int, frozenset[str] | None] = {}
    lowered = source.lower()  # `# NOQA` counts, as in flake8 and ruff
    if "noqa" not in lowered and "tenantlint:" not in lowered:
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


def _one_literal(raw: str) -> bool:
    """`"a.id"`, not `"a" ".id"` (implicit concatenation): no unescaped closing quote inside."""
    body = raw.lstrip("rRuU")
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    if len(body) < 2 * len(quote) or not body.endswith(quote):
        return False
    inner = body[len(quote) : len(body) - len(quote)].replace("\\\\", "").replace("\\" + quote[0], "")
    return quote not in inner


def written(lines: list[str], span: Span) -> str:
    """The expression at `span` as written: its first line, with " ..." when it goes on."""
    line = lines[span.line - 1].encode("utf-8")
    end = span.end_col if span.end_line == span.line else len(line)
    text = line[span.col : end].decode("utf-8", "replace")
    return text if span.end_line == span.line else text + " ..."


def reads_as_itself(value: str, quote: str) -> bool:
    """Whether `value` written between two `quote`s (prefix r, u or none) is a literal that reads
    as `value`, known without parsing it: it holds no backslash, no such quote and nothing
    unprintable (a line break). False says only "parse it to know"."""
    return value.isprintable() and "\\" not in value and quote not in value


def raw_literal(lines: list[str], node: ast.Constant) -> str | None:
    """The literal as written, if it is one plain string on one line (so an edit can rewrite it)."""
    if node.lineno != node.end_lineno:
        return None
    line = lines[node.lineno - 1].encode("utf-8")
    raw = line[node.col_offset : node.end_col_offset].decode("utf-8", "replace")
    quote, start = raw[-1:], 1 if raw[:1] in "rRuU" else 0
    if quote in ("'", '"') and raw[start : start + 1] == quote and raw[start + 1 : -1] == node.value \
            and reads_as_itself(node.value, quote):
        return raw  # its value between its quotes: no parse
    try:
        if literal_value(raw) != node.value:
            return None
    except (ValueError, SyntaxError):  # implicit concatenation, f-strings
        return None
    if raw[:1] not in "\"'" and raw[:1].lower() not in ("u", "r"):
        return None  # bytes or anything else
    if not _one_literal(raw):  # "a" ".id": implicit concatenation
        return None
    return raw
