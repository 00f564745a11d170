"""The command line as users run it: exit codes, formats, config errors, rule docs."""

from __future__ import annotations

import json

from conftest import run_tenantlint

MODEL = '''
from sqlalchemy import Column, Integer
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Invoice(Base):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
'''


def test_clean_project_exits_zero(project):
    root = project({"app/models/user/ok.py": MODEL.replace('"invoices"\n', '"invoices"\n    __table_args__ = {"schema": "tenant"}\n')})
    result = run_tenantlint("check", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "All checks passed!\n", "")


def test_text_output_and_exit_one(project):
    root = project({"app/models/user/invoice.py": MODEL})
    result = run_tenantlint("check", "app", cwd=root, in_process=True)
    assert result.exit_code == 1
    assert result.stdout == (
        "app/models/user/invoice.py:9:7: TNT001 Model `Invoice` has no tenant schema [*]\n"
        "Found 1 problem (1 fixable with `tenantlint fix`).\n"
    )


def test_json_output(project):
    root = project({"app/models/user/invoice.py": MODEL})
    result = run_tenantlint("check", "--output-format", "json", "--no-cache", cwd=root / "app", in_process=True)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "code": "TNT001",
            "message": "Model `Invoice` has no tenant schema",
            "path": "models/user/invoice.py",
            "line": 9,
            "column": 7,
            "end_line": 9,
            "end_column": 14,
            "model": "Invoice",
            "fixable": True,
            "fix": {"title": 'Add `__table_args__ = {"schema": "tenant"}`', "applicability": "safe"},
        }
    ]


def test_exit_zero_select_and_ignore(project):
    root = project({"app/models/user/invoice.py": MODEL})
    assert run_tenantlint("check", "--exit-zero", cwd=root, in_process=True).exit_code == 0
    ignored = run_tenantlint("check", "--ignore", "TNT001", cwd=root, in_process=True)
    assert (ignored.exit_code, ignored.stdout) == (0, "All checks passed!\n")
    selected = run_tenantlint("check", "--select", "TNT005,TNT006", cwd=root, in_process=True)
    assert (selected.exit_code, selected.stdout) == (0, "All checks passed!\n")
    bad = run_tenantlint("check", "--select", "E501", cwd=root, in_process=True)
    assert bad.exit_code == 2 and "unknown rule code 'E501'" in bad.stderr


def test_config_tenant_paths_and_exclude(project):
    root = project(
        {
            "pyproject.toml": '[tool.tenantlint]\ntenant-paths = ["src/tenant/**"]\nexclude = ["src/tenant/legacy.py"]\n',
            "src/tenant/invoice.py": MODEL,
            "src/tenant/legacy.py": MODEL.replace("Invoice", "Legacy"),
            "app/models/user/other.py": MODEL.replace("Invoice", "Other"),
        }
    )
    result = run_tenantlint("check", "-q", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout) == (1, "src/tenant/invoice.py:9:7: TNT001 Model `Invoice` has no tenant schema [*]\n")
    # an excluded file passed by name (as pre-commit does) is still excluded: nothing is left to check
    named = run_tenantlint("check", "src/tenant/legacy.py", cwd=root, in_process=True)
    assert (named.exit_code, named.stdout, named.stderr) == (0, "", "warning: No Python files found under the given path(s)\n")


def test_bad_config_names_the_key(project):
    root = project({"pyproject.toml": "[tool.tenantlint]\ntenant-path = ['x']\n", "a.py": ""})
    result = run_tenantlint("check", cwd=root, in_process=True)
    assert result.exit_code == 2
    assert "unknown config key `tenant-path`" in result.stderr
    root2 = project({"pyproject.toml": "[tool.tenantlint]\nschema = 3\n"})
    result = run_tenantlint("check", cwd=root2, in_process=True)
    assert result.exit_code == 2
    assert "config key `schema` must be a non-empty string, got 3" in result.stderr


def test_explicit_config_file(project, tmp_path):
    root = project({"lib/tenant_models.py": MODEL, "tl.toml": '[tool.tenantlint]\ntenant-paths = ["lib/**"]\nschema = "acct"\n'})
    result = run_tenantlint("check", "--config", "tl.toml", "lib", cwd=root, in_process=True)
    assert result.exit_code == 1
    assert "lib/tenant_models.py:9:7: TNT001 Model `Invoice` has no tenant schema [*]" in result.stdout
    fixed = run_tenantlint("fix", "--config", "tl.toml", "lib", cwd=root, in_process=True)
    assert fixed.exit_code == 0
    assert '    __table_args__ = {"schema": "acct"}  # Placeholder for schema_translate_map\n' in (
        root / "lib/tenant_models.py"
    ).read_text()


def test_parse_error_is_tnt000_exit_two_and_other_files_still_checked(project):
    root = project({"app/models/user/broken.py": "class A(Base)\n    pass\n", "app/models/user/invoice.py": MODEL})
    result = run_tenantlint("check", cwd=root, in_process=True)
    assert result.exit_code == 2
    assert result.stdout.splitlines()[:2] == [
        "app/models/user/broken.py:1:14: TNT000 syntax error: expected ':'",
        "app/models/user/invoice.py:9:7: TNT001 Model `Invoice` has no tenant schema [*]",
    ]
    fixed = run_tenantlint("fix", cwd=root, in_process=True)
    assert fixed.exit_code == 2
    assert (root / "app/models/user/broken.py").read_text() == "class A(Base)\n    pass\n"
    assert '__table_args__ = {"schema": "tenant"}' in (root / "app/models/user/invoice.py").read_text()


def test_rules_catalogue_and_one_rule():
    listing = run_tenantlint("rules", cwd=".", in_process=True)
    assert listing.exit_code == 0
    assert listing.stdout.splitlines()[1].startswith("TNT001  missing-tenant-schema")
    one = run_tenantlint("rules", "tnt001", cwd=".", in_process=True)
    assert one.exit_code == 0
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert heading in one.stdout
    unknown = run_tenantlint("rules", "TNT999", cwd=".", in_process=True)
    assert unknown.exit_code == 2


def test_missing_path_is_a_usage_error(project):
    root = project({})
    result = run_tenantlint("check", "nope", cwd=root, in_process=True)
    assert result.exit_code == 2
    assert "path does not exist: nope" in result.stderr


def test_check_in_process_leaves_the_cyclic_collector_as_it_found_it(project):
    """`check` pauses the collector for its whole run and freezes what it made; a caller (a test,
    a tool that runs it in-process) gets the collector back enabled."""
    import gc

    root = project({"app/models/user/invoice.py": MODEL})
    gc.collect()
    assert gc.isenabled()
    result = run_tenantlint("check", cwd=root, in_process=True)
    assert result.exit_code == 1
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    run_tenantlint("check", cwd=root, in_process=True)  # the earlier run's objects are let go first
    assert gc.isenabled() and gc.get_freeze_count() < 2 * frozen
    gc.unfreeze()
