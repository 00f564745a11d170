"""The whole `tenantlint verify` run: import, configure, check, probe (or compare `--tenants`), report."""

from __future__ import annotations

from pathlib import Path

from tenantlint.config import Config
from tenantlint.files import FileSelector
from tenantlint.report import plural
from tenantlint.verify.checks import Placed, check_tables, probe_blockers, run_rules
from tenantlint.verify.collect import collect, import_modules, module_file
from tenantlint.verify.known import screen, with_fixes
from tenantlint.verify.probe import probe
from tenantlint.verify.results import PROBE_TENANTS, Runtime, VerifyError, VerifyResult


def verify(modules: list[str], config: Config, database_url: str | None = None,
           paths: tuple[Path, ...] = (), tenants: tuple[str, ...] = PROBE_TENANTS,
           schema_prefix: str | None = None, tenants_pattern: str | None = None,
           baseline: Path | None = None) -> VerifyResult:
    """Import, configure, check; then the live probe unless foreign keys already cannot resolve.
    `baseline` (else the config key) hides what is known; each finding says what `fix` fixes for it."""
    infos, placed, fallback = _load(modules, config, paths)
    if tenants_pattern is not None:
        return _verify_tenants(infos, placed, config, database_url, tenants_pattern, fallback, baseline)
    facts = None
    blockers = probe_blockers(placed)
    if not blockers:
        facts = probe(infos, config.schema, database_url, tenants, schema_prefix)
        placed += run_rules([_probe_rule()], Runtime(infos, config.schema, probe=facts), fallback)
    placed, notes = screen([p for p in placed if config.selects(p.finding.code)], config, baseline)
    not_probed = "; ".join(blockers) or None
    if not_probed:
        # never filtered by --select/--ignore or the baseline: a verify that did not probe must not pass
        placed += run_rules([_probe_rule()], Runtime(infos, config.schema, skipped=not_probed), fallback)
    placed = sorted(with_fixes(placed, config), key=lambda p: p.finding.sort_key)
    return VerifyResult([p.finding for p in placed], infos, config.schema, facts, not_probed, notes=notes,
                        placed=placed)


def _load(modules: list[str], config: Config, paths: tuple[Path, ...]) -> tuple[list, list[Placed], Path]:
    """The imported tables and what the runtime rules say of them; VerifyError when nothing maps."""
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        raise VerifyError("`tenantlint verify` needs SQLAlchemy: pip install 'tenantlint[verify]'") from None
    from sqlalchemy.orm import configure_mappers

    from tenantlint.rules.tnt103_unresolved_foreign_key import RULE as UNRESOLVED_FK

    selector = FileSelector(config)
    imported = import_modules(modules, list(paths), selector)
    try:
        configure_mappers()
        not_configured = None
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy's message is the diagnosis
        not_configured = f"cannot configure the mappers of {', '.join(modules)}: {type(exc).__name__}: {exc}"
    fallback = module_file(imported[0].__name__) or Path(modules[0])
    infos = collect(imported, selector)
    if not infos:
        raise VerifyError(f"no mapped table or Table found in {', '.join(modules)} and its submodules: "
                          "name the package that defines or imports the models")
    placed = check_tables(infos, config.schema, fallback)
    # a foreign key that does not resolve is a finding with its place (TNT103), not a crash
    if not_configured and not any(p.rule is UNRESOLVED_FK for p in placed):
        raise VerifyError(not_configured)
    return infos, placed, fallback


def _probe_rule():
    from tenantlint.rules.tnt106_tenant_probe_failed import RULE

    return RULE


def _verify_tenants(infos, placed, config, database_url, pattern, fallback, baseline) -> VerifyResult:
    """`--tenants`: the existing tenant schemas instead of the live probe (which would write)."""
    from tenantlint.tenants import compare_tenants

    report = compare_tenants(infos, config.schema, database_url, pattern, fallback, config.selects)
    placed, notes = screen([p for p in placed if config.selects(p.finding.code)], config, baseline)
    checked = sorted((p.finding for p in with_fixes(placed, config)), key=lambda f: f.sort_key)
    return VerifyResult(checked + report.findings, infos, config.schema, tenants=report,
                        not_probed="--tenants reads the existing tenant schemas instead", notes=notes)


def describe(result: VerifyResult) -> str:
    """One line per probe step, for the text output."""
    tenant = sum(1 for i in result.tables if i.tenant_path or i.table.schema == result.placeholder)
    count = plural(len(result.tables), "table")
    lines = [f"Checked {count} ({tenant} per tenant, {len(result.tables) - tenant} shared)."]
    facts = result.facts
    if result.tenants is not None:
        return "\n".join(lines + result.tenants.describe()) + "\n"
    if facts is None:
        lines.append(f"Probe not run: {result.not_probed}.")
        return "\n".join(lines) + "\n"
    where = "SQLite in memory" if facts.is_sqlite else facts.dialect
    if facts.failure is not None and facts.failure.step == "create":
        # never a count of tables for a creation that did not happen
        lines.append(f"Probe on {where}: creating the tables failed ({_probe_rule().code}), nothing was counted.")
    else:
        counts = ", ".join(f"{s}: {len(facts.created.get(s, []))}" for s in facts.schemas.values())
        lines.append(f"Probe on {where}: tables created per tenant schema ({counts}).")
    if facts.probe_table:
        seen = ", ".join(f"{t}: {n}" for t, n in facts.isolation.items())
        lines.append(f"Probe row in `{facts.probe_table}` written as {next(iter(facts.schemas))}; rows seen ({seen}).")
    if not facts.is_sqlite:
        lines.append("Probe schemas dropped." if facts.dropped else "Probe schemas NOT all dropped.")
    return "\n".join(lines) + "\n"
