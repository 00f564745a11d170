"""`fix --no-cache` analyses again after writing; the second analysis takes the facts of the
files that did not change from the first (cache.MemoryCache) and gives the same result."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from tenantlint.cache import CACHE_DIR, MemoryCache
from tenantlint.cli import main
from tenantlint.config import load_config
from tenantlint.engine import analyze

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "app"
PRODUCT = Path("backend/models/user/product.py")


def _copy(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", CACHE_DIR))
    monkeypatch.chdir(root)
    return root


def _found(analysis) -> list[tuple]:
    return [(f.code, f.path.as_posix(), f.line, f.column, f.message) for f in analysis.errors + analysis.findings]


def test_the_second_analysis_parses_only_the_changed_file_and_finds_the_same(tmp_path, monkeypatch):
    root = _copy(tmp_path, monkeypatch)
    config = load_config(None, [root])
    memory = MemoryCache()
    first = analyze([root], config, use_cache=False, memory=memory)
    source = root / PRODUCT
    source.write_text(source.read_text().replace(
        '__tablename__ = "products"\n', '__tablename__ = "products"\n    __table_args__ = {"schema": "tenant"}\n', 1
    ).replace("    __table_args__ = (\n", "    __other_args__ = (\n", 1))
    second = analyze([root], config, use_cache=False, memory=memory)
    assert (first.cache_hits, second.cache_hits) == (0, len(first.files) - 1)
    assert _found(second) == _found(analyze([root], config, use_cache=False))
    assert not (root / CACHE_DIR).exists()


def test_fix_no_cache_reports_what_a_fresh_check_reports(tmp_path, monkeypatch):
    _copy(tmp_path, monkeypatch)
    fixed = CliRunner().invoke(main, ["fix", "--no-cache", "--output-format", "json"])
    checked = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", "json"])
    assert (fixed.exit_code, checked.exit_code) == (1, 1)
    assert fixed.output == checked.output
