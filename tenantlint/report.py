"""How findings are shown, and the exit-code policy (in one place, like black's report)."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence

from tenantlint.findings import Finding


class ExitCode(enum.IntEnum):
    CLEAN = 0  # nothing found (after `fix`: nothing left it could not fix)
    FINDINGS = 1  # findings remain, or `fix --diff` would change something
    ERROR = 2  # usage, config or parse error (TNT000), or a fix that could not be applied safely


def exit_code(remaining: Sequence[Finding], errors: Sequence[Finding], exit_zero: bool = False) -> ExitCode:
    if errors:
        return ExitCode.ERROR
    if remaining and not exit_zero:
        return ExitCode.FINDINGS
    return ExitCode.CLEAN


def plural(n: int, word: str, many: str = "") -> str:
    """`1 problem`, `2 problems` (`many` for irregular plurals)."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def _control_escapes() -> dict[int, str]:
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    controls = [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]  # C0, DEL, C1, line/paragraph separators
    return {c: named.get(chr(c)) or (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in controls}


_CONTROL_ESCAPES = _control_escapes()


def printable(text: str) -> str:
    """`text` with control characters shown as escapes (`\\n`, `\\x1b`): a file name or a string
    from the checked code cannot start a line of its own or drive the terminal."""
    # every character it escapes is one `isprintable` refuses: most text needs no translation
    return text if text.isprintable() else text.translate(_CONTROL_ESCAPES)


def text_line(finding: Finding, unsafe_fixes: bool = False, where: str | None = None) -> str:
    """One finding as ruff prints it; `where`: its path as printed, when the caller has it."""
    mark = " [*]" if finding.fixable(unsafe_fixes) else ""
    if finding.fixed_by is not None:  # `verify`: what `fix` fixes for it
        mark = f" [fix: {finding.fixed_by.code}{' with --unsafe-fixes' if finding.fixed_by.unsafe else ''}]"
    where = where if where is not None else printable(finding.path.as_posix())
    return f"{where}:{finding.line}:{finding.column}: {finding.code} {printable(finding.message)}{mark}"


def format_text(findings: Sequence[Finding], unsafe_fixes: bool = False, quiet: bool = False) -> str:
    paths: dict = {}  # a file's findings share its printed path
    lines = [text_line(f, unsafe_fixes, paths.get(f.path) or paths.setdefault(f.path, printable(f.path.as_posix())))
             for f in findings]
    if quiet:
        return "\n".join(lines) + ("\n" if lines else "")
    if not findings:
        return "All checks passed!\n"
    fixable = sum(f.fixable(unsafe_fixes) for f in findings)
    hidden = sum(f.fixable(True) for f in findings) - fixable
    summary = f"Found {plural(len(findings), 'problem')} ({_fixed_by(findings) or f'{fixable} fixable with `tenantlint fix`'})."
    if hidden:
        summary += f"\n{plural(hidden, 'more fix', 'more fixes')} available with `tenantlint fix --unsafe-fixes`."
    return "\n".join(lines + [summary]) + "\n"


def _fixed_by(findings: Sequence[Finding]) -> str:
    """`verify`: `18 fixed by `tenantlint fix` through TNT001, TNT006`, or "" when none is."""
    parts = []
    for command in ("tenantlint fix", "tenantlint fix --unsafe-fixes"):
        codes = [f.fixed_by.code for f in findings if f.fixed_by is not None and f.fixed_by.command == command]
        if codes:
            parts.append(f"{len(codes)} {'fixed ' if not parts else ''}by `{command}` through "
                         f"{', '.join(sorted(set(codes)))}")
    return "; ".join(parts)


def as_dict(finding: Finding, unsafe_fixes: bool = False) -> dict:
    edit = finding.edit
    extra = {} if finding.tenant is None else {"tenant": finding.tenant}  # only `verify --tenants` sets it
    if finding.fixed_by is not None:  # only `verify` sets it
        extra["fixed_by"] = {"code": finding.fixed_by.code, "command": finding.fixed_by.command}
    return {
        "code": finding.code,
        "message": finding.message,
        "path": finding.path.as_posix(),
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "model": finding.model,
        "fixable": finding.fixable(unsafe_fixes),
        "fix": None if edit is None else {"title": edit.title, "applicability": edit.applicability.value},
        **extra,
    }


def format_json(findings: Sequence[Finding], unsafe_fixes: bool = False) -> str:
    import json  # only this format needs it: a pre-commit run stays light

    return json.dumps([as_dict(f, unsafe_fixes) for f in findings], indent=2) + "\n"




def _escape_data(text: str) -> str:
    """GitHub workflow-command escaping of the message part (the runner decodes `%0A` back into a
    line break inside the annotation); any other control character is shown as an escape."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    """GitHub workflow-command escaping of a `key=value` property (also `:` and `,`)."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(finding: Finding) -> str:
    props = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in (
            ("title", f"tenantlint ({finding.code})"),
            ("file", finding.path.as_posix()),
            ("line", finding.line),
            ("col", finding.column),
            ("endLine", finding.end_line),
            ("endColumn", finding.end_column),
        )
    )
    return f"::error {props}::{_escape_data(f'{finding.code} {finding.message}')}"


def format_github(findings: Sequence[Finding], unsafe_fixes: bool = False) -> str:
    """GitHub Actions annotations, one `::error ...::` workflow command per finding."""
    return "".join(github_line(f) + "\n" for f in findings)


def _statistics(findings: Sequence[Finding], unsafe_fixes: bool) -> list[tuple[str, str, int, int]]:
    """(code, name, count, fixable count) per rule, most frequent first, then by code."""
    from tenantlint.rules import RULES

    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fixable(unsafe_fixes))
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(code, RULES[code].name if code in RULES else "", count, fixable[code]) for code, count in ordered]


def format_statistics(findings: Sequence[Finding], unsafe_fixes: bool = False, output_format: str = "text") -> str:
    """`--statistics`: one line per rule, like ruff's `   3  TNT001  [*] missing-tenant-schema`
    (`[*]` when every finding of the rule is fixable, `[-]` when some are); with `json`, a list
    of `{code, name, count, fixable}`, `fixable` being how many of the `count` are."""
    rows = _statistics(findings, unsafe_fixes)
    if output_format == "json":
        import json

        keys = ("code", "name", "count", "fixable")
        return json.dumps([dict(zip(keys, row)) for row in rows], indent=2) + "\n"
    if not rows:
        return ""
    width = len(str(rows[0][2]))
    lines = []
    for code, name, count, fixable in rows:
        mark = "[*]" if fixable == count else "[-]" if fixable else "   "
        lines.append(f"{str(count).rjust(width)}  {code}  {mark} {name}".rstrip())
    return "\n".join(lines) + "\n"


OUTPUT_FORMATS = ("github", "json", "sarif", "text")


def render(output_format: str, findings: Sequence[Finding], *, unsafe_fixes: bool = False, quiet: bool = False,
           config=None) -> str:
    """The findings in one of OUTPUT_FORMATS; `config` gives SARIF's fixes the run's schema and comment."""
    if output_format == "text":
        return format_text(findings, unsafe_fixes, quiet)
    if output_format == "json":
        return format_json(findings, unsafe_fixes)
    if output_format == "github":
        return format_github(findings, unsafe_fixes)
    from tenantlint.sarif import format_sarif

    return format_sarif(findings, unsafe_fixes, config)


def render_after_fix(output_format: str, shown: Sequence[Finding], fixed: int, files: int, *,
                     unsafe_fixes: bool = False, quiet: bool = False, config=None) -> str:
    """What `fix` prints on stdout: the findings left, then (text) how many it fixed. After a
    fix that left nothing, the fix line says it all: no "All checks passed!" above it."""
    if output_format != "text" or quiet or not fixed:
        return render(output_format, shown, unsafe_fixes=unsafe_fixes, quiet=quiet, config=config)
    left = format_text(shown, unsafe_fixes) if shown else ""
    return left + f"Fixed {plural(fixed, 'problem')} in {plural(files, 'file')}.\n"
