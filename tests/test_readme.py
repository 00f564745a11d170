"""The README is part of the product: its commands are the ones CI runs, its rule reference is
the catalogue's."""

from __future__ import annotations

from conftest import REPO

from tenantlint.docs import markdown_reference

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_rule_reference_is_the_catalogue():
    assert README.endswith(markdown_reference())


def test_ci_runs_the_readme_test_command():
    command = "pip install -e '.[test]' && python -m pytest"
    assert f"```bash\n{command}\n```" in README
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").rstrip().endswith(command)


def test_quick_start_runs_the_fixture():
    assert "```bash\npip install . && tenantlint check fixtures/app\n```" in README
