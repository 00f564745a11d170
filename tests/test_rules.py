"""Every rule module's VALID and INVALID examples are its tests, generated from the registry
(like Fixit's `add_lint_rule_tests_to_module`): static rules through `check` and `fix`, runtime
rules through `tenantlint verify` on SQLite, the tenant-schema rules (an example with an existing
tenant) through `tenantlint verify --tenants` on PostgreSQL."""

from __future__ import annotations

import importlib
import os
import re
import json
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.orm import DeclarativeBase

from conftest import DATABASE_URL, needs_postgres, run_tenantlint

from tenantlint.config import Config
from tenantlint.engine import analyze
from tenantlint.fix_plan import FixStatus, plan
from tenantlint.rules import RULES, TENANT_PLACEHOLDERS, FixAvailability, Invalid, Valid, code_of, module_names

STATIC = [r for r in RULES.values() if not r.runtime]
RUNTIME = [r for r in RULES.values() if r.runtime]


def _has_tenant(example: Valid | Invalid) -> bool:
    return example.tenant_ddl is not None or example.tenant_models is not None


def _cases(rules, kind, tenant=False):
    return [pytest.param(rule.code, example, id=f"{rule.code}-{kind}-{i}")
            for rule in rules for i, example in enumerate(getattr(rule, kind)) if _has_tenant(example) == tenant]


def _analyze(tmp_path: Path, example: Valid | Invalid):
    path = tmp_path / example.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.source, encoding="utf-8")
    for other, source in example.context_files:  # the rest of the project (models a migration names)
        (tmp_path / other).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / other).write_text(source, encoding="utf-8")
    return path, analyze([tmp_path], Config(root=tmp_path))


@pytest.mark.parametrize(("code", "example"), _cases(STATIC, "valid"))
def test_valid_example_has_no_finding_of_its_rule(tmp_path, code, example):
    _, analysis = _analyze(tmp_path, example)
    assert [(f.code, f.message) for f in analysis.errors + analysis.findings if f.code == code] == []


@pytest.mark.parametrize(("code", "example"), _cases(STATIC, "invalid"))
def test_invalid_example_is_reported_and_fixed_as_documented(tmp_path, code, example):
    path, analysis = _analyze(tmp_path, example)
    ours = [f for f in analysis.errors + analysis.findings if f.code == code]
    assert ours != []
    if example.fixed is None:
        assert not any(f.fixable(unsafe_fixes=True) for f in ours)
        assert [f.status for f in plan(analysis, unsafe_fixes=example.unsafe) if f.status is FixStatus.CHANGED] == []
        return
    assert all(f.fixable(unsafe_fixes=True) for f in ours)
    assert all(f.fixable(unsafe_fixes=False) != example.unsafe for f in ours)
    fixes = plan(analysis, unsafe_fixes=example.unsafe)
    assert [f.status for f in fixes] == [FixStatus.CHANGED]
    assert fixes[0].new.decode() == example.fixed
    # the fixed source is what SQLAlchemy accepts: every table lands in the tenant schema
    path.write_bytes(fixes[0].new)
    schemas = _schemas(example.fixed)
    assert schemas and set(schemas.values()) == {"tenant"}
    # and a second run finds nothing left to fix
    again = analyze([tmp_path], Config(root=tmp_path))
    assert [f for f in again.findings if f.fixable(unsafe_fixes=True)] == []


def _schemas(source: str) -> dict[str, str | None]:
    namespace: dict = {}
    exec(compile(source, "example.py", "exec"), namespace)
    metadata = [v.metadata for v in namespace.values()
                if isinstance(v, type) and issubclass(v, DeclarativeBase) and v is not DeclarativeBase]
    sqlmodel = namespace.get("SQLModel")
    if sqlmodel is not None:
        metadata.append(sqlmodel.metadata)
    try:
        sqlalchemy.orm.configure_mappers()
        return {t.name: t.schema for m in metadata for t in m.tables.values()}
    finally:
        if sqlmodel is not None:  # SQLModel's metadata is global: leave it as the next example expects
            sqlmodel.metadata.clear()


def _verify(tmp_path: Path, example: Valid | Invalid) -> list[tuple[str, str]]:
    """What `tenantlint verify` reports for the example, imported as a module of a temp project: (code, message)s."""
    from tenantlint.verify import verify

    path = tmp_path / example.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.source, encoding="utf-8")
    module = ".".join(Path(example.path).with_suffix("").parts)
    top = module.split(".")[0]
    stale = [name for name in sys.modules if name == top or name.startswith(top + ".")]
    for name in stale:  # every example is a module of the same name
        del sys.modules[name]
    importlib.invalidate_caches()
    try:
        result = verify([module], Config(root=tmp_path), None, (tmp_path,))
    finally:
        sys.path.remove(str(tmp_path.resolve()))
        for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
            del sys.modules[name]
    return [(f.code, f.message) for f in result.findings]


@pytest.mark.parametrize(("code", "example"), _cases(RUNTIME, "valid"))
def test_runtime_valid_example_is_not_reported_by_verify(tmp_path, code, example):
    assert [message for c, message in _verify(tmp_path, example) if c == code] == []


@pytest.mark.parametrize(("code", "example"), _cases(RUNTIME, "invalid"))
def test_runtime_invalid_example_is_reported_by_verify_as_documented(tmp_path, code, example):
    assert example.messages != ()  # reported with an exact message, as the rule's check words it
    assert [message for c, message in _verify(tmp_path, example) if c == code] == list(example.messages)


def test_runtime_rules_check_in_their_own_module():
    """TNT101-TNT107 run through `Rule.runtime_check` (TNT108-TNT113: tenantlint.tenants)."""
    checked = [r.code for r in RUNTIME if r.runtime_check is not None]
    assert checked == [r.code for r in RUNTIME if not any(_has_tenant(e) for e in r.valid + r.invalid)]
    assert [r.code for r in RUNTIME if r.runtime_check is not None and r.runtime_check.__module__
            != f"tenantlint.rules.tnt{r.code[3:]}_{r.name.replace('-', '_')}"] == []


@contextmanager
def _existing_tenant(example: Valid | Invalid):
    """Throw-away schemas `tl<random>_user_1` (the tenant) and `tl<random>_shared` holding the
    example's tenant; the names by placeholder. Every schema of the prefix is dropped at the end."""
    prefix = f"tl{uuid.uuid4().hex[:8]}_"
    names = {key: prefix + ("shared" if key == "shared" else f"user_{key.partition('_')[2] or 1}")
             for key in TENANT_PLACEHOLDERS}
    engine = sqlalchemy.create_engine(DATABASE_URL)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {names['shared']}")
            conn.exec_driver_sql(f"CREATE SCHEMA {names['tenant']}")
        if example.tenant_models is not None:
            translated = engine.execution_options(schema_translate_map={"tenant": names["tenant"]})
            with translated.begin() as conn:
                conn.exec_driver_sql(f"SET LOCAL search_path TO {names['tenant']}")
                for metadata in _metadata(example.tenant_models):
                    metadata.create_all(conn)
        if example.tenant_ddl is not None:
            with engine.begin() as conn:
                conn.exec_driver_sql(example.tenant_ddl.format(**names))
        yield prefix, names
    finally:
        with engine.begin() as conn:
            for (schema,) in conn.exec_driver_sql("SELECT nspname FROM pg_namespace").all():
                if schema.startswith(prefix):
                    conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def _metadata(source: str) -> list[sqlalchemy.MetaData]:
    namespace: dict = {}
    exec(compile(source, "tenant_models.py", "exec"), namespace)
    found = {id(v.metadata): v.metadata for v in namespace.values()
             if isinstance(v, type) and issubclass(v, DeclarativeBase) and v is not DeclarativeBase}
    found.update({id(v): v for v in namespace.values() if isinstance(v, sqlalchemy.MetaData)})
    return list(found.values())


def _verify_tenants(tmp_path: Path, example: Valid | Invalid) -> tuple[int, list[tuple[str, str]], dict[str, str]]:
    """`tenantlint verify MODULE --tenants` on the example's models and tenant: exit code, (code, message)s."""
    (tmp_path / "pyproject.toml").write_text("[tool.tenantlint]\n", encoding="utf-8")
    path = tmp_path / example.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.source, encoding="utf-8")
    module = ".".join(Path(example.path).with_suffix("").parts)
    with _existing_tenant(example) as (prefix, names):
        # the shared schema is the default one, as `public` is for an application
        url = sqlalchemy.engine.make_url(DATABASE_URL).update_query_dict(
            {"options": f"-csearch_path={names['shared']}"}).render_as_string(hide_password=False)
        result = run_tenantlint("verify", module, "--database-url", url, "--tenants", f"{prefix}user_*",
                                "--output-format", "json", cwd=tmp_path)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, [(f["code"], f["message"]) for f in json.loads(result.stdout)], names


@pytest.mark.slow  # a PostgreSQL tenant per example: about 40 s for all of them
@needs_postgres
@pytest.mark.parametrize(("code", "example"), _cases(RUNTIME, "valid", tenant=True))
def test_tenant_valid_example_is_not_reported_by_verify_tenants(tmp_path, code, example):
    _, found, _ = _verify_tenants(tmp_path, example)
    assert [message for c, message in found if c == code] == []


@pytest.mark.slow  # a PostgreSQL tenant per example: about 40 s for all of them
@needs_postgres
@pytest.mark.parametrize(("code", "example"), _cases(RUNTIME, "invalid", tenant=True))
def test_tenant_invalid_example_is_reported_by_verify_tenants_as_documented(tmp_path, code, example):
    assert example.messages != ()  # an existing tenant's drift is reported with an exact message
    returncode, found, names = _verify_tenants(tmp_path, example)
    assert returncode == 1
    assert [message for c, message in found if c == code] == [m.format(**names) for m in example.messages]


def test_every_rule_has_three_valid_and_three_invalid_examples():
    assert [(r.code, len(r.valid), len(r.invalid)) for r in RULES.values() if len(r.valid) < 3 or len(r.invalid) < 3] == []
    for rule in RULES.values():  # real examples on the rule object, none repeated to make up the count
        assert all(type(e) is Valid and e.source.strip() for e in rule.valid), rule.code
        assert all(type(e) is Invalid and e.source.strip() for e in rule.invalid), rule.code
        examples = [*rule.valid, *rule.invalid]
        assert len(set(examples)) == len(examples), f"{rule.code} repeats an example"
    # and each of them is one of the generated tests above: none falls through their filters
    tested = [(p.values[0], id(p.values[1])) for kind in ("valid", "invalid")
              for p in _cases(STATIC, kind) + _cases(RUNTIME, kind) + _cases(RUNTIME, kind, tenant=True)]
    assert sorted(tested) == sorted((r.code, id(e)) for r in RULES.values() for e in (*r.valid, *r.invalid))


def test_rules_are_discovered_from_their_modules_in_code_order():
    assert [code_of(name) for name in module_names()] == list(RULES)
    assert [f"tnt{r.code[3:]}_{r.name.replace('-', '_')}" for r in RULES.values()] == module_names()
    assert list(RULES) == sorted(RULES)


def test_a_runtime_rule_is_caused_by_static_rules_only():
    named = {code for r in RUNTIME for code in r.caused_by}
    assert named == {"TNT001", "TNT005", "TNT006", "TNT007", "TNT008", "TNT012"}
    assert [c for c in sorted(named) if c not in RULES or RULES[c].runtime] == []


def test_static_rules_have_a_check_and_runtime_rules_do_not():
    assert [r.code for r in RULES.values() if (r.check is None) != (r.runtime or r.code == "TNT000")] == []


def test_a_rule_without_a_fix_never_offers_one(tmp_path):
    for rule in STATIC:
        if rule.fix_availability is not FixAvailability.NONE:
            continue
        for example in rule.invalid:
            _, analysis = _analyze(tmp_path / f"{rule.code}-{rule.invalid.index(example)}", example)
            assert [f for f in analysis.errors + analysis.findings if f.code == rule.code and f.edit] == []


def test_no_rule_code_is_a_bare_string_outside_its_module():
    package = Path(__file__).resolve().parent.parent / "tenantlint"
    # either quote, so `'TNT108'` in tenants.py or tenant_catalog.py counts as much as `"TNT108"`
    offending = [str(p.relative_to(package)) for p in sorted(package.rglob("*.py"))
                 if re.search(r"[\"']TNT\d", p.read_text(encoding="utf-8")) and not p.parent.name == "rules"]
    assert offending == []
    assert {"tenants.py", "tenant_catalog.py", "verify/checks.py", "verify/run.py"} <= {
        p.relative_to(package).as_posix() for p in package.rglob("*.py")}


def test_a_replayed_run_imports_no_rule_module_and_no_fact_collector(tmp_path):
    (tmp_path / "models" / "user").mkdir(parents=True)
    model = tmp_path / "models" / "user" / "product.py"
    model.write_text(RULES["TNT001"].invalid[0].source, encoding="utf-8")
    os.utime(model, (1_700_000_000, 1_700_000_000))  # not "racy": a file changed just now is never replayed
    code = ("import sys\nfrom tenantlint.cli import main\ntry:\n    main(['check', '.'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('tenantlint.rules.', 'tenantlint.context',\n"
            "'tenantlint.facts.')) and m != 'tenantlint.facts.vocabulary'))")
    first, replayed = [subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
                       .stdout.splitlines() for _ in range(2)]
    assert first[:-1] == replayed[:-1] and "TNT001" in first[0]
    assert "'tenantlint.context'" in first[-1] and "'tenantlint.rules.tnt001_missing_tenant_schema'" in first[-1]
    assert "'tenantlint.facts.module_facts'" in first[-1] and "'tenantlint.facts.types'" in first[-1]
    assert replayed[-1] == "[]"  # served by the run cache: no rule module, no collector, no fact type is imported
