"""What the `# noqa` comments of a run say: codes no rule has, and codes that suppress nothing.

Only codes that look like tenantlint's (`TNT...`) are judged: `# noqa: E501` belongs to another
linter, and a bare `# noqa` (no codes) may be meant for one, so neither is ever reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tenantlint.config import Config
from tenantlint.findings import Finding

_OURS = "TNT"
# Where the comment starts, for the column of a report (facts.source.noqa_lines reads the codes).
_COMMENT = re.compile(r"#\s*(?:noqa|tenantlint:\s*ignore)", re.I)


@dataclass(frozen=True)
class Directive:
    """One `# noqa` comment and the codes of it this report is about."""

    path: Path
    line: int
    column: int
    codes: tuple[str, ...]

    def text(self) -> str:
        from tenantlint.report import printable

        unused = ", ".join(f"`{c}`" for c in self.codes)
        return f"{printable(self.path.as_posix())}:{self.line}:{self.column}: Unused `noqa` directive (unused: {unused})"


def _directives(files: Iterable) -> Iterable[Directive]:
    """Every `# noqa: CODES` of the files in scope, with its tenantlint-looking codes."""
    for file in files:
        if not file.in_scope:
            continue
        for line, codes in sorted(file.facts.noqa.items()):
            ours = tuple(sorted(c for c in codes or () if c.startswith(_OURS)))
            if ours:
                text = file.lines[line - 1] if 0 < line <= len(file.lines) else ""
                match = _COMMENT.search(text)
                yield Directive(file.path, line, match.start() + 1 if match else 1, ours)


def unknown_codes(files: Iterable) -> list[str]:
    """A warning for each code in a noqa comment that no rule has (`# noqa: TNT999`)."""
    from tenantlint.report import printable
    from tenantlint.rules import code_of, module_names

    known = {code_of(name) for name in module_names()}
    warnings = []
    for directive in _directives(files):
        for code in directive.codes:
            if code not in known:
                where = f"{printable(directive.path.as_posix())}:{directive.line}:{directive.column}"
                warnings.append(f"{where}: unknown rule code `{printable(code)}` in a noqa comment")
    return warnings


def unused(files: Iterable, silenced: Iterable[Finding], config: Config) -> list[Directive]:
    """The noqa comments with a code that suppressed nothing in this run (ruff's RUF100). A code
    is judged only when this run could have reported it: a static rule, selected."""
    from tenantlint.rules import static_rules

    judged = {rule.code for rule in static_rules() if config.selects(rule.code)}
    used = {(f.path, f.line, f.code) for f in silenced}
    found = []
    for directive in _directives(files):
        codes = tuple(c for c in directive.codes if c in judged and (directive.path, directive.line, c) not in used)
        if codes:
            found.append(Directive(directive.path, directive.line, directive.column, codes))
    return found


def format_unused(directives: list[Directive], quiet: bool = False) -> str:
    from tenantlint.report import plural

    if not directives:
        return ""
    lines = [d.text() for d in directives]
    if quiet:
        return "\n".join(lines) + "\n"
    return "\n".join(lines + [f"Found {plural(len(directives), 'unused `noqa` directive')}."]) + "\n"
