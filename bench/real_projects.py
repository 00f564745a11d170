"""Check tenantlint against real projects the way users judge it: by what SQLAlchemy builds.

    python3 bench/real_projects.py                       # every project, default venv
    python3 bench/real_projects.py --only optuna,celery  # some of them
    python3 bench/real_projects.py --json report.json --unsafe-fixes

For each project of PROJECTS (installed, pinned, into ONE venv beside tenantlint from this repo;
the first run installs, later runs reuse the venv and work offline) the installed package is
copied into a temporary folder with a pyproject.toml whose `tenant-paths` are the project's
model modules. Then, each step in a subprocess of that venv:

1. runtime truth: import the model modules of the copy, configure the mappers and collect every
   Table of every MetaData (and every registry's mappers); a table belongs to the module of its
   mapped class, or else to the innermost tenant module on the stack that created it;
2. `tenantlint check --output-format json --no-cache` on the copy, compared with (1): a miss is
   a runtime tenant table without the placeholder schema that no table-level finding names; a
   false positive is a table-level finding that names no runtime table;
3. `tenantlint fix --no-cache` (and, with --unsafe-fixes, the same on a second copy with
   `--unsafe-fixes`), then import the fixed copy in a fresh subprocess: `configure_mappers()`,
   resolve every `ForeignKey.column`, and see every tenant table in the placeholder schema;
4. `tenantlint check` on the fixed copy: its exit code.

Verdict: "works" (mappers configure, every foreign key that resolved before the fix still
resolves, every tenant table is in the schema), "broken, check says so" (check exits 1 on the
fixed copy), or "CLEAN BUT BROKEN" (check exits 0 although the fixed copy is broken: promise 1 of
the spec). Exit 1 when a project is CLEAN BUT BROKEN or check missed a table. A project that
cannot be installed or imported is reported with the last line of its error and skipped.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path.home() / ".cache" / "tenantlint-real-projects"
DEFAULT_VENV = CACHE / "venv"
# The copies live at a fixed place and their bytecode in a fixed prefix outside them: importing
# mlflow from a fresh copy compiles hundreds of modules, a reused cache makes a rerun fast.
WORK = CACHE / "work"
PYCACHE = CACHE / "pycache"
SCHEMA = "tenant"
# Findings that name a table or model (not a reference to one): what "reported" counts.
TABLE_CODES = ("TNT001", "TNT002", "TNT003", "TNT004", "TNT006")


@dataclass(frozen=True)
class Project:
    name: str  # the label in the table
    requirement: str  # what pip installs, pinned
    distribution: str  # the distribution whose version is checked
    package: str  # the import package that is copied
    models: tuple[str, ...]  # tenant-paths globs, relative to the folder holding the package
    exclude: tuple[str, ...] = ()  # migration scripts, as the README tells users to exclude them
    imports: tuple[str, ...] = ()  # modules to import besides the model modules (their bases, ...)
    env: tuple[tuple[str, str], ...] = ()  # import-time environment


PROJECTS = (
    Project("optuna", "optuna==5.1.0", "optuna", "optuna", ("optuna/storages/_rdb/models.py",),
            exclude=("**/alembic/versions/**",)),
    # Core tables built through its `sautils.Table` wrapper, as attributes of a class body
    Project("buildbot", "buildbot==4.3.0", "buildbot", "buildbot", ("buildbot/db/model.py",),
            exclude=("**/migrations/versions/**",)),
    Project("flask-appbuilder", "flask-appbuilder==5.3.0", "flask-appbuilder", "flask_appbuilder",
            ("flask_appbuilder/security/sqla/models.py",)),
    Project("celery", "celery==5.7.0", "celery", "celery", ("celery/backends/database/models.py",)),
    Project("mlflow", "mlflow==3.17.2", "mlflow", "mlflow",
            ("mlflow/store/tracking/dbmodels/models.py", "mlflow/store/model_registry/dbmodels/models.py"),
            exclude=("**/db_migrations/versions/**",)),
    # Core tables in one schema.py per storage kind
    Project("dagster", "dagster==1.13.29", "dagster", "dagster", ("dagster/_core/storage/*/schema.py",),
            exclude=("**/alembic/versions/**",)),
    # models with declared_attr table names and a custom Base; its home is kept out of ~/.prefect
    Project("prefect", "prefect==3.9.1", "prefect", "prefect", ("prefect/server/database/orm_models.py",),
            exclude=("**/_migrations/**",),
            env=(("PREFECT_HOME", str(CACHE / "prefect-home")), ("DO_NOT_TRACK", "1"))),
)


# --- the code that runs inside the venv ------------------------------------------------------

PROBE = r'''
import gc, importlib, inspect, json, os, sys, traceback
root, modules, tenant_files, schema = sys.argv[1], json.loads(sys.argv[2]), set(json.loads(sys.argv[3])), sys.argv[4]
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import configure_mappers, registry as Registry

created = {}  # id(table) -> (file, line) of the code that created it

@event.listens_for(sa.Table, "after_parent_attach")
def _created(table, parent):
    if not isinstance(parent, sa.MetaData) or id(table) in created:
        return
    # the innermost tenant frame (a class body, a helper's caller) defines it; else the module
    # whose top-level code runs: a table built while importing a library belongs to that library
    frame = sys._getframe(1)
    while frame is not None:
        file = os.path.realpath(frame.f_code.co_filename)
        if file in tenant_files or frame.f_code.co_name == "<module>":
            created[id(table)] = (file, frame.f_lineno)
            return
        frame = frame.f_back
    created[id(table)] = (None, None)

def last_line(exc):
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    return text[-1] if text else type(exc).__name__

out = {"import_errors": [], "mapper_error": None, "tables": [], "fk_unresolved": []}
for name in modules:
    try:
        importlib.import_module(name)
    except BaseException as exc:
        out["import_errors"].append(f"{name}: {last_line(exc)}")
try:
    configure_mappers()
except BaseException as exc:
    out["mapper_error"] = last_line(exc)

objects = gc.get_objects()
metadatas = {id(o): o for o in objects if isinstance(o, sa.MetaData)}
registries = [o for o in objects if isinstance(o, Registry)]
mapped = {}  # id(table) -> (file, line, class name, every class mapping it)
for reg in registries:
    metadatas.setdefault(id(reg.metadata), reg.metadata)
    for mapper in list(reg.mappers):
        table, cls = mapper.local_table, mapper.class_
        if not isinstance(table, sa.Table):
            continue
        if mapper.inherits is not None and mapper.inherits.local_table is table:
            # single-table inheritance, or a subclass that re-declares the table with
            # extend_existing (celery's TaskExtended): it names the table, the owner stays
            mapped.setdefault(id(table), (None, None, None, []))[3].append(cls.__name__)
            continue
        module = sys.modules.get(cls.__module__)
        file = getattr(module, "__file__", None)
        try:
            line = inspect.getsourcelines(cls)[1]
        except (OSError, TypeError):
            line = None
        names = mapped.get(id(table), (None, None, None, []))[3]
        if mapped.get(id(table), (None,))[0] is None:
            mapped[id(table)] = (os.path.realpath(file) if file else None, line, cls.__name__, names)
        names.append(cls.__name__)

def rel(file):
    return os.path.relpath(file, root) if file and file.startswith(root) else file

for metadata in metadatas.values():
    for table in list(metadata.tables.values()):
        if mapped.get(id(table), (None,))[0] is not None:
            file, line, model, models = mapped[id(table)]
        else:
            (file, line), model = created.get(id(table), (None, None)), None
            models = mapped.get(id(table), (None, None, None, []))[3]
        out["tables"].append({"name": table.name, "schema": table.schema, "fullname": table.fullname,
                              "file": rel(file), "line": line, "model": model, "models": models,
                              "tenant": file in tenant_files})
        for fk in table.foreign_keys:
            try:
                fk.column
            except Exception as exc:
                out["fk_unresolved"].append({"table": table.name, "file": rel(file), "model": model,
                                             "target": fk.target_fullname, "error": last_line(exc)})
print("\n@@PROBE@@" + json.dumps(out))
'''

VERSIONS = r'''
import json, sys
from importlib import metadata
found = {}
for name in sys.argv[1:]:
    try:
        found[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        found[name] = None
try:
    import tenantlint
    found["tenantlint@"] = tenantlint.__file__
except ImportError:
    found["tenantlint@"] = None
print(json.dumps(found))
'''

LOCATE = r'''
import importlib.util, json, sys
spec = importlib.util.find_spec(sys.argv[1])
print(json.dumps(list(spec.submodule_search_locations or [spec.origin])))
'''


# --- results -----------------------------------------------------------------------------------


@dataclass
class Variant:
    """What `fix` (with some options) did to one copy, and what the fixed copy does."""

    options: list[str]
    fix_exit: int | None = None
    fix_summary: str = ""
    files_changed: list[str] = field(default_factory=list)
    mapper_error: str | None = None
    import_errors: list[str] = field(default_factory=list)
    fk_unresolved: list[dict] = field(default_factory=list)  # after the fix, every one
    fk_broken: list[dict] = field(default_factory=list)  # ... that resolved before the fix
    outside_schema: list[str] = field(default_factory=list)  # tenant tables still without it
    check_exit: int | None = None
    check_codes: dict[str, int] = field(default_factory=dict)
    verdict: str = ""


@dataclass
class Result:
    name: str
    version: str = ""
    status: str = "ok"  # or "install failed", "import failed", "check failed"
    error: str = ""
    model_files: list[str] = field(default_factory=list)
    runtime_tables: list[dict] = field(default_factory=list)  # tenant tables, before the fix
    mapper_error_before: str | None = None
    fk_unresolved_before: list[dict] = field(default_factory=list)
    check_exit: int | None = None
    check_codes: dict[str, int] = field(default_factory=dict)
    reported: list[str] = field(default_factory=list)  # "file:model" of table-level findings
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per step


# --- helpers -----------------------------------------------------------------------------------


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip() and not line.startswith("WARNING: Location")]
    return lines[-1].strip() if lines else "(no output)"


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def ensure_venv(venv: Path, projects: list[Project]) -> dict[str, str]:
    """Install what is missing; returns {project name: error} for those that failed to install."""
    python = venv_python(venv)
    if not python.exists():
        print(f"creating {venv} (the first run installs every project: several minutes)", file=sys.stderr)
        venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    names = [p.distribution for p in projects]
    # not from the current directory: in a checkout `import tenantlint` would find the checkout's
    # own package whatever the venv holds (an editable install of a folder since deleted, say)
    found = json.loads(run([python, "-c", VERSIONS, *names], cwd=venv).stdout)
    location = found.pop("tenantlint@")
    if location is None or not Path(location).resolve().is_relative_to(REPO):
        print(f"installing tenantlint from {REPO}", file=sys.stderr)
        done = run([python, "-m", "pip", "install", "-q", "-e", REPO])
        if done.returncode:
            sys.exit(f"cannot install tenantlint into {venv}: {last_line(done.stderr)}")
    failed = {}
    for project in projects:
        wanted = project.requirement.split("==")[-1]
        if found.get(project.distribution) == wanted:
            continue
        print(f"installing {project.requirement}", file=sys.stderr)
        done = run([python, "-m", "pip", "install", "-q", project.requirement])
        if done.returncode:
            failed[project.name] = last_line(done.stderr or done.stdout)
    return failed


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.py")) if p.is_file()}


def tenant_files(root: Path, globs: tuple[str, ...]) -> list[Path]:
    files = sorted(p for p in root.rglob("*.py")
                   if any(fnmatch.fnmatchcase(p.relative_to(root).as_posix(), g) for g in globs))
    return files


def module_name(root: Path, file: Path) -> str:
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def subprocess_env(root: Path, project: Project) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(PYTHONPATH=str(root), PYTHONPYCACHEPREFIX=str(PYCACHE), **dict(project.env))
    return env


def probe(python: Path, root: Path, project: Project, files: list[Path]) -> dict:
    modules = [*project.imports, *(module_name(root, f) for f in files)]
    done = run([python, "-c", PROBE, os.path.realpath(root) + os.sep, json.dumps(modules),
                json.dumps([os.path.realpath(f) for f in files]), SCHEMA],
               cwd=root, env=subprocess_env(root, project))
    marker = done.stdout.rfind("@@PROBE@@")
    if marker < 0:
        return {"crash": last_line(done.stderr or done.stdout)}
    return json.loads(done.stdout[marker + len("@@PROBE@@"):])


def tenantlint(python: Path, root: Path, args: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return run([python, "-m", "tenantlint", *args], cwd=root, env=env)


def check(python: Path, root: Path) -> tuple[int, list[dict], str]:
    done = tenantlint(python, root, ["check", "--output-format", "json", "--no-cache", "."])
    try:
        findings = json.loads(done.stdout) if done.stdout.strip() else []
    except json.JSONDecodeError:
        findings = []
    return done.returncode, findings, done.stderr


def codes(findings: list[dict]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for f in findings:
        counted[f["code"]] = counted.get(f["code"], 0) + 1
    return dict(sorted(counted.items()))


def table_key(table: dict) -> str:
    return f"{table['file']}:{table['model'] or table['name']}"


def fk_key(fk: dict) -> tuple:
    # the schema of the target may change with the fix: compare by the referring table and the column name
    *_, table, column = fk["target"].split(".")
    return (fk["file"], fk["model"] or fk["table"], table, column)


# --- one project -------------------------------------------------------------------------------


def copy_package(python: Path, project: Project, into: Path) -> Path:
    located = json.loads(run([python, "-c", LOCATE, project.package]).stdout)
    source = Path(located[0])
    if source.is_file():
        raise RuntimeError(f"{project.package} is a single module, not a package")
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(source, into / project.package, symlinks=True, ignore=skip)
    config = f"[tool.tenantlint]\ntenant-paths = {json.dumps(list(project.models))}\n"
    if project.exclude:
        config += f"exclude = {json.dumps(list(project.exclude))}\n"
    (into / "pyproject.toml").write_text(config)
    return into


def run_variant(python: Path, project: Project, root: Path, files: list[Path], options: list[str],
                before: dict) -> Variant:
    variant = Variant(options)
    old = snapshot(root)
    done = tenantlint(python, root, ["fix", "--no-cache", *options, "."])
    variant.fix_exit = done.returncode
    variant.fix_summary = last_line(done.stdout + "\n" + done.stderr)
    new = snapshot(root)
    variant.files_changed = sorted(f for f in new if old.get(f) != new[f])
    after = probe(python, root, project, files)
    if "crash" in after:
        variant.import_errors = [after["crash"]]
    else:
        variant.import_errors = after["import_errors"]
        variant.mapper_error = after["mapper_error"]
        variant.fk_unresolved = after["fk_unresolved"]
        unresolved_before = {fk_key(fk) for fk in before["fk_unresolved"]}
        variant.fk_broken = [fk for fk in after["fk_unresolved"] if fk_key(fk) not in unresolved_before]
        variant.outside_schema = sorted(table_key(t) for t in after["tables"] if t["tenant"] and t["schema"] != SCHEMA)
    variant.check_exit, findings, _ = check(python, root)
    variant.check_codes = codes(findings)
    broken = bool(variant.import_errors or (variant.mapper_error and not before["mapper_error"])
                  or variant.fk_broken or variant.outside_schema)
    if not broken:
        variant.verdict = "works"
    elif variant.check_exit == 1 and findings:
        variant.verdict = "broken, check says so"
    else:
        variant.verdict = "CLEAN BUT BROKEN"
    return variant


def run_project(python: Path, project: Project, workdir: Path, unsafe: bool, version: str) -> Result:
    result = Result(project.name, version=version)
    clock = [time.monotonic()]

    def lap(step: str) -> None:
        now = time.monotonic()
        result.seconds[step] = round(result.seconds.get(step, 0) + now - clock[0], 1)
        clock[0] = now
    roots = [copy_package(python, project, workdir / "safe")]
    if unsafe:
        roots.append(copy_package(python, project, workdir / "unsafe"))
    lap("copy")
    root = roots[0]
    files = tenant_files(root, project.models)
    result.model_files = [f.relative_to(root).as_posix() for f in files]
    if not files:
        result.status, result.error = "no model files", f"no file matches {', '.join(project.models)}"
        return result
    before = probe(python, root, project, files)
    lap("import")
    if "crash" in before or before["import_errors"]:
        result.status = "import failed"
        result.error = before.get("crash") or before["import_errors"][0]
        return result
    result.mapper_error_before = before["mapper_error"]
    result.fk_unresolved_before = before["fk_unresolved"]
    result.runtime_tables = sorted((t for t in before["tables"] if t["tenant"]), key=table_key)
    result.check_exit, findings, stderr = check(python, root)
    result.check_codes = codes(findings)
    lap("check")
    if result.check_exit == 2:
        result.status, result.error = "check failed", last_line(stderr)
        return result
    tenant_rel = set(result.model_files)
    reported = {f"{f['path']}:{f['model']}" for f in findings if f["code"] in TABLE_CODES}
    result.reported = sorted(reported)
    names = {t["file"]: set() for t in before["tables"]}
    for t in before["tables"]:
        names[t["file"]].update([t["name"], *t["models"]])
    result.misses = sorted(table_key(t) for t in result.runtime_tables if t["schema"] != SCHEMA
                           and not {f"{t['file']}:{n}" for n in [t["name"], *t["models"]]} & reported)
    result.false_positives = sorted(r for r in reported if r.split(":")[0] not in tenant_rel
                                    or r.rpartition(":")[2] not in names.get(r.rpartition(":")[0], ()))
    result.variants.append(run_variant(python, project, root, files, [], before))
    if unsafe:
        unsafe_files = [roots[1] / f.relative_to(root) for f in files]
        result.variants.append(run_variant(python, project, roots[1], unsafe_files, ["--unsafe-fixes"], before))
    lap("fix, import, check")
    return result


# --- output ------------------------------------------------------------------------------------


HEADER = ("project", "version", "model files", "runtime tenant tables", "reported", "misses", "false positives",
          "fix", "files changed", "mappers ok", "FKs unresolved", "check after fix", "verdict")


def rows(results: list[Result]) -> list[tuple]:
    table = []
    for r in results:
        if r.status != "ok":
            table.append((r.name, r.version, str(len(r.model_files)), "-", "-", "-", "-", "-", "-", "-", "-", "-",
                          f"{r.status}: {r.error}"))
            continue
        for v in r.variants:
            fks = str(len(v.fk_broken)) + (f" (+{len(v.fk_unresolved) - len(v.fk_broken)} before)"
                                           if len(v.fk_unresolved) > len(v.fk_broken) else "")
            table.append((r.name, r.version, str(len(r.model_files)), str(len(r.runtime_tables)),
                          str(len(r.reported)), str(len(r.misses)), str(len(r.false_positives)),
                          " ".join(["fix", *v.options]), str(len(v.files_changed)),
                          "yes" if not (v.mapper_error or v.import_errors) else "NO",
                          fks, str(v.check_exit), v.verdict))
    return table


def print_table(results: list[Result]) -> None:
    body = rows(results)
    widths = [max(len(str(x)) for x in column) for column in zip(HEADER, *body)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(HEADER, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in body:
        print("| " + " | ".join(str(x).ljust(w) for x, w in zip(row, widths)) + " |")


def print_details(results: list[Result]) -> None:
    for r in results:
        if r.status != "ok":
            continue
        lines = []
        if r.mapper_error_before:
            lines.append(f"  mappers fail before the fix: {r.mapper_error_before}")
        lines += [f"  miss: {m}" for m in r.misses]
        lines += [f"  false positive: {m}" for m in r.false_positives]
        for v in r.variants:
            label = " ".join(["fix", *v.options])
            if v.mapper_error:
                lines.append(f"  {label}: mappers: {v.mapper_error}")
            lines += [f"  {label}: import: {e}" for e in v.import_errors]
            lines += [f"  {label}: FK {fk['file']}:{fk['model'] or fk['table']} -> {fk['target']}: {fk['error']}"
                      for fk in v.fk_broken]
            lines += [f"  {label}: still outside `{SCHEMA}`: {t}" for t in v.outside_schema]
            lines.append(f"  {label}: check before {r.check_codes}, after {v.check_codes}")
        steps = ", ".join(f"{step} {sec} s" for step, sec in r.seconds.items())
        print(f"\n{r.name} ({steps}):")
        print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV, help="the venv of the projects (reused)")
    parser.add_argument("--json", type=Path, help="write the full report here")
    parser.add_argument("--only", help="comma-separated project names")
    parser.add_argument("--unsafe-fixes", action="store_true", help="also run `fix --unsafe-fixes` on a second copy")
    args = parser.parse_args(argv)
    projects = list(PROJECTS)
    if args.only:
        wanted = args.only.split(",")
        unknown = set(wanted) - {p.name for p in projects}
        if unknown:
            parser.error(f"unknown project(s): {', '.join(sorted(unknown))}")
        projects = [p for p in projects if p.name in wanted]
    venv = args.venv.expanduser().resolve()
    failed = ensure_venv(venv, projects)
    python = venv_python(venv)
    versions = json.loads(run([python, "-c", VERSIONS, *(p.distribution for p in projects)]).stdout)
    results = []
    for project in projects:
        print(f"{project.name}...", file=sys.stderr, flush=True)
        version = versions.get(project.distribution) or project.requirement.split("==")[-1]
        if project.name in failed:
            results.append(Result(project.name, version, "install failed", failed[project.name]))
            continue
        workdir = WORK / project.name
        shutil.rmtree(workdir, ignore_errors=True)
        try:
            results.append(run_project(python, project, workdir, args.unsafe_fixes, version))
        except Exception as exc:  # one broken project must not hide the others
            results.append(Result(project.name, version, "harness error", f"{type(exc).__name__}: {exc}"))
    print(f"the fixed copies are kept in {WORK} until the next run", file=sys.stderr)
    print_table(results)
    print_details(results)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    bad = any(r.misses or r.status == "harness error" or any(v.verdict == "CLEAN BUT BROKEN" for v in r.variants)
              for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
