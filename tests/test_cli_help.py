"""The command-line block and option tables of docs/commands.md, the formats docs/verify.md names
and the README's shell-completion lines agree with what the command line itself says (`--help`)
and does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_tenantlint

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS_PAGE = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
VERIFY_PAGE = (REPO / "docs" / "verify.md").read_text(encoding="utf-8")
COMMANDS = ("check", "fix", "verify", "rules")
_HELP_OPTION = re.compile(r"^  (?:(-\w), )?(--[\w-]+)", re.M)
_DOC_OPTION = re.compile(r"(?:(-\w)/)?(--[a-z][\w-]*)")


def help_options(command: str) -> dict[str, str | None]:
    """{long option: its short form or None} of `tenantlint COMMAND --help`, without --help."""
    result = run_tenantlint(command, "--help", cwd=REPO)
    assert result.exit_code == 0, result.stderr
    return {long: short for short, long in _HELP_OPTION.findall(result.stdout) if long != "--help"}


def help_formats(command: str) -> set[str]:
    text = run_tenantlint(command, "--help", cwd=REPO).stdout
    return set(re.search(r"--output-format \[([\w|]+)\]", text).group(1).split("|"))


def section(title: str, page: str = COMMANDS_PAGE) -> str:
    return page.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def cli_block() -> dict[str, set[str]]:
    """The options of each command in the ``## Commands`` block of docs/commands.md."""
    block = section("Commands").split("```\n", 2)[1]
    options: dict[str, set[str]] = {}
    current = None
    for line in block.splitlines():
        if line.startswith("tenantlint "):
            current = line.split()[1]
        if current in COMMANDS:
            options.setdefault(current, set()).update(long for _, long in _DOC_OPTION.findall(line.split("#")[0]))
    return options


def sentence(start: str) -> str:
    """The Commands section's paragraph text from `start` to the next full stop that ends a line."""
    text = section("Commands").replace("\n", " ")
    return text.split(start, 1)[1].split(". ", 1)[0]


def documented() -> dict[str, dict[str, str | None]]:
    """Each command's options as the Commands section of docs/commands.md lists them, with short forms."""
    shared = dict((long, short or None) for short, long in _DOC_OPTION.findall(sentence("Options of `check`, `fix` and `verify`:")))
    analysing = dict((long, short or None) for short, long in _DOC_OPTION.findall(sentence("`check` and `fix` also take")))
    rules = dict((long, short or None) for short, long in _DOC_OPTION.findall(sentence("`rules` takes")))
    block = cli_block()
    result = {}
    for command in COMMANDS:
        options = {long: None for long in block.get(command, ())}
        options.update(rules if command == "rules" else shared)
        if command in ("check", "fix"):
            options.update(analysing)
        result[command] = options
    return result


@pytest.mark.parametrize("command", COMMANDS)
def test_the_docs_list_exactly_the_options_of_each_command(command):
    readme = documented()[command]
    actual = help_options(command)
    assert set(readme) == set(actual)
    # and each short form (`-q/--quiet`) is the one --help gives
    assert {long: short for long, short in readme.items() if short} == {
        long: short for long, short in actual.items() if short
    }


@pytest.mark.parametrize("command", COMMANDS)
def test_the_docs_and_help_agree_about_formats(command):
    start = "`rules` takes" if command == "rules" else "Options of `check`, `fix` and `verify`:"
    written = re.search(r"--output-format ([\w|]+)", sentence(start)).group(1)
    assert set(written.split("|")) == help_formats(command)


def test_verify_section_names_the_formats_verify_has():
    top = VERIFY_PAGE.split("\n## ", 1)[0]  # under the title `# Runtime verification: `tenantlint verify``
    formats = re.search(r"formats \(`--output-format ([\w|]+)`\)", top)
    assert set(formats.group(1).split("|")) == help_formats("verify")


def test_every_option_in_the_ci_table_is_an_option_of_check():
    """The CI table of docs/commands.md (`| `--statistics` | ... |`): each option it names is one `check --help` has."""
    rows = [line for line in section("Output for CI").splitlines() if line.startswith("| `-")]
    named = {long for row in rows for _, long in _DOC_OPTION.findall(row.split(" | ")[0])}
    assert named == {"--output-format", "--statistics", "--select", "--extend-select", "--ignore", "--extend-ignore",
                     "--exclude", "--extend-exclude", "--exit-zero", "--no-cache"}
    assert named <= set(help_options("check"))
    github = next(row for row in rows if row.startswith("| `--output-format github`"))
    assert "github" in help_formats("check") and "sarif" in help_formats("check")
    assert github.startswith("| `--output-format github` | one `::error title=tenantlint (TNT001),file=")


# --- shell completion ----------------------------------------------------------------------------

SCRIPT = Path(sys.executable).parent / "tenantlint"  # the console script: click names the variable after it


def completion_lines() -> dict[str, str]:
    rows = [line for line in section("Shell completion", README).splitlines() if re.match(r"\| (bash|zsh|fish) \(", line)]
    return {row.split()[1]: re.search(r"\| `(.*)` \|$", row).group(1).replace("\\|", "|") for row in rows}


def shell_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ['PATH']}", **extra}


def test_one_completion_line_per_shell():
    assert completion_lines() == {
        "bash": 'eval "$(_TENANTLINT_COMPLETE=bash_source tenantlint)"',
        "zsh": 'eval "$(_TENANTLINT_COMPLETE=zsh_source tenantlint)"',
        "fish": "_TENANTLINT_COMPLETE=fish_source tenantlint | source",
    }


@pytest.mark.skipif(not SCRIPT.exists(), reason="the tenantlint console script is not installed beside python")
def test_the_bash_line_completes_commands_and_options(tmp_path):
    line = completion_lines()["bash"]
    script = (f"{line}\n"
              "COMP_WORDS=(tenantlint check --show-); COMP_CWORD=2; _tenantlint_completion tenantlint\n"
              'printf "%s\\n" "${COMPREPLY[@]}"\n'
              "COMPREPLY=(); COMP_WORDS=(tenantlint ve); COMP_CWORD=1; _tenantlint_completion tenantlint\n"
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=shell_env(), cwd=tmp_path,
                            check=False)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "--show-settings\n--show-files\n--show-unused-noqa\nverify\n"


@pytest.mark.skipif(not SCRIPT.exists(), reason="the tenantlint console script is not installed beside python")
@pytest.mark.parametrize(("shell", "marker"), [("zsh", "#compdef tenantlint"),
                                               ("fish", "complete --no-files --command tenantlint")])
def test_the_zsh_and_fish_lines_give_their_scripts(shell, marker, tmp_path):
    variable, _, rest = completion_lines()[shell].partition("=")
    value = rest.split()[0].rstrip(")")
    assert (variable.split("(")[-1].lstrip('"$'), value) == ("_TENANTLINT_COMPLETE", f"{shell}_source")
    source = run_tenantlint(cwd=tmp_path, script=True, env={"_TENANTLINT_COMPLETE": value})
    assert source.exit_code == 0 and marker in source.stdout
    # what the script asks for answers with the subcommand (the shells themselves are not installed here)
    complete = run_tenantlint(cwd=tmp_path, script=True, env={
        "_TENANTLINT_COMPLETE": f"{shell}_complete", "COMP_WORDS": "tenantlint ru", "COMP_CWORD": "1" if shell == "zsh" else "ru"})
    expected = "plain\nrules\n" if shell == "zsh" else "plain,rules\t"
    assert complete.stdout.startswith(expected)
