"""SARIF 2.1.0 output for code-scanning services (GitHub, GitLab, Azure DevOps)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from tenantlint import __version__
from tenantlint.rules import RULES, Rule
from tenantlint.config import DEFAULT_MAX_FILE_SIZE
from tenantlint.files import read_regular
from tenantlint.findings import Finding

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# The repository (the README's pre-commit and CI snippets install from it; the package is not on an index).
REPOSITORY = "https://example.invalid/tenantlint"
INFORMATION_URI = REPOSITORY
# The page of the rule reference: its headings (`### TNT001 missing-tenant-schema`) are the anchors
# (tests/test_action.py checks that each rule's link lands on one).
RULE_REFERENCE = f"{REPOSITORY}/blob/main/docs/rules.md"
SRCROOT = "%SRCROOT%"

# RFC 3986 `pchar` without ":" (a relative reference's first segment must not read as a scheme):
# kept as written; everything else (space, %, #, ?, controls, non-ASCII) is percent-encoded.
_URI_SAFE = "/!$&'()*+,;=@"


def relative_uri(path: str) -> str:
    """A `/`-separated relative path as a URI reference (RFC 3986), from its bytes on disk."""
    return quote(os.fsencode(path), safe=_URI_SAFE)


def help_uri(rule: Rule) -> str:
    """The rule's section of the rule reference (its anchor is `tnt001-missing-tenant-schema`)."""
    return f"{RULE_REFERENCE}#{rule.code.lower()}-{rule.name}"


def repository_root(start: Path) -> Path:
    """The nearest folder holding `.git` (a checkout, as code scanning sees it), else `start`."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return start


def _rule_descriptor(rule: Rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.what.split(". ")[0].rstrip(".") + "."},
        "fullDescription": {"text": f"{rule.what}\n\n{rule.why}", "markdown": rule.render()},
        "helpUri": help_uri(rule),
        "help": {"text": rule.fix_safety, "markdown": rule.render()},
        "defaultConfiguration": {"level": "error"},
        "properties": {"fixSafety": rule.fix_safety},
    }


def _replacement(path: Path, finding: Finding, schema: str, comment: str, limit: int) -> dict | None:
    """This one finding's edit as a whole-line replacement: the bytes between the first and
    the last line that change, and what replaces them."""
    from tenantlint.fixer import apply_edits

    try:
        old = read_regular(path, limit)
        new = apply_edits(old, [finding.edit], schema, comment)
    except Exception:  # noqa: BLE001 - a fix the fixer refuses is simply not offered in the report
        return None
    if new == old:
        return None
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    prefix = old.rfind(b"\n", 0, prefix) + 1  # back to the start of the first changed line
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    # forward to the start of the line after the last changed one
    while suffix and old[len(old) - suffix - 1 : len(old) - suffix] != b"\n":
        suffix -= 1
    inserted = new[prefix : len(new) - suffix]
    return {
        "deletedRegion": {"byteOffset": prefix, "byteLength": len(old) - prefix - suffix},
        "insertedContent": {"text": inserted.decode("utf-8", errors="replace")},
    }


def _result(finding: Finding, root: Path, rule_index: dict[str, int], unsafe_fixes: bool, schema: str, comment: str,
            limit: int) -> dict:
    absolute = Path(os.path.abspath(finding.path))
    try:
        uri = relative_uri(absolute.relative_to(root).as_posix())
        location = {"uri": uri, "uriBaseId": SRCROOT}
    except ValueError:
        location = {"uri": absolute.as_uri()}
    result = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": "error",
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_column,
                    },
                }
            }
        ],
    }
    if finding.model:
        result["properties"] = {"model": finding.model}
    if finding.edit is not None and finding.fixable(unsafe_fixes):
        replacement = _replacement(absolute, finding, schema, comment, limit)
        if replacement is not None:
            result["fixes"] = [
                {
                    "description": {"text": finding.edit.title or finding.edit.kind.value},
                    "artifactChanges": [{"artifactLocation": location, "replacements": [replacement]}],
                }
            ]
    return result


def build_sarif(
    findings: Sequence[Finding],
    unsafe_fixes: bool = False,
    root: Path | None = None,
    schema: str = "tenant",
    comment: str = "# Placeholder for schema_translate_map",
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
) -> dict:
    root = repository_root(Path.cwd()) if root is None else root.resolve()
    rules = list(RULES.values())
    rule_index = {rule.code: i for i, rule in enumerate(rules)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tenantlint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(rule) for rule in rules],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri() + "/"}},
                "results": [_result(f, root, rule_index, unsafe_fixes, schema, comment, max_file_size)
                            for f in findings],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def format_sarif(findings: Sequence[Finding], unsafe_fixes: bool = False, config=None) -> str:
    """The SARIF log; with the run's config the fixes use its schema and comment."""
    options = {} if config is None else {"schema": config.schema, "comment": config.comment_text,
                                         "max_file_size": config.max_file_size}
    return json.dumps(build_sarif(findings, unsafe_fixes, **options), indent=2) + "\n"
