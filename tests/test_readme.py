"""The README is part of the product: its commands are the ones CI runs, its rules table (and the
rule reference, docs/rules.md) are written from the rule modules."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

from tenantlint.rules import RULES
from tenantlint.docs import COMMAND, RULES_PAGE, TABLE, generated, markdown_reference, rules_page, rules_table

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_rules_table_and_reference_are_the_generated_ones():
    assert README == generated(README), f"README.md's rules table is out of date with the rule modules: run `{COMMAND}`"
    assert RULES_PAGE.read_text(encoding="utf-8") == rules_page(), \
        f"docs/rules.md is out of date with the rule modules: run `{COMMAND}`"


def test_generated_sections_hold_every_rule():
    assert f"{TABLE[0]}\n{rules_table()}{TABLE[1]}\n" in README
    page = rules_page()
    assert rules_table() in page and page.endswith(markdown_reference())
    rows = [line.split(" | ")[0].lstrip("| ") for line in rules_table().splitlines()[2:]]
    assert rows == [code for code, rule in RULES.items() if not rule.runtime]  # runtime rules: reference only
    titles = [line.split()[1] for line in page.splitlines() if line.startswith("### TNT")]
    assert titles == list(RULES)  # every rule, static and runtime, in code order


def test_docs_command_rewrites_a_stale_readme_and_rules_page(tmp_path, capsys):
    from tenantlint.docs import main

    stale = tmp_path / "README.md"
    stale.write_text(README.replace("| TNT006 | table-without-schema |", "| TNT006 | old-name |"), encoding="utf-8")
    page = tmp_path / "rules.md"  # missing: written whole
    assert main(stale, page) == 0
    assert stale.read_text(encoding="utf-8") == README
    assert page.read_text(encoding="utf-8") == RULES_PAGE.read_text(encoding="utf-8")
    assert capsys.readouterr().out == "README.md: rewritten from the rule modules\nrules.md: rewritten from the rule modules\n"
    assert main(stale, page) == 0 and capsys.readouterr().out == ""  # up to date: nothing written


TEST_COMMANDS = ["pip install -e '.[test]' && python -m pytest", "python -m pytest -m slow"]
QUICK_START = "pip install . && tenantlint check fixtures/app"


def test_ci_runs_exactly_the_readme_test_commands():
    for command in TEST_COMMANDS:
        assert f"```bash\n{command}\n```" in README
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8").rstrip().splitlines()
    assert script[-len(TEST_COMMANDS):] == TEST_COMMANDS


def documented_output(command: str) -> list[str]:
    """The lines the README shows after `$ COMMAND` in a code block; `...` stands for lines left out."""
    (block,) = re.findall(rf"```\n\$ {re.escape(command)}\n(.*?)```", README, flags=re.DOTALL)
    return block.splitlines()


def shown_as_documented(documented: list[str], actual: list[str]) -> bool:
    """Each run of documented lines between `...` appears in order, whole lines; the first run
    starts the output and the last one ends it."""
    runs: list[list[str]] = [[]]
    for line in documented:
        runs.append([]) if line == "..." else runs[-1].append(line)
    if len(runs) == 1:
        return actual == runs[0]
    if actual[:len(runs[0])] != runs[0] or actual[len(actual) - len(runs[-1]):] != runs[-1]:
        return False
    position = 0
    for run in runs:
        found = next((i for i in range(position, len(actual) - len(run) + 1) if actual[i:i + len(run)] == run), None)
        if found is None:
            return False
        position = found + len(run)
    return True


@pytest.mark.slow  # a fresh venv and `pip install .`: about 15 s
def test_quick_start_in_a_fresh_venv_prints_the_sample_output(tmp_path):
    assert f"```bash\n{QUICK_START}\n```" in README
    checkout = tmp_path / "checkout"  # what a clone holds, so nothing is written into this one
    shutil.copytree(REPO, checkout, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".tenantlint_cache", ".hypothesis", ".pytest_cache"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install, check = QUICK_START.split(" && ")  # run apart, so tenantlint's output is its own
    activated = {"PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}

    def shell(command: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TENANTLINT_DATABASE_URL")} | activated
        return subprocess.run(["bash", "-c", command], cwd=checkout, env=env, capture_output=True, text=True,
                              timeout=600, check=False)

    installed = shell(install)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert shell("command -v tenantlint").stdout == f"{venv / 'bin' / 'tenantlint'}\n"
    result = shell(check)
    assert (result.returncode, result.stderr) == (1, "")
    documented = documented_output(check)
    assert documented[-1] == "Found 45 problems (41 fixable with `tenantlint fix`)."
    assert shown_as_documented(documented, result.stdout.splitlines()), result.stdout


def test_the_documented_output_matcher():
    actual = ["a", "b", "c", "d", "e"]
    assert shown_as_documented(["a", "...", "c", "...", "e"], actual)
    assert shown_as_documented(["a", "b", "...", "d", "e"], actual)
    assert not shown_as_documented(["a", "c", "...", "e"], actual)  # no `...`: adjacent lines
    assert not shown_as_documented(["a", "...", "d", "...", "c", "...", "e"], actual)  # order
    assert not shown_as_documented(["b", "...", "e"], actual)  # the first line is the first
    assert not shown_as_documented(["a", "...", "d"], actual)  # the last line is the last
    assert not shown_as_documented(["a", "...", "e"], ["ab", "e"])  # whole lines
    assert shown_as_documented(actual, actual) and not shown_as_documented(actual, actual + actual)
