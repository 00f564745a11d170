"""`python -m tenantlint.docs`: write the rules table and rule reference from the rule modules.

The reference is the whole of `docs/rules.md`; the README holds the short rules table between
markers. `tests/test_readme.py` fails when either differs from what this writes, and names this
command.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tenantlint.rules import all_rules

COMMAND = "python -m tenantlint.docs"
ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RULES_PAGE = ROOT / "docs" / "rules.md"
TABLE = ("<!-- rules-table: written by `python -m tenantlint.docs` -->", "<!-- /rules-table -->")
_INTRO = f"""# Rules

<!-- This page is written from the rule modules by `{COMMAND}`: edit `tenantlint/rules/`, then run it. -->

Written from the rule modules by `{COMMAND}` (`tenantlint rules CODE` prints the same);
a test keeps them equal. `check` and `fix` report the static rules, `tenantlint verify`
the runtime ones (TNT101 and up, see [verify.md](verify.md)).

## Static rules

"""


def rules_table() -> str:
    """The static rules, one line each: what they report and what `fix` does."""
    lines = ["| code | name | reported when | fix |", "|---|---|---|---|"]
    lines += [f"| {r.code} | {r.name} | {r.summary} | {r.fix_summary} |" for r in all_rules().values() if not r.runtime]
    return "\n".join(lines) + "\n"


def markdown_reference() -> str:
    """Every rule's documentation, as `tenantlint rules CODE` prints it, one level deeper."""
    return "\n".join(rule.render(level=3) for rule in all_rules().values())


def rules_page() -> str:
    """The whole of docs/rules.md: the static rules table, then every rule's documentation."""
    return _INTRO + rules_table() + "\n## Rule reference\n\n" + markdown_reference()


def _between(text: str, markers: tuple[str, str], content: str) -> str:
    start, end = markers
    head, found, rest = text.partition(start + "\n")
    if not found or end not in rest:
        raise ValueError(f"README.md has no `{start}` ... `{end}` section")
    return head + start + "\n" + content + end + rest.partition(end)[2]


def generated(readme: str) -> str:
    """The README with its rules table rewritten."""
    return _between(readme, TABLE, rules_table())


def main(readme: Path = README, page: Path = RULES_PAGE) -> int:
    for path, new in ((readme, generated(readme.read_text(encoding="utf-8"))), (page, rules_page())):
        if not path.exists() or path.read_text(encoding="utf-8") != new:
            path.write_text(new, encoding="utf-8")
            print(f"{path.name}: rewritten from the rule modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
