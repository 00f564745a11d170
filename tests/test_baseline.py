"""The baseline: phased migration on real copies of the fixture app, run through the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, run_tenantlint

from tenantlint.baseline import BaselineEntry, BaselineError, dumps, loads

CREATED = "Baseline baseline.json: 45 entries (45 added, 0 removed).\n"
ALL_KNOWN = "All checks passed!\n45 known problems in baseline baseline.json not shown.\n"
BATCH = ("backend/models/user/brand.py", "backend/models/user/order_line.py")
BATCH_LINES = (  # the entries fixing BATCH resolves, as they stand in the file
    '    {"path": "backend/models/user/brand.py", "code": "TNT001", "model": "Brand", "occurrence": 0},\n',
    '    {"path": "backend/models/user/order_line.py", "code": "TNT001", "model": "OrderLine", "occurrence": 0},\n',
)
# order_line.py's references to `orders` and `products` stay: their models are not in BATCH, so
# those tables stay outside the schema in that run and the references are not qualified. Brand
# moves and product.py refers to `brands`: the batch is fixed `--with-references`.
# A batch whose tables no other file refers to (committed per model):
FREE_BATCH = ("backend/models/user/batch_job.py", "backend/models/user/customer_message.py")
FREE_BATCH_LINES = (
    '    {"path": "backend/models/user/batch_job.py", "code": "TNT001", "model": "BatchJob", "occurrence": 0},\n',
    '    {"path": "backend/models/user/customer_message.py", "code": "TNT001", "model": "CustomerMessage", "occurrence": 0},\n',
)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "app", root)
    return root


@pytest.fixture
def baselined(app: Path) -> Path:
    result = run_tenantlint("check", "--baseline", "baseline.json", "--update-baseline", cwd=app, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (0, CREATED, "")
    return app


def _expected_entries(app: Path) -> list[dict]:
    """The fixture's findings (from the JSON output) as entries, occurrences in source order."""
    findings = json.loads(run_tenantlint("check", "--output-format", "json", cwd=app, in_process=True).stdout)
    seen: dict[tuple, int] = {}
    entries = []
    for f in findings:
        key = (f["path"], f["code"], f["model"])
        entries.append({"path": f["path"], "code": f["code"], "model": f["model"], "occurrence": seen.get(key, 0)})
        seen[key] = seen.get(key, 0) + 1
    return sorted(entries, key=lambda e: (e["path"], e["code"], e["model"], e["occurrence"]))


def test_created_baseline_records_every_finding_and_passes(baselined):
    text = (baselined / "baseline.json").read_text(encoding="utf-8")
    assert json.loads(text) == {"version": 1, "entries": _expected_entries(baselined)}
    lines = text.splitlines(keepends=True)
    assert lines[:5] == [
        "{\n",
        '  "version": 1,\n',
        '  "entries": [\n',
        '    {"path": "alembic/versions/0002_order_notes.py", "code": "TNT011", "model": "orders", "occurrence": 0},\n',
        '    {"path": "alembic/versions/0002_order_notes.py", "code": "TNT011", "model": "orders", "occurrence": 1},\n',
    ]
    assert [line for line in lines if line.startswith('    {"path": "backend/models/user/tag.py", "code": "TNT005"')] == [
        f'    {{"path": "backend/models/user/tag.py", "code": "TNT005", "model": "{model}", "occurrence": {i}}},\n'
        for model, i in (("product_tags", 0), ("product_tags", 1), ("product_tags", 2), ("products", 0), ("tags", 0))
    ]
    assert lines[-3:] == [
        '    {"path": "backend/services/stats.py", "code": "TNT009", "model": "orders", "occurrence": 0}\n',
        "  ]\n",
        "}\n",
    ]
    result = run_tenantlint("check", "--baseline", "baseline.json", cwd=baselined, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (0, ALL_KNOWN, "")


def test_update_is_idempotent(baselined):
    before = (baselined / "baseline.json").read_bytes()
    result = run_tenantlint("check", "--baseline", "baseline.json", "--update-baseline", cwd=baselined, in_process=True)
    assert (result.exit_code, result.stdout) == (0, "Baseline baseline.json: 45 entries (0 added, 0 removed).\n")
    assert (baselined / "baseline.json").read_bytes() == before


def test_shifted_lines_keep_the_baseline_passing(baselined):
    for name in ("product.py", "tag.py", "order_line.py"):
        path = baselined / "backend/models/user" / name
        path.write_text("# moved\n\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_tenantlint("check", "--baseline", "baseline.json", cwd=baselined, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (0, ALL_KNOWN, "")


def test_a_new_model_fails_and_only_it_is_reported(baselined):
    (baselined / "backend/models/user/invoice.py").write_text(
        "from sqlalchemy import Column, Integer\n"
        "from ..base import Base\n"
        "\n"
        "\n"
        "class Invoice(Base):\n"
        '    __tablename__ = "invoices"\n'
        "    id = Column(Integer, primary_key=True)\n",
        encoding="utf-8",
    )
    result = run_tenantlint("check", "--baseline", "baseline.json", cwd=baselined, in_process=True)
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        "backend/models/user/invoice.py:5:7: TNT001 Model `Invoice` has no tenant schema [*]\n"
        "Found 1 problem (1 fixable with `tenantlint fix`).\n"
        "45 known problems in baseline baseline.json not shown.\n"
    )


def test_one_more_reference_to_a_known_table_is_reported(baselined):
    path = baselined / "backend/models/user/order_line.py"
    source = path.read_text(encoding="utf-8")
    path.write_text(source + '    replaced_by_id = Column(Integer, ForeignKey("products.id"))\n', encoding="utf-8")
    line = source.count("\n") + 1
    result = run_tenantlint("check", "--baseline", "baseline.json", "-q", cwd=baselined, in_process=True)
    assert result.exit_code == 1
    assert result.stdout == (
        f"backend/models/user/order_line.py:{line}:49: TNT005 Reference `products.id` names tenant table "
        "`products` without the `tenant.` schema [*]\n"
    )


TWO_ITEMS = '''
from sqlalchemy import Column, Integer
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
'''


def test_two_models_of_the_same_name_in_one_file_stay_distinct(project):
    root = project({"app/models/user/items.py": TWO_ITEMS})
    assert run_tenantlint("check", "--baseline", "b.json", "--update-baseline", cwd=root, in_process=True).exit_code == 0
    path = root / "app/models/user/items.py"
    second = '\n\nclass Item(Base):\n    __tablename__ = "items_v2"\n    id = Column(Integer, primary_key=True)\n'
    path.write_text(path.read_text(encoding="utf-8") + second, encoding="utf-8")
    result = run_tenantlint("check", "--baseline", "b.json", "-q", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout) == (1, "app/models/user/items.py:14:7: TNT001 Model `Item` has no tenant schema [*]\n")
    assert run_tenantlint("check", "--baseline", "b.json", "--update-baseline", cwd=root, in_process=True).exit_code == 0
    assert json.loads((root / "b.json").read_text(encoding="utf-8"))["entries"] == [
        {"path": "app/models/user/items.py", "code": "TNT001", "model": "Item", "occurrence": 0},
        {"path": "app/models/user/items.py", "code": "TNT001", "model": "Item", "occurrence": 1},
    ]


def test_fix_leaves_the_baseline_alone_and_says_what_went_stale(baselined):
    before = (baselined / "baseline.json").read_bytes()
    result = run_tenantlint("fix", "--baseline", "baseline.json", "--with-references", *BATCH, cwd=baselined, in_process=True)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "Fixed 3 problems in 3 files.\n"
        "2 known problems in baseline baseline.json not shown.\n"
        "2 baseline entries no longer occur; run with --update-baseline to remove them from baseline.json.\n"
    )
    assert (baselined / "baseline.json").read_bytes() == before
    result = run_tenantlint("check", "--baseline", "baseline.json", cwd=baselined, in_process=True)
    assert (result.exit_code, result.stdout) == (0, (
        "All checks passed!\n"
        "42 known problems in baseline baseline.json not shown.\n"
        "3 baseline entries no longer occur; run with --update-baseline to remove them from baseline.json.\n"
    ))


def test_fixing_a_batch_and_updating_shrinks_the_baseline(baselined):
    before = (baselined / "baseline.json").read_text(encoding="utf-8")
    result = run_tenantlint("fix", "--baseline", "baseline.json", "--update-baseline", "--with-references", *BATCH,
                            cwd=baselined, in_process=True)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ("Fixed 3 problems in 3 files.\n2 known problems in baseline baseline.json not shown.\n"
                             "Baseline baseline.json: 43 entries (0 added, 2 removed).\n")
    expected = before
    for line in BATCH_LINES:
        assert line in expected
        expected = expected.replace(line, "")
    assert (baselined / "baseline.json").read_text(encoding="utf-8") == expected
    result = run_tenantlint("check", "--baseline", "baseline.json", cwd=baselined, in_process=True)
    assert (result.exit_code, result.stdout) == (0, (  # product.py, outside the batch, is checked now
        "All checks passed!\n42 known problems in baseline baseline.json not shown.\n"
        "1 baseline entry no longer occurs; run with --update-baseline to remove it from baseline.json.\n"))


def test_fix_never_adds_entries(baselined):
    new = baselined / "backend/models/user/ai_credit_copy.py"
    new.write_text((baselined / "backend/models/user/ai_credit.py").read_text(encoding="utf-8").replace("AiCredit", "AiCredit2").replace('"ai_credits"', '"ai_credits2"'), encoding="utf-8")
    before = (baselined / "baseline.json").read_bytes()
    result = run_tenantlint("fix", "--baseline", "baseline.json", "--update-baseline", "-q", str(new.relative_to(baselined)), cwd=baselined, in_process=True)
    assert result.exit_code == 1  # TNT003 cannot be fixed, and it is not in the baseline
    assert result.stdout.startswith("backend/models/user/ai_credit_copy.py:")
    assert (baselined / "baseline.json").read_bytes() == before


def test_checking_some_files_does_not_call_the_others_stale(baselined):
    """pre-commit passes only the changed files: the rest of the baseline is not stale."""
    result = run_tenantlint("check", "--baseline", "baseline.json", *BATCH, cwd=baselined, in_process=True)
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n4 known problems in baseline baseline.json not shown.\n")
    # and updating from a subset keeps the entries of the files it did not look at
    (baselined / BATCH[0]).write_text("", encoding="utf-8")
    result = run_tenantlint("check", "--baseline", "baseline.json", "--update-baseline", BATCH[0], cwd=baselined, in_process=True)
    assert result.stdout == "Baseline baseline.json: 44 entries (0 added, 1 removed).\n"


def test_config_key_is_relative_to_the_project_root(baselined):
    pyproject = baselined / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + 'baseline = "baseline.json"\n', encoding="utf-8")
    result = run_tenantlint("check", cwd=baselined / "backend", in_process=True)
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n43 known problems in baseline ../baseline.json not shown.\n")
    (baselined / "baseline.json").unlink()
    result = run_tenantlint("check", cwd=baselined / "backend", in_process=True)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "tenantlint: error: baseline file ../baseline.json does not exist; "
        "create it with `tenantlint check --baseline ../baseline.json --update-baseline`\n"
    )


def test_json_output_with_a_baseline(baselined):
    (baselined / BATCH[0]).write_text((baselined / BATCH[0]).read_text(encoding="utf-8").replace("class Brand", "class Marque"), encoding="utf-8")
    result = run_tenantlint("check", "--baseline", "baseline.json", "--output-format", "json", cwd=baselined, in_process=True)
    assert result.exit_code == 1
    assert [(f["path"], f["code"], f["model"]) for f in json.loads(result.stdout)] == [(BATCH[0], "TNT001", "Marque")]
    assert result.stderr == (
        "44 known problems in baseline baseline.json not shown.\n"
        "1 baseline entry no longer occurs; run with --update-baseline to remove it from baseline.json.\n"
    )


def test_update_with_json_output_keeps_stdout_valid(app):
    result = run_tenantlint("check", "--baseline", "baseline.json", "--update-baseline", "--output-format", "json", cwd=app, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "[]\n", CREATED)


def test_missing_baseline_is_an_error(app):
    result = run_tenantlint("check", "--baseline", "nope.json", cwd=app, in_process=True)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "tenantlint: error: baseline file nope.json does not exist; "
        "create it with `tenantlint check --baseline nope.json --update-baseline`\n"
    )
    result = run_tenantlint("fix", "--baseline", "nope.json", "--update-baseline", cwd=app, in_process=True)
    assert (result.exit_code, result.stdout) == (2, "")
    assert "baseline file nope.json does not exist" in result.stderr
    assert not (app / "nope.json").exists()
    assert (app / BATCH[0]).read_bytes() == (FIXTURES / "app" / BATCH[0]).read_bytes()  # fix wrote nothing


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{", "not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
        ("[]", 'expected an object with the keys "version" and "entries"'),
        ('{"version": 2, "entries": []}', "unsupported version 2 (expected 1)"),
        ('{"version": 1, "entries": {}}', '"entries" must be a list'),
        (
            '{"version": 1, "entries": [{"path": "a.py", "code": "TNT001", "model": "A", "line": 3}]}',
            "entry 1 must be an object with path, code (strings), model (string or null) and occurrence "
            '(an integer >= 0), got {"path": "a.py", "code": "TNT001", "model": "A", "line": 3}',
        ),
        (
            '{"version": 1, "entries": [{"path": "a.py", "code": "TNT001", "model": "A", "occurrence": 0},'
            ' {"path": "a.py", "code": "TNT001", "model": "A", "occurrence": 0}]}',
            'entry 2 is a duplicate: {"path": "a.py", "code": "TNT001", "model": "A", "occurrence": 0}',
        ),
    ],
)
def test_malformed_baseline_is_an_error_naming_the_file(app, content, reason):
    (app / "baseline.json").write_text(content, encoding="utf-8")
    for command in (("check",), ("check", "--update-baseline"), ("fix",), ("fix", "--update-baseline")):
        result = run_tenantlint(*command, "--baseline", "baseline.json", cwd=app)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == f"tenantlint: error: baseline file baseline.json is malformed: {reason}\n"
    assert (app / "baseline.json").read_text(encoding="utf-8") == content
    assert (app / BATCH[0]).read_bytes() == (FIXTURES / "app" / BATCH[0]).read_bytes()  # fix wrote nothing


def test_update_baseline_needs_a_file(app):
    result = run_tenantlint("check", "--update-baseline", cwd=app, in_process=True)
    assert result.exit_code == 2
    assert "--update-baseline needs --baseline FILE or the config key `baseline`" in result.stderr


def test_dumps_and_loads_round_trip():
    entries = {BaselineEntry("b.py", "TNT005", "t", 1), BaselineEntry("a.py", "TNT004", None, 0), BaselineEntry("b.py", "TNT005", "t", 0)}
    text = dumps(entries)
    assert text == (
        '{\n  "version": 1,\n  "entries": [\n'
        '    {"path": "a.py", "code": "TNT004", "model": null, "occurrence": 0},\n'
        '    {"path": "b.py", "code": "TNT005", "model": "t", "occurrence": 0},\n'
        '    {"path": "b.py", "code": "TNT005", "model": "t", "occurrence": 1}\n'
        "  ]\n}\n"
    )
    assert loads(text, "x") == entries
    assert dumps([]) == '{\n  "version": 1,\n  "entries": []\n}\n'
    with pytest.raises(BaselineError, match="baseline file x is malformed"):
        loads('{"version": 1, "entries": [{"path": "a.py", "code": "TNT001", "model": "A", "occurrence": true}]}', "x")


def test_pre_commit_hook_with_the_config_key(baselined):
    """The real pre-commit passes only the changed files; the config key needs no arguments."""
    pyproject = baselined / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + 'baseline = "baseline.json"\n', encoding="utf-8")
    (baselined / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        "      - id: tenantlint\n"
        "        name: tenantlint\n"
        f"        entry: {sys.executable} -m tenantlint check\n"
        "        language: system\n"
        "        types: [python]\n"
        "        require_serial: true\n",
        encoding="utf-8",
    )
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "PRE_COMMIT_HOME": str(baselined.parent / "pc")}

    def in_repo(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(argv, cwd=baselined, env=env, capture_output=True, text=True, check=False)

    for argv in (("git", "init", "-q"), ("git", "add", "-A"), ("git", "commit", "-qm", "app before the migration")):
        assert in_repo(*argv).returncode == 0
    brand = baselined / "backend/models/user/brand.py"  # an old, not yet migrated model is edited
    brand.write_text("# touched\n" + brand.read_text(encoding="utf-8"), encoding="utf-8")
    in_repo("git", "add", "-A")
    hook = in_repo(sys.executable, "-m", "pre_commit", "run")
    assert hook.returncode == 0, hook.stdout + hook.stderr
    (baselined / "backend/models/user/invoice.py").write_text(
        "from sqlalchemy import Column, Integer\nfrom ..base import Base\n\n\nclass Invoice(Base):\n"
        '    __tablename__ = "invoices"\n    id = Column(Integer, primary_key=True)\n',
        encoding="utf-8",
    )
    in_repo("git", "add", "-A")
    hook = in_repo(sys.executable, "-m", "pre_commit", "run")
    assert hook.returncode == 1
    assert "backend/models/user/invoice.py:5:7: TNT001 Model `Invoice` has no tenant schema [*]\n" in hook.stdout
    assert "brand.py" not in hook.stdout


def test_scope_follows_the_targets_and_the_selected_rules(tmp_path):
    from tenantlint.baseline import in_scope
    from tenantlint.config import Config

    entry = BaselineEntry("backend/models/user/brand.py", "TNT001", "Brand", 0)
    config = Config(root=tmp_path)
    assert [in_scope(entry, targets, config) for targets in (["."], ["backend"], ["backend/models/user/brand.py"],
                                                             ["backend/models/user/brand"], ["backend/models/us"])] == [
        True, True, True, False, False]
    assert in_scope(entry, ["."], Config(root=tmp_path, select=("TNT005",))) is False
    assert in_scope(entry, ["."], Config(root=tmp_path, ignore=("TNT00",))) is False


@pytest.mark.parametrize("output_format", ["json", "sarif", "github"])
def test_every_machine_format_keeps_the_notes_on_stderr(baselined, output_format):
    (baselined / BATCH[0]).write_text((baselined / BATCH[0]).read_text(encoding="utf-8").replace("class Brand", "class Marque"), encoding="utf-8")
    result = run_tenantlint("check", "--baseline", "baseline.json", "--output-format", output_format, cwd=baselined, in_process=True)
    assert result.exit_code == 1
    assert result.stderr == (
        "44 known problems in baseline baseline.json not shown.\n"
        "1 baseline entry no longer occurs; run with --update-baseline to remove it from baseline.json.\n"
    )
    if output_format == "github":
        assert result.stdout.count("::error ") == 1 and "Marque" in result.stdout
    else:
        document = json.loads(result.stdout)
        findings = document["runs"][0]["results"] if output_format == "sarif" else document
        assert len(findings) == 1 and "Marque" in json.dumps(findings)


def test_commit_per_model_batch_then_shrink(baselined):
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    env = {**os.environ, **identity}
    for argv in (("git", "init", "-q"), ("git", "add", "-A"), ("git", "commit", "-qm", "before")):
        subprocess.run(argv, cwd=baselined, env=env, check=True)
    before = (baselined / "baseline.json").read_text(encoding="utf-8")
    fixed = run_tenantlint("fix", "--baseline", "baseline.json", "--commit-per-model", *FREE_BATCH, cwd=baselined, env=identity, in_process=True)
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    assert (baselined / "baseline.json").read_text(encoding="utf-8") == before
    log = subprocess.run(["git", "log", "--format=%s", "-2"], cwd=baselined, capture_output=True, text=True, check=True)
    assert log.stdout.count("feat(models): add tenant schema to") == 2
    result = run_tenantlint("fix", "--baseline", "baseline.json", "--update-baseline", *FREE_BATCH, cwd=baselined, in_process=True)
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n1 known problem in baseline baseline.json not shown.\n"
                                                     "Baseline baseline.json: 43 entries (0 added, 2 removed).\n")
    assert (baselined / "baseline.json").read_text(encoding="utf-8") == "".join(
        line for line in before.splitlines(keepends=True) if line not in FREE_BATCH_LINES)
