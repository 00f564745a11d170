"""The README is part of the product: its commands are the ones CI runs, its rules table and rule
reference are written from the rule modules."""

from __future__ import annotations

from conftest import REPO

from tenantlint.docs import COMMAND, REFERENCE, TABLE, generated, markdown_reference, rules_table

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_rules_table_and_reference_are_the_generated_ones():
    assert README == generated(README), f"README.md is out of date with the rule modules: run `{COMMAND}`"


def test_generated_sections_hold_every_rule():
    assert f"{TABLE[0]}\n{rules_table()}{TABLE[1]}\n" in README
    assert README.endswith(f"{REFERENCE[0]}\n{markdown_reference()}{REFERENCE[1]}\n")
    assert rules_table().count("\n| TNT0") == 9  # TNT000-TNT008; the runtime rules are in the reference only
    assert markdown_reference().count("### TNT") == 22  # TNT000-TNT008, TNT101-TNT113


def test_docs_command_rewrites_a_stale_readme(tmp_path):
    from tenantlint.docs import main

    stale = tmp_path / "README.md"
    stale.write_text(README.replace("| TNT006 | table-without-schema |", "| TNT006 | old-name |"), encoding="utf-8")
    assert main(stale) == 0
    assert stale.read_text(encoding="utf-8") == README


def test_ci_runs_the_readme_test_command():
    command = "pip install -e '.[test]' && python -m pytest"
    assert f"```bash\n{command}\n```" in README
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").rstrip().endswith(command)


def test_quick_start_runs_the_fixture():
    assert "```bash\npip install . && tenantlint check fixtures/app\n```" in README
