"""The options a ruff user reaches for (issue 13): --show-settings, --show-files, repeatable and
extended --select/--ignore/--exclude, noqa hygiene, no Python files, --statistics as JSON,
`check --fix`, `verify -v`."""

from __future__ import annotations

import json
import tomllib

import pytest

from conftest import run_tenantlint
from tenantlint.config import parse_table

HEADER = '''from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
'''

# Line 9: Invoice (TNT001); line 14: Line; line 18: a string FK to invoices (TNT005).
INVOICE = HEADER + '''

class Invoice(Base):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)


class Line(Base):
    __tablename__ = "lines"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    invoice_id = Column(ForeignKey("invoices.id"))
'''


def lines_of(result) -> list[str]:
    return result.stdout.splitlines()


@pytest.fixture
def app(project):
    return project({"app/models/user/invoice.py": INVOICE, "app/services/report.py": "print('no model here')\n",
                    "app/legacy/old.py": INVOICE.replace("Invoice", "Old"), "tools/gen.py": "x = 1\n"})


def set_config(root, text: str) -> None:
    (root / "pyproject.toml").write_text("[tool.tenantlint]\n" + text, encoding="utf-8")


# --- item 1: configuration you can see -------------------------------------------------------


def test_show_settings_prints_the_resolved_config_and_its_file(app):
    set_config(app, 'exclude = ["app/legacy/**"]\nignore = ["TNT1"]\nschema = "t"\n')
    result = run_tenantlint("check", "--show-settings", "--select", "TNT00", "--ignore", "TNT005",
                            "--extend-exclude", "tools/**", cwd=app / "app", in_process=True)
    statics = ["TNT000", "TNT001", "TNT002", "TNT003", "TNT004", "TNT006", "TNT007", "TNT008", "TNT009"]
    assert (result.exit_code, result.stderr) == (0, "")
    assert lines_of(result)[:2] == ["# Settings: from ../pyproject.toml; project root: ..", "[tool.tenantlint]"]
    table = tomllib.loads(result.stdout)["tool"]["tenantlint"]
    assert table["select"] == statics  # the command line's --select replaced the config's ignore layer
    assert "TNT005" in table["ignore"] and "TNT101" in table["ignore"] and "TNT001" not in table["ignore"]
    assert (table["schema"], table["exclude"]) == ("t", ["app/legacy/**", "tools/**"])
    assert table["tenant-paths"] == ["**/models/user/**"] and table["max-file-size"] == 10_000_000
    assert "# baseline: not set" in lines_of(result)
    # what it prints is a valid [tool.tenantlint] table: read back, it is the same configuration
    again = parse_table(table, app, None)
    assert (again.select, again.exclude, again.schema) == (tuple(statics), ("app/legacy/**", "tools/**"), "t")
    assert not (app / ".tenantlint_cache").exists()


def test_show_settings_without_a_table_says_the_defaults(tmp_path):
    (tmp_path / ".git").mkdir()
    result = run_tenantlint("check", "--show-settings", cwd=tmp_path, in_process=True)
    assert result.exit_code == 0
    assert lines_of(result)[0] == "# Settings: the defaults (no [tool.tenantlint] table found); project root: ."
    assert tomllib.loads(result.stdout)["tool"]["tenantlint"]["select"][:2] == ["TNT000", "TNT001"]


def test_show_files_marks_each_file(app):
    set_config(app, 'exclude = ["app/legacy/**"]\n')
    result = run_tenantlint("check", "--show-files", "app", cwd=app, in_process=True)
    assert (result.exit_code, result.stderr) == (0, "")
    assert lines_of(result) == [
        "excluded  app/legacy/old.py",
        "tenant    app/models/user/invoice.py",
        "checked   app/services/report.py",
        "context   tools/gen.py",
    ]
    # a file given by name that `exclude` matches is shown as such
    named = run_tenantlint("check", "--show-files", "--exclude", "app/services/*", "app/services/report.py", cwd=app, in_process=True)
    assert "excluded  app/services/report.py" in lines_of(named)
    assert "checked   app/services/report.py" not in lines_of(named)
    assert not (app / ".tenantlint_cache").exists()


@pytest.mark.parametrize("targets", [["."], [".", "app"], ["app", "."]])
def test_the_root_walked_leaves_no_context(app, monkeypatch, targets):
    """`check .` at the root: every file is in scope, and the tree is walked once, not a second
    time for the context files (there are none)."""
    from tenantlint.files import FileSelector

    walked = []
    walk = FileSelector._walk
    monkeypatch.setattr(FileSelector, "_walk", lambda self, folder: walked.append(folder) or walk(self, folder))
    set_config(app, 'exclude = ["app/legacy/**"]\n')
    result = run_tenantlint("check", "--show-files", *targets, cwd=app, in_process=True)
    assert (result.exit_code, result.stderr) == (0, "")
    assert lines_of(result) == [
        "excluded  app/legacy/old.py",
        "tenant    app/models/user/invoice.py",
        "checked   app/services/report.py",
        "checked   tools/gen.py",
    ]
    walked.clear()
    run_tenantlint("check", "--no-cache", *targets, cwd=app, in_process=True)
    assert sorted(walked) == sorted(app.resolve() / t for t in targets)


# --- item 2: --select / --ignore / --exclude as ruff has them --------------------------------


def codes(result) -> list[str]:
    return [line.split()[1] for line in lines_of(result)]


@pytest.mark.parametrize(
    ("config", "args", "expected"),
    [
        ("", ["--select", "TNT001", "--select", "TNT005"], ["TNT001", "TNT005"]),  # repeated: both kept
        ("", ["--select", "TNT001,tnt005"], ["TNT001", "TNT005"]),  # a comma list, any case
        ('select = ["TNT001"]\n', ["--extend-select", "TNT005"], ["TNT001", "TNT005"]),
        ('select = ["TNT001"]\n', ["--select", "TNT005"], ["TNT005"]),  # --select replaces the config's
        ('ignore = ["TNT005"]\n', ["--ignore", "TNT001"], ["TNT008"]),  # --ignore adds to the config's
        ('ignore = ["TNT005"]\n', ["--select", "TNT"], ["TNT001", "TNT005", "TNT008"]),  # a new select resets
        ("", ["--extend-ignore", "TNT001", "--ignore", "TNT008"], ["TNT005"]),
        ("", ["--select", "TNT", "--ignore", "TNT00"], []),  # TNT005 ... are all under TNT00
        ("", ["--ignore", "TNT", "--select", "TNT005"], ["TNT005"]),  # the more specific selector wins
        ("", ["--select", "TNT005", "--ignore", "TNT005"], []),  # a tie: ignore wins
    ],
)
def test_rule_selection_layers(project, config, args, expected):
    root = project({"app/models/user/invoice.py": INVOICE,
                    "app/models/shared/plan.py": HEADER + '\n\nclass Plan(Base):\n    __tablename__ = "plans"\n'
                    '    __table_args__ = {"schema": "tenant"}\n    id = Column(Integer, primary_key=True)\n'})
    set_config(root, config)
    result = run_tenantlint("check", "-q", "--no-cache", *args, cwd=root, in_process=True)
    assert (sorted(codes(result)), result.exit_code) == (expected, 1 if expected else 0)


def test_selection_options_name_the_bad_code(project):
    root = project({"app/models/user/invoice.py": INVOICE})
    for option in ("--select", "--extend-select", "--ignore", "--extend-ignore"):
        result = run_tenantlint("check", option, "TNT001,E501", cwd=root, in_process=True)
        assert result.exit_code == 2
        assert result.stderr.splitlines()[-1] == f"Error: {option}: unknown rule code 'E501'"


def test_exclude_and_extend_exclude(app):
    set_config(app, 'exclude = ["app/legacy/**"]\n')
    both = run_tenantlint("check", "-q", "--no-cache", cwd=app, in_process=True)
    assert [line.split(":")[0] for line in lines_of(both)] == ["app/models/user/invoice.py"] * 2
    replaced = run_tenantlint("check", "-q", "--no-cache", "--exclude", "app/models/**", cwd=app, in_process=True)
    assert lines_of(replaced) == [
        "app/legacy/old.py:14:7: TNT008 Model `Line` declares the tenant schema `tenant` outside the tenant paths"
    ]
    extended = run_tenantlint("check", "--no-cache", "--extend-exclude", "app/models/**,app/services/*",
                              "--extend-exclude", "tools/*", cwd=app, in_process=True)
    assert (extended.exit_code, extended.stdout) == (0, "")
    assert extended.stderr == "warning: No Python files found under the given path(s)\n"
    bad = run_tenantlint("check", "--exclude", "[z-a]", cwd=app, in_process=True)
    assert bad.exit_code == 2 and "Error: --exclude: invalid glob '[z-a]'" in bad.stderr


def test_fix_and_verify_take_the_same_selection(app):
    set_config(app, 'exclude = ["app/legacy/**"]\n')
    fixed = run_tenantlint("fix", "--no-cache", "-q", "--select", "TNT006", "--extend-select", "TNT001", cwd=app, in_process=True)
    assert (fixed.exit_code, fixed.stdout) == (0, "")  # TNT005 is not selected: neither fixed nor reported
    # only Invoice got the schema; the string reference to it stays as it was (not qualified either)
    assert (app / "app/models/user/invoice.py").read_text(encoding="utf-8") == INVOICE.replace(
        '__tablename__ = "invoices"\n',
        '__tablename__ = "invoices"\n    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n',
    )


COUPON = HEADER + """

class Coupon(Base):
    __tablename__ = "coupons"
    id = Column(Integer, primary_key=True)
"""


def test_verify_takes_the_same_selection(project):
    root = project({"app/models/user/coupon.py": COUPON})
    module = "app.models.user.coupon"
    both = run_tenantlint("verify", module, "-q", "--select", "TNT102", "--select", "TNT101", cwd=root)
    assert (both.exit_code, codes(both)) == (1, ["TNT101"])
    probe = run_tenantlint("verify", module, "-q", "--select", "TNT1", "--extend-ignore", "TNT101", cwd=root)
    assert (probe.exit_code, codes(probe)) == (1, ["TNT106"])  # the probe sees the missing schema too
    none = run_tenantlint("verify", module, "-q", "--select", "TNT1", "--ignore", "TNT101,TNT106", cwd=root)
    assert (none.exit_code, none.stdout) == (0, "")


# --- item 3: noqa hygiene ----------------------------------------------------------------------

NOQA = INVOICE.replace("class Invoice(Base):", "class Invoice(Base):  # noqa: TNT001, TNT999, E501").replace(
    'invoice_id = Column(ForeignKey("invoices.id"))', 'invoice_id = Column(ForeignKey("invoices.id"))  # noqa: TNT005'
).replace('__tablename__ = "lines"', '__tablename__ = "lines"  # tenantlint: ignore[TNT006]')


def test_unknown_code_in_a_noqa_comment_is_a_warning(project):
    root = project({"app/models/user/invoice.py": NOQA})
    result = run_tenantlint("check", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout) == (0, "All checks passed!\n")
    assert result.stderr == (
        "tenantlint: warning: app/models/user/invoice.py:9:23: unknown rule code `TNT999` in a noqa comment\n"
    )
    again = run_tenantlint("check", cwd=root, in_process=True)  # not replayed silently from the run cache
    assert again.stderr == result.stderr


def test_show_unused_noqa(project):
    source = NOQA.replace('class Line(Base):', 'class Line(Base):  # noqa: TNT001')
    root = project({"app/models/user/invoice.py": source})
    result = run_tenantlint("check", "--show-unused-noqa", cwd=root, in_process=True)
    assert result.exit_code == 1
    assert lines_of(result) == [
        # TNT999 is unknown (warned), E501 is another linter's: neither is judged
        "app/models/user/invoice.py:14:20: Unused `noqa` directive (unused: `TNT001`)",
        "app/models/user/invoice.py:15:30: Unused `noqa` directive (unused: `TNT006`)",
        "Found 2 unused `noqa` directives.",
    ]
    # a code this run does not report is not judged
    narrow = run_tenantlint("check", "--show-unused-noqa", "--select", "TNT005", cwd=root, in_process=True)
    assert (narrow.exit_code, narrow.stdout) == (0, "All checks passed!\n")
    machine = run_tenantlint("check", "--show-unused-noqa", "--output-format", "json", "--exit-zero", cwd=root, in_process=True)
    assert (machine.exit_code, json.loads(machine.stdout)) == (0, [])
    assert machine.stderr.splitlines()[-1] == "Found 2 unused `noqa` directives."


# --- item 4: no Python files -------------------------------------------------------------------


@pytest.mark.parametrize("layout", [{}, {"docs/readme.md": "hello\n"}])
def test_no_python_files_warns_and_creates_nothing(tmp_path, layout):
    (tmp_path / ".git").mkdir()
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "empty").mkdir()
    for args in ([], ["empty"], ["--output-format", "github"]):
        result = run_tenantlint("check", *args, cwd=tmp_path, in_process=True)
        assert (result.exit_code, result.stdout) == (0, "")
        assert result.stderr == "warning: No Python files found under the given path(s)\n"
    as_json = run_tenantlint("check", "--output-format", "json", "empty", cwd=tmp_path, in_process=True)
    assert (as_json.exit_code, as_json.stdout) == (0, "[]\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({".git", "empty", *(n.split("/")[0] for n in layout)})


# --- item 6: --statistics as JSON --------------------------------------------------------------


def test_statistics_json(project):
    root = project({"app/models/user/invoice.py": INVOICE + '\n\nclass Odd(Base):\n    __tablename__ = "odd"\n'
                    '    __table_args__ = make_args()\n    id = Column(Integer, primary_key=True)\n'})
    result = run_tenantlint("check", "--statistics", "--output-format", "json", cwd=root, in_process=True)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"code": "TNT001", "name": "missing-tenant-schema", "count": 1, "fixable": 1},
        {"code": "TNT003", "name": "unverifiable-table-args", "count": 1, "fixable": 0},
        {"code": "TNT005", "name": "unqualified-table-reference", "count": 1, "fixable": 1},
    ]
    text = run_tenantlint("check", "--statistics", cwd=root, in_process=True)
    assert lines_of(text) == ["1  TNT001  [*] missing-tenant-schema", "1  TNT003      unverifiable-table-args",
                              "1  TNT005  [*] unqualified-table-reference"]
    clean = run_tenantlint("check", "--statistics", "--output-format", "json", "--select", "TNT006", cwd=root, in_process=True)
    assert (clean.exit_code, clean.stdout) == (0, "[]\n")


def test_statistics_marks_a_partly_fixable_rule(project):
    from tenantlint.findings import Finding
    from tenantlint.report import format_statistics

    root = project({"app/models/user/invoice.py": INVOICE})
    found = json.loads(run_tenantlint("check", "--output-format", "json", cwd=root, in_process=True).stdout)
    fixable = next(f for f in found if f["code"] == "TNT001")
    made = [Finding("TNT001", fixable["message"], root, 1, 1, 1, 2, None, None) for _ in range(2)]
    assert format_statistics(made) == "2  TNT001      missing-tenant-schema\n"
    real = run_tenantlint("check", "--statistics", "--select", "TNT001", cwd=root, in_process=True)
    assert real.stdout == "1  TNT001  [*] missing-tenant-schema\n"


# --- item 7: ruff's spellings ------------------------------------------------------------------


def test_check_fix_is_fix(project):
    root = project({"app/models/user/invoice.py": INVOICE})
    by_fix = run_tenantlint("fix", "--no-cache", cwd=root, in_process=True)
    fixed = (root / "app/models/user/invoice.py").read_text(encoding="utf-8")
    (root / "app/models/user/invoice.py").write_text(INVOICE, encoding="utf-8")
    by_check = run_tenantlint("check", "--fix", "--no-cache", cwd=root, in_process=True)
    assert (by_check.exit_code, by_check.stdout, by_check.stderr) == (by_fix.exit_code, by_fix.stdout, by_fix.stderr)
    assert by_check.exit_code == 0 and (root / "app/models/user/invoice.py").read_text(encoding="utf-8") == fixed
    assert 'ForeignKey("tenant.invoices.id")' in fixed
    # the extended options go through too
    (root / "app/models/user/invoice.py").write_text(INVOICE, encoding="utf-8")
    narrow = run_tenantlint("check", "--fix", "--no-cache", "--select", "TNT006", "--extend-select", "TNT001", cwd=root, in_process=True)
    assert narrow.exit_code == 0
    assert 'ForeignKey("invoices.id")' in (root / "app/models/user/invoice.py").read_text(encoding="utf-8")
    refused = run_tenantlint("check", "--fix", "--statistics", cwd=root, in_process=True)
    assert refused.exit_code == 2 and "--fix cannot be combined with --statistics" in refused.stderr


def test_verify_takes_verbose(project):
    root = project({"app/__init__.py": "", "app/models/__init__.py": "", "app/models/user/__init__.py": "",
                    "app/models/user/invoice.py": INVOICE.replace(
                        '__tablename__ = "invoices"', '__tablename__ = "invoices"\n    __table_args__ = {"schema": "tenant"}'
                    ).replace('"invoices.id"', '"tenant.invoices.id"')})
    for flag in ("-v", "--verbose"):
        result = run_tenantlint("verify", "app", flag, "-q", cwd=root)
        assert (result.exit_code, result.stdout) == (0, "")


def test_fix_takes_the_command_line_excludes(project):
    root = project({"app/models/user/invoice.py": INVOICE, "app/models/user/old.py": INVOICE})
    result = run_tenantlint("fix", "--no-cache", "-q", "--extend-exclude", "app/models/user/old.py", cwd=root, in_process=True)
    assert (result.exit_code, result.stdout) == (0, "")
    assert (root / "app/models/user/old.py").read_text(encoding="utf-8") == INVOICE  # never read, never written
    assert (root / "app/models/user/invoice.py").read_text(encoding="utf-8") == INVOICE.replace(
        '__tablename__ = "invoices"\n',
        '__tablename__ = "invoices"\n    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n',
    ).replace('"invoices.id"', '"tenant.invoices.id"')
    again = run_tenantlint("check", "--no-cache", "-q", "--exclude", "app/models/user/invoice.py", cwd=root, in_process=True)
    assert [line.split(":")[0] for line in lines_of(again)] == ["app/models/user/old.py"] * 2
