"""Config and baseline errors are loud (issue 15, items 4 and 11): a cloned repository's
pyproject.toml or baseline is untrusted input; every problem is exit 2 naming the file and key,
never silent defaults and never an internal error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_tenantlint
from miniapp import COUPON, FILES, PRODUCT, PYPROJECT, write_app

from tenantlint.config import Config
from tenantlint.release_note import MessageError, commit_message

ERROR = "tenantlint: error: "
ONLY_PLACEHOLDERS = "it may only use {file}, {path} and {models} (no format spec, conversion, attribute or index)"
INSIDE = "must be a path inside the project root (relative, without `..`)"
TABLE = "[tool.tenantlint]\n"


@pytest.mark.parametrize(
    ("content", "stderr"),
    [
        # unparsable files, even one without a [tool.tenantlint] table
        ('[project]\nname = "x"\nversion = 1.0.0\n',
         "pyproject.toml:3:14: invalid TOML: Expected newline or end of document after a statement"),
        ("a = 1\nb = ", "pyproject.toml:2:5: invalid TOML: Invalid value"),
        ("[x]\n[x]\n", "pyproject.toml:2:3: invalid TOML: Cannot declare ('x',) twice"),
        (b'name = "caf\xe9"\n', "pyproject.toml:1:12: invalid TOML: not UTF-8"),
        ("a = " + "1" * 5000 + "\n", "pyproject.toml: invalid TOML: an integer has too many digits"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "pyproject.toml: invalid TOML: arrays or tables nested too deeply"),
        # a `tool` or `tenantlint` that is no table
        ("tool = 5\n", "config key `tool` must be a table, got 5 (in pyproject.toml)"),
        ('tool = "x"\n', "config key `tool` must be a table, got 'x' (in pyproject.toml)"),
        ('tool = "tenantlint"\n', "config key `tool` must be a table, got 'tenantlint' (in pyproject.toml)"),
        ("[tool]\ntenantlint = 3\n", "config key `tool.tenantlint` must be a table, got 3 (in pyproject.toml)"),
        # globs pathspec refuses
        (TABLE + 'exclude = ["[z-a]"]\n',
         "config key `exclude` has an invalid glob '[z-a]': bad character range z-a (in pyproject.toml)"),
        (TABLE + 'tenant-paths = ["\\\\"]\n',
         "config key `tenant-paths` has an invalid glob '\\\\': not a gitignore-style pattern (in pyproject.toml)"),
        (TABLE + 'exclude = ["ok/**", "!"]\n',
         "config key `exclude` has an invalid glob '!': not a gitignore-style pattern (in pyproject.toml)"),
        (TABLE + "tenant-paths = []\n",
         "config key `tenant-paths` is empty: no model would be checked (in pyproject.toml)"),
        # a comment that would end early and turn into code
        (TABLE + 'comment = "a\\nb"\n',
         "config key `comment` must be a single line without control characters, got 'a\\nb' (in pyproject.toml)"),
        (TABLE + 'comment = "a\\rb"\n',
         "config key `comment` must be a single line without control characters, got 'a\\rb' (in pyproject.toml)"),
        (TABLE + 'comment = "a\\u001bb"\n',
         "config key `comment` must be a single line without control characters, got 'a\\x1bb' (in pyproject.toml)"),
        (TABLE + 'comment = "a\\u2028b"\n',
         "config key `comment` must be a single line without control characters, got 'a\\u2028b' (in pyproject.toml)"),
        # commit-message: the bare documented placeholders only
        (TABLE + 'commit-message = "{file:>2000000000}"\n',
         f"config key `commit-message` uses '{{file:>2000000000}}'; {ONLY_PLACEHOLDERS} (in pyproject.toml)"),
        (TABLE + 'commit-message = "add {file.__class__}"\n',
         f"config key `commit-message` uses '{{file.__class__}}'; {ONLY_PLACEHOLDERS} (in pyproject.toml)"),
        (TABLE + 'commit-message = "add {file[0]}"\n',
         f"config key `commit-message` uses '{{file[0]}}'; {ONLY_PLACEHOLDERS} (in pyproject.toml)"),
        (TABLE + 'commit-message = "add {models!r}"\n',
         f"config key `commit-message` uses '{{models!r}}'; {ONLY_PLACEHOLDERS} (in pyproject.toml)"),
        (TABLE + 'commit-message = "add {file:{models}}"\n',
         f"config key `commit-message` uses '{{file:{{models}}}}'; {ONLY_PLACEHOLDERS} (in pyproject.toml)"),
        (TABLE + 'commit-message = "add {} to {0}"\n',
         f"config key `commit-message` uses '{{}}'; {ONLY_PLACEHOLDERS} (in pyproject.toml)"),
        (TABLE + 'commit-message = "add {schema} to {file}"\n',
         f"config key `commit-message` uses '{{schema}}'; {ONLY_PLACEHOLDERS} (in pyproject.toml)"),
        (TABLE + 'commit-message = "add } to {file}"\n',
         "config key `commit-message` is not a valid template (Single '}' encountered in format string); "
         f"{ONLY_PLACEHOLDERS} (in pyproject.toml)"),
        # baseline: inside the project root, one line
        (TABLE + 'baseline = "/etc/passwd"\n', f"config key `baseline` {INSIDE}, got '/etc/passwd' (in pyproject.toml)"),
        (TABLE + 'baseline = "../sibling/b.json"\n',
         f"config key `baseline` {INSIDE}, got '../sibling/b.json' (in pyproject.toml)"),
        (TABLE + 'baseline = "ci/../../b.json"\n', f"config key `baseline` {INSIDE}, got 'ci/../../b.json' (in pyproject.toml)"),
        (TABLE + 'baseline = "b\\n.json"\n',
         "config key `baseline` must be a single line without control characters, got 'b\\n.json' (in pyproject.toml)"),
    ],
)
def test_config_error_is_one_line_naming_the_file_and_key(tmp_path, content, stderr):
    root = write_app(tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    for command in ("check", "fix"):
        result = run_tenantlint(command, cwd=root)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", ERROR + stderr + "\n")
    assert (root / "app/models/user/coupon.py").read_text(encoding="utf-8") == COUPON  # fix wrote nothing


def test_globs_the_load_does_not_compile_are_ones_pathspec_accepts():
    """The load skips pathspec for globs of plain characters: every such short glob compiles."""
    import itertools

    import pathspec

    from tenantlint.config import _PLAIN_GLOB

    for size in range(1, 5):
        for chars in itertools.product("a0_./*?-", repeat=size):
            glob = "".join(chars)
            assert _PLAIN_GLOB.fullmatch(glob)
            pathspec.GitIgnoreSpec.from_lines([glob])  # raises for a glob it refuses
    assert [g for g in ("[a]", "a\\", "!", "!a", "a b") if _PLAIN_GLOB.fullmatch(g)] == []


MIGRATION = '''\
import sqlalchemy as sa
from alembic import op


def upgrade():
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id")),
    )
'''


def test_a_broken_pyproject_never_lets_fix_rewrite_an_excluded_migration(tmp_path):
    """The issue's case: `version = 1.0.0` made tenantlint use the defaults, so `exclude` was
    dropped and `fix` qualified the migration's foreign key."""
    pyproject = PYPROJECT.replace('exclude = ["app/models/user/legacy.py"]', 'exclude = ["migrations/**"]')
    root = write_app(tmp_path, {**FILES, "pyproject.toml": pyproject, "migrations/versions/0001_tags.py": MIGRATION})
    (root / "pyproject.toml").write_text(pyproject.replace('version = "0"', "version = 1.0.0"), encoding="utf-8")
    result = run_tenantlint("fix", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", ERROR + "pyproject.toml:3:14: invalid TOML: Expected newline or end of document after a statement\n"
    )
    assert (root / "migrations/versions/0001_tags.py").read_text(encoding="utf-8") == MIGRATION
    assert (root / "app/models/user/product.py").read_text(encoding="utf-8") == PRODUCT
    # the same tree with the file repaired: the migration stays excluded, the models are fixed
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    result = run_tenantlint("fix", "-q", cwd=root, in_process=True)
    assert result.exit_code == 0, result.stderr
    assert (root / "migrations/versions/0001_tags.py").read_text(encoding="utf-8") == MIGRATION
    assert (root / "app/models/user/product.py").read_text(encoding="utf-8") != PRODUCT


def test_a_broken_pyproject_further_up_the_discovery_path_is_an_error(tmp_path):
    """From the first path upward, like ruff: a pyproject.toml without [tool.tenantlint] sends
    the search on, and a broken one on the way stops it."""
    (tmp_path / "pyproject.toml").write_text("[tool.tenantlint\n", encoding="utf-8")
    root = write_app(tmp_path / "project", {**FILES, "pyproject.toml": '[project]\nname = "app"\n'})
    result = run_tenantlint("check", "app/models/user/coupon.py", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", ERROR + "../pyproject.toml:1:17: invalid TOML: Expected ']' at the end of a table declaration\n"
    )
    # the nearest file with a [tool.tenantlint] table ends the search: the broken one above is not read
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    result = run_tenantlint("check", "-q", "app/models/user/coupon.py", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1, "app/models/user/coupon.py:6:7: TNT001 Model `Coupon` has no tenant schema [*]\n", ""
    )


def test_an_unreadable_pyproject_is_an_error(tmp_path):
    root = write_app(tmp_path)
    (root / "pyproject.toml").unlink()
    (root / "pyproject.toml").symlink_to("nowhere.toml")
    result = run_tenantlint("check", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", ERROR + "cannot read config file pyproject.toml: No such file or directory\n"
    )
    (root / "pyproject.toml").unlink()
    os.mkfifo(root / "pyproject.toml")  # opened without blocking, then refused
    result = run_tenantlint("check", cwd=root, timeout=60)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2, "", ERROR + "cannot read config file pyproject.toml: not a regular file\n"
    )


def test_config_option_file_errors_name_it(tmp_path):
    root = write_app(tmp_path)
    (root / "tl.toml").write_text("tool = []\n", encoding="utf-8")
    result = run_tenantlint("check", "--config", "tl.toml", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", ERROR + "config key `tool` must be a table, got [] (in tl.toml)\n")
    (root / "tl.toml").write_text("[tenantlint]\nschema = \n", encoding="utf-8")
    result = run_tenantlint("check", "--config", "tl.toml", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", ERROR + "tl.toml:2:10: invalid TOML: Invalid value\n")


def test_commit_message_is_checked_again_where_it_is_filled_in():
    """A Config built in code skips the load-time check; --commit-per-model refuses it too."""
    config = Config(root=Path("."), commit_message="{file:>2000000000}")
    with pytest.raises(MessageError) as refused:
        commit_message(config.commit_message, "app/models/user/coupon.py", ("Coupon",))
    assert str(refused.value) == f"config key `commit-message` uses '{{file:>2000000000}}'; {ONLY_PLACEHOLDERS}"
    assert commit_message("{{literal}} {file} {path} ({models})", "app/x.py", ("X", "Y")) == "{literal} x.py app/x.py (X, Y)"


# Item 11: the baseline file

@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"version": true, "entries": []}', "unsupported version true (expected 1)"),
        ('{"version": 1.0, "entries": []}', "unsupported version 1.0 (expected 1)"),
        ('{"version": "1", "entries": []}', 'unsupported version "1" (expected 1)'),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON (arrays or objects nested too deeply)"),
        ('{"version": 1, "entries": [{"path": "a.py", "code": "TNT001", "model": "A", "occurrence": '
         + "9" * 5000 + "}]}", "not valid JSON (a number has more than 4300 digits)"),
    ],
)
def test_malformed_baseline_is_exit_two_naming_the_file(tmp_path, content, reason):
    root = write_app(tmp_path)
    (root / "b.json").write_text(content, encoding="utf-8")
    for command in (("check",), ("fix",), ("check", "--update-baseline")):
        result = run_tenantlint(*command, "--baseline", "b.json", cwd=root)
        assert (result.exit_code, result.stdout, result.stderr) == (
            2, "", f"{ERROR}baseline file b.json is malformed: {reason}\n"
        )
    assert (root / "b.json").read_text(encoding="utf-8") == content
    assert (root / "app/models/user/coupon.py").read_text(encoding="utf-8") == COUPON


def _outside(root: Path, name: str) -> str:
    return (f"{ERROR}baseline file {name} is outside the project root {root}: --update-baseline only writes "
            "a baseline inside it (one outside is read, never written)\n")


@pytest.fixture
def shared_baseline(tmp_path) -> tuple[Path, Path, str]:
    """A project, and a baseline of its findings in the folder above it (a shared CI checkout)."""
    root = write_app(tmp_path / "project")
    created = run_tenantlint("check", "--baseline", "b.json", "--update-baseline", cwd=root, in_process=True)
    assert created.exit_code == 0, created.stderr
    outside = tmp_path / "shared.json"
    (root / "b.json").rename(outside)
    return root, outside, outside.read_text(encoding="utf-8")


def test_a_baseline_outside_the_root_is_read(shared_baseline):
    root, _, _ = shared_baseline
    result = run_tenantlint("check", "--baseline", "../shared.json", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "All checks passed!\n4 known problems in baseline ../shared.json not shown.\n", ""
    )


def test_a_baseline_outside_the_root_is_never_written(shared_baseline):
    root, outside, before = shared_baseline
    for command in ("check", "fix"):
        result = run_tenantlint(command, "--baseline", "../shared.json", "--update-baseline", cwd=root)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", _outside(root, "../shared.json"))
    assert outside.read_text(encoding="utf-8") == before
    assert (root / "app/models/user/coupon.py").read_text(encoding="utf-8") == COUPON  # refused before fixing


def test_a_symlink_does_not_carry_a_baseline_write_outside_the_root(shared_baseline):
    """A committed link (the file, or a folder on its path) may be read through, never written through."""
    root, outside, before = shared_baseline
    (root / "b.json").symlink_to(outside)
    (root / "ci").symlink_to(outside.parent, target_is_directory=True)
    for name in ("b.json", "ci/shared.json"):
        (root / "pyproject.toml").write_text(PYPROJECT + f'baseline = "{name}"\n', encoding="utf-8")
        read = run_tenantlint("check", cwd=root, in_process=True)
        assert (read.exit_code, read.stdout) == (0, f"All checks passed!\n4 known problems in baseline {name} not shown.\n")
        result = run_tenantlint("check", "--update-baseline", cwd=root, in_process=True)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", _outside(root, name))
    assert outside.read_text(encoding="utf-8") == before
    assert (root / "b.json").is_symlink()


def test_a_baseline_inside_the_root_is_still_written(shared_baseline):
    root, outside, before = shared_baseline
    (root / "ci").mkdir()
    result = run_tenantlint("check", "--baseline", "ci/b.json", "--update-baseline", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout) == (0, "Baseline ci/b.json: 4 entries (4 added, 0 removed).\n")
    assert json.loads((root / "ci/b.json").read_text(encoding="utf-8")) == json.loads(before)
