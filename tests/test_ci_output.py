"""CI output: SARIF 2.1.0 (validated against the OASIS schema shipped beside this file),
GitHub annotations, --statistics, --select/--ignore/--exit-zero."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from conftest import run_tenantlint

from miniapp import COUPON_FIXED, PRODUCT_FIXED, write_app
from tenantlint.rules import RULES
from tenantlint.findings import Finding
from tenantlint.report import github_line

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The app in `svc/` of a git repository, run from `svc/` (so SARIF URIs differ from the
    displayed paths: they are relative to the repository)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    root = write_app(tmp_path / "svc")
    monkeypatch.chdir(root)
    return root


def validate(log: dict) -> None:
    validator = jsonschema.validators.validator_for(SCHEMA)
    assert validator is jsonschema.Draft4Validator  # the schema's own $schema
    validator.check_schema(SCHEMA)
    errors = [e.message for e in validator(SCHEMA).iter_errors(log)]
    assert errors == []


def test_sarif_is_valid_and_complete(project):
    result = run_tenantlint("check", "--output-format", "sarif", in_process=True)
    assert result.exit_code == 1
    log = json.loads(result.output)
    validate(log)
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "tenantlint"
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    tnt001 = driver["rules"][list(RULES).index("TNT001")]
    assert tnt001["name"] == "missing-tenant-schema"
    assert tnt001["shortDescription"]["text"].startswith("Checks that every model with a table of its own")
    assert tnt001["fullDescription"]["text"].startswith(RULES["TNT001"].what)
    assert tnt001["helpUri"] == "https://example.invalid/tenantlint/blob/main/docs/rules.md#tnt001-missing-tenant-schema"
    assert driver["informationUri"] == "https://example.invalid/tenantlint"
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.parent.resolve().as_uri() + "/"

    where = [
        (
            r["ruleId"],
            r["level"],
            r["message"]["text"],
            r["locations"][0]["physicalLocation"]["artifactLocation"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in sarif_run["results"]
    ]

    def loc(name):
        return {"uri": f"svc/app/models/user/{name}", "uriBaseId": "%SRCROOT%"}

    assert where == [
        ("TNT001", "error", "Model `Coupon` has no tenant schema", loc("coupon.py"),
         {"startLine": 6, "startColumn": 7, "endLine": 6, "endColumn": 13}),
        ("TNT001", "error", "Model `Product` has no tenant schema", loc("product.py"),
         {"startLine": 6, "startColumn": 7, "endLine": 6, "endColumn": 14}),
        ("TNT001", "error", "Model `Tag` has no tenant schema", loc("tag.py"),
         {"startLine": 7, "startColumn": 7, "endLine": 7, "endColumn": 10}),
        ("TNT005", "error", "Reference `products.id` names tenant table `products` without the `tenant.` schema",
         loc("tag.py"), {"startLine": 13, "startColumn": 56, "endLine": 13, "endColumn": 69}),
    ]
    assert [r["ruleIndex"] for r in sarif_run["results"]] == [1, 1, 1, 5]


@pytest.mark.parametrize(("index", "name", "fixed"), [(0, "coupon.py", COUPON_FIXED), (1, "product.py", PRODUCT_FIXED)])
def test_sarif_fix_applied_gives_the_fixed_file(project, index, name, fixed):
    log = json.loads(run_tenantlint("check", "--output-format", "sarif", in_process=True).output)
    (fix,) = log["runs"][0]["results"][index]["fixes"]
    assert fix["description"]["text"] == 'Add `__table_args__ = {"schema": "tenant"}`'
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == f"svc/app/models/user/{name}"
    (replacement,) = change["replacements"]
    old = (project / "app/models/user" / name).read_bytes()
    region = replacement["deletedRegion"]
    start, end = region["byteOffset"], region["byteOffset"] + region["byteLength"]
    new = old[:start] + replacement["insertedContent"]["text"].encode() + old[end:]
    assert new.decode() == fixed


def test_sarif_without_findings(project):
    result = run_tenantlint("check", "--output-format", "sarif", "app/models/plan.py", in_process=True)
    assert result.exit_code == 0
    log = json.loads(result.output)
    validate(log)
    assert log["runs"][0]["results"] == []


def test_github_annotations(project):
    result = run_tenantlint("check", "--output-format", "github", in_process=True)
    assert result.exit_code == 1
    assert result.output == (
        "::error title=tenantlint (TNT001),file=app/models/user/coupon.py,line=6,col=7,endLine=6,endColumn=13"
        "::TNT001 Model `Coupon` has no tenant schema\n"
        "::error title=tenantlint (TNT001),file=app/models/user/product.py,line=6,col=7,endLine=6,endColumn=14"
        "::TNT001 Model `Product` has no tenant schema\n"
        "::error title=tenantlint (TNT001),file=app/models/user/tag.py,line=7,col=7,endLine=7,endColumn=10"
        "::TNT001 Model `Tag` has no tenant schema\n"
        "::error title=tenantlint (TNT005),file=app/models/user/tag.py,line=13,col=56,endLine=13,endColumn=69"
        "::TNT005 Reference `products.id` names tenant table `products` without the `tenant.` schema\n"
    )


def test_github_escaping():
    finding = Finding("TNT000", "syntax error: 100% broken\nhere", Path("odd,dir/a:b.py"), 3, 1, 3, 1)
    assert github_line(finding) == (
        "::error title=tenantlint (TNT000),file=odd%2Cdir/a%3Ab.py,line=3,col=1,endLine=3,endColumn=1"
        "::TNT000 syntax error: 100%25 broken%0Ahere"
    )


def test_statistics(project):
    result = run_tenantlint("check", "--statistics", in_process=True)
    assert result.exit_code == 1
    assert result.output == "3  TNT001  [*] missing-tenant-schema\n1  TNT005  [*] unqualified-table-reference\n"


def test_select_ignore_exit_zero(project):
    selected = run_tenantlint("check", "--select", "TNT005", "--output-format", "github", in_process=True)
    assert selected.exit_code == 1
    assert selected.output.startswith("::error title=tenantlint (TNT005),file=app/models/user/tag.py,line=13,")
    assert selected.output.count("\n") == 1
    ignored = run_tenantlint("check", "--ignore", "TNT001,TNT005", in_process=True)
    assert (ignored.exit_code, ignored.output) == (0, "All checks passed!\n")
    zero = run_tenantlint("check", "--exit-zero", "--statistics", in_process=True)
    assert zero.exit_code == 0
    assert zero.output.splitlines()[0] == "3  TNT001  [*] missing-tenant-schema"
