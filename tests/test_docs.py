"""Every command block of README.md and docs/*.md is checked: a block marked
`<!-- doc-test: run cwd=FOLDER [git] -->` runs, command by command, in a copy of FOLDER and its
output must match (`...` stands for any lines, commit hashes for any hash); every other command
is parsed: tenantlint's by its own command line (options, choices), the others against a short
list of the programs the docs may name (a bench script's options against its `--help`)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from conftest import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```$", re.M | re.S)  # also indented, in a list item
_MARK = re.compile(r"<!-- doc-test: (.*?) -->\n+ *$")
_SHELL_LANGS = ("console", "bash", "sh", "shell")
_PROGRAMS = ("tenantlint", "python", "pip", "git", "pre-commit", "echo", "cd")


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    lang: str
    body: str
    mark: str | None  # what the `<!-- doc-test: ... -->` comment above it says

    @property
    def prompted(self) -> bool:
        return any(line.startswith("$ ") for line in self.body.splitlines())

    def commands(self) -> list[str]:
        lines = self.body.splitlines()
        if self.prompted:
            return [line[2:] for line in lines if line.startswith("$ ")]
        return [line for line in lines if line.strip() and not line.startswith("#")]

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            mark = _MARK.search(text, 0, match.start())
            mark = mark.group(1) if mark and mark.end() == match.start() else None
            indent = len(match.group(1))
            body = "".join(line[indent:] for line in match.group(3).splitlines(keepends=True))
            found.append(Block(page.relative_to(REPO).as_posix(), text.count("\n", 0, match.start()) + 1,
                               match.group(2), body, mark))
    return found


def is_command_block(block: Block) -> bool:
    if block.lang not in ("", *_SHELL_LANGS):
        return False
    first = next(iter(block.commands()), "")
    return block.prompted or (block.lang in _SHELL_LANGS or first.split(" ")[:1] in ([p] for p in _PROGRAMS))


COMMAND_BLOCKS = [b for b in blocks() if is_command_block(b) and not (b.mark or "").startswith("synopsis")]


# --- parsing -------------------------------------------------------------------------------------


def simple_commands(line: str) -> list[list[str]]:
    """The words of each simple command of a shell line (`a && b | c > f  # note`), without
    redirections and leading VAR=value assignments."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars="&|;<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands, words, skip = [], [], False
    for token in lexer:
        if token in ("&&", "||", "|", ";"):
            commands.append(words)
            words = []
        elif token in (">", ">>", "<", "2>"):
            skip = True
        elif skip:
            skip = False
        elif not words and re.fullmatch(r"[A-Z_]+=.*", token):
            continue
        else:
            words.append(token)
    return [w for w in [*commands, words] if w]


def parse_tenantlint(args: list[str]) -> None:
    """Click parses `args` as the command line would (options, choices, counts), without running."""
    from tenantlint.cli import main

    try:
        with main.make_context("tenantlint", list(args)) as ctx:
            # the group keeps the subcommand apart from its arguments (`protected_args`, private since click 8.2)
            protected = getattr(ctx, "_protected_args", None) or ctx.protected_args
            name, command, rest = main.resolve_command(ctx, [*protected, *ctx.args])
            command.make_context(name, rest, parent=ctx)
    except click.exceptions.Exit:
        pass  # --help, --version


def bench_options(script: str) -> set[str]:
    result = subprocess.run([sys.executable, script, "--help"], cwd=REPO, capture_output=True, text=True, check=True)
    return set(re.findall(r"--[\w-]+", result.stdout))


def check_command(words: list[str]) -> None:
    program, args = words[0], words[1:]
    if program == "tenantlint":
        parse_tenantlint(args)
    elif program == "python" and args[:2] == ["-m", "tenantlint"]:
        parse_tenantlint(args[2:])
    elif program == "python" and args[:2] == ["-m", "pytest"]:
        pass
    elif program == "python":
        script = args[0]
        assert (REPO / script).is_file(), f"no such script: {script}"
        if script.startswith("bench/"):
            assert {a.split("=")[0] for a in args if a.startswith("--")} <= bench_options(script)
    elif program == "pip":
        assert args[0] == "install"
        assert args[1:] in ([".", ], ["-e", ".[test]"], ["tenantlint[verify]"]) or args[1].startswith("tenantlint @ git+")
    else:
        assert program in _PROGRAMS, f"the docs name a program the tests do not know: {program}"


@pytest.mark.parametrize("block", [b for b in COMMAND_BLOCKS if not (b.mark or "").startswith("run")], ids=str)
def test_command_block_parses(block):
    for line in block.commands():
        for words in simple_commands(line):
            check_command(words)


# --- running -------------------------------------------------------------------------------------

_SPLIT = "@@doc-test-command@@"
_HASH = re.compile(r"\b[0-9a-f]{7}\b")


def expected_outputs(block: Block) -> list[list[str]]:
    outputs: list[list[str]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            outputs.append([])
        elif outputs:
            outputs[-1].append(line)
    for output in outputs:  # a blank line before the next prompt only separates
        while output and not output[-1]:
            output.pop()
    return outputs


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line; `...` matches any lines (also none), a commit hash any hash."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and _HASH.sub("#", expected[0]) == _HASH.sub("#", actual[0]) and matches(expected[1:], actual[1:])


def workspace(tmp_path: Path, mark: str) -> Path:
    """A copy of the folder the block runs in (`cwd=.`: the repository's fixtures, at their place)."""
    options = dict(part.partition("=")[::2] for part in mark.split()[1:])
    folder = options["cwd"]
    if folder == ".":
        shutil.copytree(REPO / "fixtures", tmp_path / "fixtures")
        where = tmp_path
    else:
        where = tmp_path / Path(folder).name
        shutil.copytree(REPO / folder, where)
    if "git" in options:
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "the application"]):
            subprocess.run(["git", *args], cwd=where, check=True, env=shell_env())
    return where


def shell_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENANTLINT_")}
    return {**env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}", "PYTHONUNBUFFERED": "1",
            "GIT_AUTHOR_NAME": "Docs", "GIT_AUTHOR_EMAIL": "docs@example.invalid", "GIT_COMMITTER_NAME": "Docs",
            "GIT_COMMITTER_EMAIL": "docs@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "COLUMNS": "200"}


@pytest.mark.parametrize("block", [b for b in COMMAND_BLOCKS if (b.mark or "").startswith("run")], ids=str)
def test_command_block_runs_as_shown(block, tmp_path):
    where = workspace(tmp_path, block.mark)
    # `$?` after the separator's echo is still the status of the command before it
    script = "".join(f"status=$?\necho {_SPLIT}\n(exit $status)\n{command}\n" for command in block.commands())
    result = subprocess.run(["bash", "-c", script], cwd=where, env=shell_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, check=False)
    actual = [part.strip("\n").splitlines() for part in result.stdout.split(_SPLIT + "\n")[1:]]
    for command, expected, got in zip(block.commands(), expected_outputs(block), actual, strict=True):
        assert matches(expected, got), f"{block}: `{command}` printed:\n" + "\n".join(got)


def test_every_command_block_is_checked():
    """Nothing falls between the two tests: a block with a prompt and output lines runs."""
    for block in COMMAND_BLOCKS:
        has_output = any(expected_outputs(block))
        if has_output and not (block.mark or "").startswith("run"):
            assert (block.mark or "").startswith("parse"), f"{block}: mark it `run cwd=...` or say why it is `parse`"
    assert len(COMMAND_BLOCKS) >= 10


# --- links ---------------------------------------------------------------------------------------

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
def github_anchors(text: str) -> set[str]:
    """The ids GitHub gives a page's headings: lower case, punctuation dropped, spaces to `-`,
    `-1`, `-2` ... after a repeated one."""
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#+ (.*)$", _FENCE.sub("", text), re.M):
        anchor = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        seen[anchor] = seen.get(anchor, -1) + 1
        if seen[anchor]:
            seen[f"{anchor}-{seen[anchor]}"] = 0
    return set(seen)


def relative_links(page: Path) -> list[tuple[str, str]]:
    """(path, anchor) of every link to this repository in the page's prose (not in code)."""
    prose = re.sub(r"`[^`\n]*`", "", _FENCE.sub("", page.read_text(encoding="utf-8")))
    links = [target for target in _LINK.findall(prose) if not re.match(r"[a-z]+:", target)]
    return [target.partition("#")[::2] for target in links]


@pytest.mark.parametrize("page", [*PAGES, REPO / "SECURITY.md"], ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_lands_on_a_file_and_heading(page):
    for path, anchor in relative_links(page):
        target = (page.parent / path).resolve() if path else page
        name = target.relative_to(REPO).as_posix()
        assert target.exists(), f"{page.name}: link to a missing file {path}"
        if anchor:
            assert anchor in github_anchors(target.read_text(encoding="utf-8")), f"{page.name}: no heading #{anchor} in {name}"


def test_the_link_checker_sees_links_and_anchors(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# A fix: `fix --verify`\n## Same\n## Same\n[a](other.md#x) `[b](no.md)` [c](#same-1)\n"
                    "[d](https://example.invalid/x) [e](mailto:x@example.invalid)\n```\n[f](code.md)\n# not a heading\n```\n",
                    encoding="utf-8")
    assert relative_links(page) == [("other.md", "x"), ("", "same-1")]
    assert github_anchors(page.read_text(encoding="utf-8")) == {"a-fix-fix---verify", "same", "same-1"}
