"""`python -m tenantlint.docs`: write the README's rules table and rule reference from the rules.

Both live between markers in README.md; `tests/test_readme.py` fails when they differ from what
this writes, and names this command.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tenantlint.rules import all_rules

COMMAND = "python -m tenantlint.docs"
README = Path(__file__).resolve().parent.parent / "README.md"
TABLE = ("<!-- rules-table: written by `python -m tenantlint.docs` -->", "<!-- /rules-table -->")
REFERENCE = ("<!-- rule-reference: written by `python -m tenantlint.docs` -->", "<!-- /rule-reference -->")


def rules_table() -> str:
    """The static rules, one line each: what they report and what `fix` does."""
    lines = ["| code | name | reported when | fix |", "|---|---|---|---|"]
    lines += [f"| {r.code} | {r.name} | {r.summary} | {r.fix_summary} |" for r in all_rules().values() if not r.runtime]
    return "\n".join(lines) + "\n"


def markdown_reference() -> str:
    """Every rule's documentation, as `tenantlint rules CODE` prints it, one level deeper."""
    return "\n".join(rule.render(level=3) for rule in all_rules().values())


def _between(text: str, markers: tuple[str, str], content: str) -> str:
    start, end = markers
    head, found, rest = text.partition(start + "\n")
    if not found or end not in rest:
        raise ValueError(f"README.md has no `{start}` ... `{end}` section")
    return head + start + "\n" + content + end + rest.partition(end)[2]


def generated(readme: str) -> str:
    """The README with its generated sections rewritten."""
    return _between(_between(readme, TABLE, rules_table()), REFERENCE, markdown_reference())


def main(path: Path = README) -> int:
    text = path.read_text(encoding="utf-8")
    new = generated(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"{path.name}: rules table and rule reference rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
