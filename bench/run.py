"""Benchmark tenantlint against its baselines, measured in the same run: `python bench/run.py`.

Builds a reproducible corpus (fixed seed, fixed package list):
- models/: a project of generated model files in every `__table_args__` form tenantlint handles;
- monorepo/: the same models inside real non-model Python code copied from installed packages.
Then measures each baseline and each tenantlint figure (median of --runs) and prints the table of
ratios against the goals of issue 5. Run it with the Python of the venv tenantlint is installed in.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

# Real, non-model code: packages every venv of the project has (pip, setuptools, tenantlint[test]).
# Not SQLAlchemy itself: each of its files names "SQLAlchemy" in its licence header and
# Column/Table in its docstrings, which an application's non-model code does not.
PACKAGES = (
    "pip", "setuptools", "pkg_resources", "pygments", "libcst", "pydantic", "hypothesis", "virtualenv",
    "psycopg", "_pytest", "filelock", "pre_commit", "werkzeug", "jsonschema", "pathspec", "click",
)
SEED = 5

PYPROJECT = '[project]\nname = "{name}"\nversion = "0"\n\n[tool.tenantlint]\ntenant-paths = ["**/models/user/**"]\n'

BASE = '''"""Declarative base and mixins shared by every model."""

from sqlalchemy import Index
from sqlalchemy.orm import DeclarativeBase, declared_attr


class Base(DeclarativeBase):
    pass


class ConstraintsMixin:
    __table_args__ = (Index("ix_mixin_created", "created_at"),)


class AutoTableNameMixin:
    @declared_attr.directive
    def __tablename__(cls) -> str:
        return cls.__name__.lower()
'''

HEADER = '''"""Generated model module {n} for the tenantlint benchmark."""

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import (
    CheckConstraint, Column, Enum, ForeignKey, Index, Integer, Numeric, Sequence, String, Table, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from backend.models.base import AutoTableNameMixin, Base, ConstraintsMixin
'''

# Every `__table_args__` form: (the lines in the class body, or None for no __table_args__).
FORMS = (
    None,
    '__table_args__ = {{"schema": "tenant"}}  # Placeholder for schema_translate_map',
    '__table_args__ = {{"extend_existing": True}}',
    '__table_args__ = {{\n        "comment": "{t} rows",\n        "extend_existing": True,\n    }}',
    '__table_args__ = ()',
    '__table_args__ = (UniqueConstraint("name", name="uq_{t}_name"),)',
    '__table_args__ = UniqueConstraint("name", name="uq_{t}_name"),',
    '__table_args__ = (\n        UniqueConstraint("name", "owner_id", name="uq_{t}_owner"),\n'
    '        # listing pages filter on name\n        Index("ix_{t}_name", "name"),\n'
    '        CheckConstraint("price >= 0", name="ck_{t}_price"),  # no negative prices\n    )',
    '__table_args__ = (Index("ix_{t}_owner", "owner_id"), {{"comment": "owned"}})',
    '__table_args__: ClassVar[tuple] = (UniqueConstraint("name", name="uq_{t}_cv"),)',
    '__table_args__ = {{"schema": "public"}}',
    '@declared_attr.directive\n    def __table_args__(cls):\n        return (Index("ix_{t}_da", "name"), {{"schema": "tenant"}})',
)

COLUMNS = '''
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("{other}.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(Enum("draft", "live", name="{t}_status"), default="draft")
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=0)
    note: Mapped[str | None] = mapped_column(String(500))
    counter: Mapped[int] = mapped_column(Integer, Sequence("{t}_seq"), default=0)
    created_at: Mapped[datetime | None]
    updated_at: Mapped[datetime | None]

    owner: Mapped["{other_cls}"] = relationship(primaryjoin="{other}.c.id == {t}.c.owner_id")

    def label(self) -> str:
        """A method, so the class body is not only columns."""
        return f"{{self.name}} ({{self.status}})"
'''


def model_module(n: int, rng: random.Random) -> str:
    out = [HEADER.format(n=n)]
    classes: list[tuple[str, str]] = []
    for k in range(8):
        cls, table = f"Model{n}x{k}", f"model_{n}_{k}"
        other_cls, other = classes[-1] if classes else (cls, table)
        form = FORMS[(n * 8 + k) % len(FORMS)]
        body = [f'    __tablename__ = "{table}"']
        if form is not None:
            body.append("    " + form.format(t=table))
        out.append(f"\n\nclass {cls}(Base):\n" + "\n".join(body) + "\n"
                   + COLUMNS.format(t=table, other=other, other_cls=other_cls))
        classes.append((cls, table))
    cls, table = classes[rng.randrange(len(classes))]
    out.append(f'''

class {cls}Archived({cls}):
    """Single-table subclass: no table of its own."""

    __mapper_args__ = {{"polymorphic_identity": "archived"}}


class {cls}Joined({cls}):
    __tablename__ = "{table}_joined"

    id: Mapped[int] = mapped_column(ForeignKey("{table}.id"), primary_key=True)


class Constrained{n}(ConstraintsMixin, Base):
    __tablename__ = "constrained_{n}"

    id: Mapped[int] = mapped_column(primary_key=True)


class AutoNamed{n}(AutoTableNameMixin, Base):
    id: Mapped[int] = mapped_column(primary_key=True)


links_{n} = Table(
    "links_{n}",
    Base.metadata,
    Column("left_id", ForeignKey("{classes[0][1]}.id"), primary_key=True),
    Column("right_id", ForeignKey("{classes[1][1]}.id"), primary_key=True),
)


class Mapped{n}(Base):
    __table__ = Table("mapped_{n}", Base.metadata, Column("id", Integer, primary_key=True))
''')
    return "".join(out)


def write_models(root: Path, count: int) -> list[Path]:
    rng = random.Random(SEED)
    models = root / "backend" / "models"
    (models / "user").mkdir(parents=True)
    for init in (root / "backend", models, models / "user"):
        (init / "__init__.py").write_text("")
    (models / "base.py").write_text(BASE)
    files = []
    for n in range(count):
        path = models / "user" / f"gen_{n:04d}.py"
        path.write_text(model_module(n, rng))
        files.append(path)
    return files


def site_packages_sources() -> list[tuple[Path, Path]]:
    """(source, relative destination) of every .py file of PACKAGES, in a stable order."""
    import importlib.util

    found = []
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            print(f"bench: package {name} not installed, skipped", file=sys.stderr)
            continue
        top = Path(list(spec.submodule_search_locations)[0])
        for path in sorted(top.rglob("*.py")):
            if "__pycache__" not in path.parts:
                found.append((path, Path("vendor") / name / path.relative_to(top)))
    return found


def build(workdir: Path, model_files: int, other_files: int) -> tuple[Path, Path]:
    models_root, mono = workdir / "models", workdir / "monorepo"
    for root, name in ((models_root, "models"), (mono, "monorepo")):
        root.mkdir(parents=True)
        (root / "pyproject.toml").write_text(PYPROJECT.format(name=name))
    write_models(models_root, model_files)
    shutil.copytree(models_root / "backend", mono / "backend")
    sources = site_packages_sources()
    rng = random.Random(SEED)
    picked = sorted(rng.sample(range(len(sources)), min(other_files, len(sources))))
    for i in picked:
        src, rel = sources[i]
        dest = mono / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    return models_root, mono


def py_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py"))


class Timed(float):
    """A median that also knows the spread of its runs."""

    def __new__(cls, values: list[float]):
        figure = super().__new__(cls, statistics.median(values))
        figure.low, figure.high = min(values), max(values)
        return figure


def median_time(fn, runs: int) -> Timed:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Timed(times)


def ast_parse_all(files: list[Path]) -> None:
    for path in files:
        ast.parse(path.read_bytes())


def libcst_parse_all(files: list[Path]) -> None:
    import libcst

    for path in files:
        libcst.parse_module(path.read_bytes())


def tenantlint_cmd() -> list[str]:
    script = Path(sys.executable).with_name("tenantlint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tenantlint"]


def compile_tenantlint() -> None:
    """Byte-compile tenantlint as `pip install` does: an editable install (and a machine with
    PYTHONDONTWRITEBYTECODE set) would otherwise recompile its modules on every run, which the
    baseline's installed libcst and click do not."""
    import compileall

    import tenantlint

    compileall.compile_dir(str(Path(tenantlint.__file__).parent), quiet=1)


def run(cmd: list[str], cwd: Path) -> None:
    result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if result.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({result.returncode}): {result.stderr.decode()}")


def cold(cmd: list[str], cwd: Path):
    def go():
        shutil.rmtree(cwd / ".tenantlint_cache", ignore_errors=True)
        run(cmd, cwd)
    return go


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-files", type=int, default=264, help="generated model files (default: 264)")
    parser.add_argument("--other-files", type=int, default=1500,
                        help="non-model files copied from installed packages (default: 1500)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is reported (default: 3)")
    parser.add_argument("--workdir", type=Path, help="where to build the corpus (default: a temporary folder)")
    parser.add_argument("--fix", action="store_true",
                        help="also measure `fix`: the rows of issue 14 (bench/fix_rows.py)")
    parser.add_argument("--scale", type=int, default=4, help="with --fix: grow the monorepo this many times (default: 4)")
    parser.add_argument("--big-lines", type=int, default=50_000,
                        help="with --fix: lines of the one large model file (default: 50000; 0: no such row)")
    args = parser.parse_args()

    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="tenantlint-bench-")
        workdir = Path(tmp.name)
    else:
        workdir = args.workdir
        shutil.rmtree(workdir, ignore_errors=True)
    try:
        models_root, mono = build(workdir, args.model_files, args.other_files)
        model_files = py_files(models_root)
        mono_files = py_files(mono)
        size = lambda files: sum(p.stat().st_size for p in files) / 1e6  # noqa: E731
        sizes = size(mono_files), size(model_files)  # before the corpus is removed
        tl = tenantlint_cmd()
        compile_tenantlint()
        one = model_files[len(model_files) // 2].relative_to(models_root)
        runs = args.runs

        ast_mono = median_time(lambda: ast_parse_all(mono_files), runs)
        cst_models = median_time(lambda: libcst_parse_all(model_files), runs)
        imports = median_time(lambda: run([sys.executable, "-c", "import libcst, click"], workdir), runs)
        mono_cold = median_time(cold(tl + ["check", "."], mono), runs)
        models_cold = median_time(cold(tl + ["check", "."], models_root), runs)
        run(tl + ["check", "."], models_root)  # fill the cache
        models_warm = median_time(lambda: run(tl + ["check", "."], models_root), runs)
        one_file = median_time(lambda: run(tl + ["check", str(one)], models_root), runs)  # cache filled
        one_uncached = median_time(lambda: run(tl + ["check", "--no-cache", str(one)], models_root), runs)

        def edited_one() -> None:  # as pre-commit runs it: the file just changed, the rest cached
            os.utime(models_root / one)
            run(tl + ["check", str(one)], models_root)

        one_edited = median_time(edited_one, runs)
        rows = [
            ("1. monorepo, cold: `check .`", mono_cold, "ast.parse, every .py file", ast_mono, 0.5),
            ("2. model tree, cold: `check .`", models_cold, "libcst.parse_module, model files", cst_models, 1.0),
            ("3. model tree, warm: `check .`", models_warm, "model tree, cold", models_cold, 0.1),
            ("4. one model file: `check FILE`", one_file, "python -c 'import libcst, click'", imports, 1.3),
            ("one model file just edited: `check FILE`", one_edited, "python -c 'import libcst, click'", imports, None),
            ("one model file, no cache: `check --no-cache FILE`", one_uncached, "python -c 'import libcst, click'",
             imports, None),
        ]
        rows = [(*row, "s") for row in rows]
        if args.fix:
            import fix_rows

            fix = median_time(cold(tl + ["fix", "--diff", "."], models_root), runs)
            rows.append(("model tree, cold: `fix --diff .`", fix, "libcst.parse_module, model files", cst_models,
                         None, "s"))
            rows += fix_rows.rows(workdir, mono, tl, runs, args.scale, args.big_lines)
    finally:
        if tmp is not None:
            tmp.cleanup()

    print(f"tenantlint benchmark, {date.today().isoformat()}, {os.cpu_count()} CPUs ({cpu_model()}), "
          f"Python {platform.python_version()}, median of {runs} runs")
    print(f"corpus: monorepo {len(mono_files)} files, {sizes[0]:.1f} MB; "
          f"model tree {len(model_files)} files, {sizes[1]:.1f} MB")
    print()
    print("| figure | tenantlint | spread | baseline | baseline figure | ratio | goal | |")
    print("|---|---:|---:|---|---:|---:|---:|---|")
    for name, value, base_name, base, goal, unit in rows:
        ratio = value / base
        verdict = "" if goal is None else ("ok" if ratio <= goal else "MISSED")
        goal_text = "—" if goal is None else f"≤ {goal:g}"
        digits = 3 if unit == "s" else 0
        spread = f"{value.low:.{digits}f}-{value.high:.{digits}f}"
        print(f"| {name} | {value:.{digits}f} {unit} | {spread} | {base_name} | {base:.{digits}f} {unit} | "
              f"{ratio:.2f} | {goal_text} | {verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
