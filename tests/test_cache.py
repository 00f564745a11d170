"""The cache (.tenantlint_cache/) and parallel parsing never change a result."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest
from conftest import run_tenantlint

import tenantlint
from tenantlint import cache, parsing
from tenantlint.cache import CACHE_DIR
from tenantlint.config import load_config
from tenantlint.engine import analyze

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "app"
PRODUCT = Path("backend/models/user/product.py")


@pytest.fixture
def app(tmp_path, monkeypatch):
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", CACHE_DIR))
    monkeypatch.chdir(root)
    return root


def analyze_app(root: Path, **options):
    analysis = analyze([root], load_config(None, [root]), **options)
    return analysis, [(f.code, f.path.as_posix(), f.line, f.column, f.message) for f in analysis.errors + analysis.findings]


def parsed_count(root: Path) -> int:
    analysis, _ = analyze_app(root, use_cache=False)
    return len(analysis.files)


def test_results_identical_with_and_without_cache_and_with_one_or_two_jobs(app, monkeypatch):
    monkeypatch.setattr(parsing, "_PARALLEL_MIN", 2)  # the fixture is small: use the pool anyway
    reference = run_tenantlint("check", "--output-format", "json", "--no-cache", "-j", "1", in_process=True)
    assert reference.exit_code == 1
    assert '"code": "TNT001"' in reference.output
    assert not (app / CACHE_DIR).exists()  # --no-cache neither reads nor writes
    for args in (["--no-cache", "-j", "2"], ["-j", "1"], ["-j", "1"], ["-j", "2"], ["-j", "2"], []):
        assert run_tenantlint("check", "--output-format", "json", *args, in_process=True) == reference, args
    assert (app / CACHE_DIR / "CACHEDIR.TAG").is_file()


def files_cache(root: Path) -> Path:
    (found,) = (root / CACHE_DIR).glob("*/*.files.json")
    return found


def test_the_cache_file_is_the_same_whoever_encodes_its_entries(app, monkeypatch):
    """Worker processes encode the entries they make, the main process the others; the file
    is then put together from their texts: it is the JSON of its header and pairs either way,
    and still so when a later run keeps most entries as it read them."""
    monkeypatch.setattr(parsing, "_PARALLEL_MIN", 2)
    put, texts = cache.Cache.put, []

    def spy(self, relative, key, entry, text=None):
        texts.append(text is not None)
        put(self, relative, key, entry, text)

    monkeypatch.setattr(cache.Cache, "put", spy)
    run_tenantlint("check", "-j", "2", in_process=True)
    by_workers = files_cache(app).read_bytes()
    assert texts.count(True) >= parsing.Parsing._BATCH  # at least one batch was encoded by a worker
    texts.clear()
    shutil.rmtree(app / CACHE_DIR)
    run_tenantlint("check", "-j", "1", in_process=True)
    by_main = files_cache(app).read_bytes()
    assert not any(texts) and len(texts) == parsed_count(app)
    assert by_workers == by_main
    document = json.loads(by_main)
    assert list(document) == ["header", "pairs"] and len(document["pairs"]) == parsed_count(app)
    assert by_main == json.dumps(document, separators=(",", ":")).encode()
    product = app / PRODUCT
    product.write_text(product.read_text() + "\n# changed\n")
    run_tenantlint("check", "-j", "1", in_process=True)
    again = json.loads(files_cache(app).read_bytes())
    assert files_cache(app).read_bytes() == json.dumps(again, separators=(",", ":")).encode()
    changed = PRODUCT.as_posix()
    assert again["pairs"][changed] != document["pairs"][changed]
    assert {k: v for k, v in again["pairs"].items() if k != changed} == {
        k: v for k, v in document["pairs"].items() if k != changed}


def test_fix_results_identical_with_and_without_cache(app, monkeypatch):
    monkeypatch.setattr(parsing, "_PARALLEL_MIN", 2)
    run_tenantlint("check", in_process=True)  # fill the cache
    with_cache = run_tenantlint("fix", "--diff", "-j", "2", in_process=True)
    assert with_cache == run_tenantlint("fix", "--diff", "--no-cache", "-j", "1", in_process=True)
    assert with_cache.exit_code == 1 and "+++ b/backend/models/user/product.py" in with_cache.output


def test_warm_run_reads_every_parsed_file_from_the_cache(app):
    total = parsed_count(app)
    cold, findings = analyze_app(app)
    warm, again = analyze_app(app)
    assert (cold.cache_hits, warm.cache_hits) == (0, total)
    assert again == findings


def test_a_changed_file_is_parsed_again(app):
    _, before = analyze_app(app)
    source = app / PRODUCT
    source.write_text(source.read_text().replace(
        '__tablename__ = "products"\n', '__tablename__ = "products"\n    __table_args__ = {"schema": "tenant"}\n', 1
    ).replace("    __table_args__ = (\n", "    __other_args__ = (\n", 1))
    analysis, after = analyze_app(app)
    assert analysis.cache_hits == parsed_count(app) - 1
    assert [f for f in before if f[1] == PRODUCT.as_posix() and f[0] == "TNT001"]
    assert not [f for f in after if f[1] == PRODUCT.as_posix() and f[0] == "TNT001"]
    assert after == analyze_app(app, use_cache=False)[1]


def test_a_changed_config_starts_afresh(app):
    analyze_app(app)
    pyproject = app / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('["**/models/user/**"]', '["**/models/public/**"]'))
    analysis, after = analyze_app(app)
    assert analysis.cache_hits == 0
    assert after == analyze_app(app, use_cache=False)[1]
    assert {f[1] for f in after if f[0] == "TNT001"} <= {p.as_posix() for p in Path("backend/models/public").glob("*.py")}


def test_another_version_starts_afresh_and_removes_the_old_cache(app, monkeypatch):
    analyze_app(app)
    assert [p.name for p in (app / CACHE_DIR).iterdir() if p.is_dir()] == [tenantlint.__version__]
    monkeypatch.setattr(tenantlint, "__version__", "99.0.0")
    analysis, _ = analyze_app(app)
    assert analysis.cache_hits == 0
    assert [p.name for p in (app / CACHE_DIR).iterdir() if p.is_dir()] == ["99.0.0"]
    assert analyze_app(app)[0].cache_hits == parsed_count(app)


def cache_file(app: Path) -> Path:
    (found,) = (app / CACHE_DIR).glob("*/*.files.json")
    return found


@pytest.mark.parametrize("content", [b"", b"not json at all", b"[]", b'{"header": null, "pairs": {}}', b"[" * 100_000,
                                     pickle.dumps(("tenantlint-cache-1", [])), b"\x80\x05"])
def test_a_corrupt_cache_is_ignored_and_replaced(app, content):
    _, expected = analyze_app(app)
    cache_file(app).write_bytes(content)
    analysis, findings = analyze_app(app)
    assert (analysis.cache_hits, findings) == (0, expected)
    assert analyze_app(app)[0].cache_hits == parsed_count(app)


class _Payload:
    """A foreign pickle: unpickling it with plain `pickle.load` would create a file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_a_pickle_at_the_name_of_the_cache_is_never_unpickled(app, tmp_path):
    _, expected = analyze_app(app)
    marker = tmp_path / "pwned"
    cache_file(app).write_bytes(pickle.dumps({"header": None, "pairs": _Payload(marker)}))
    analysis, findings = analyze_app(app)
    assert not marker.exists()
    assert (analysis.cache_hits, findings) == (0, expected)


# Each turns every entry (a JSON list [facts, lines, error, line, col, transient]) into one of
# another shape; the facts are [module, is_package, imports, ..., classes, ...].
MUTATIONS = {
    "a class name": lambda e: [["os.system", "echo"], *e[1:]],
    "a field too many": lambda e: e + [None],
    "a field too few": lambda e: e[:-1],
    "a string for an int": lambda e: e[:3] + ["1"] + e[4:],
    "a bool for an int": lambda e: e[:3] + [True] + e[4:],
    "a float for an int": lambda e: e[:3] + [1.0] + e[4:],
    "an object for the facts": lambda e: [{"__class__": "ModuleFacts"}, *e[1:]],
    "an int for the lines": lambda e: [e[0], 5, *e[2:]],
    "a number in the imports": lambda e: [[*e[0][:2], {"x": 1}, *e[0][3:]], *e[1:]],
    "an unknown enum value": lambda e: [[*e[0][:8], [["no-such-kind", *r[1:]] for r in e[0][8]] or [[]], *e[0][9:]], *e[1:]],
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_an_entry_of_another_shape_is_a_miss(app, mutation):
    _, expected = analyze_app(app)
    path = cache_file(app)
    document = json.loads(path.read_text())  # our own file, read in the test only
    document["pairs"] = {rel: [key, MUTATIONS[mutation](entry)] for rel, (key, entry) in document["pairs"].items()}
    path.write_text(json.dumps(document))
    analysis, findings = analyze_app(app)
    assert (analysis.cache_hits, findings) == (0, expected)
    assert analyze_app(app)[0].cache_hits == parsed_count(app)  # the bad entries were replaced


def test_checking_one_file_keeps_the_entries_of_the_others(app):
    analyze_app(app)
    one = analyze([app / PRODUCT], load_config(None, [app / PRODUCT]))
    assert one.cache_hits == len(one.files)
    assert analyze_app(app)[0].cache_hits == parsed_count(app)


# -- replayed runs of `check` (stat-keyed) -----------------------------------------------------

def age(root: Path, seconds: int = 3600) -> None:
    """Give every file an mtime in the past: runs whose files changed in the last seconds are not kept."""
    old = os.stat(root).st_mtime - seconds
    for path in root.rglob("*"):
        os.utime(path, (old, old))


def check_json(*args: str):
    return run_tenantlint("check", "--output-format", "json", *args, in_process=True)


def test_an_unchanged_project_replays_the_run_without_reading_any_file(app, monkeypatch):
    age(app)
    first = check_json()
    assert first.exit_code == 1
    assert list((app / CACHE_DIR).glob("*/*.runs.json"))

    def no_reading(path, limit):
        raise AssertionError(f"read {path}")

    monkeypatch.setattr(parsing, "read_bytes", no_reading)
    assert check_json() == first
    code, _, err = check_json("-q")  # other output options: another run, which reads the files
    assert code == 2 and "internal error: AssertionError: read " in err


def test_a_changed_file_config_or_directory_runs_again(app, monkeypatch):
    age(app)
    reference = check_json()
    source = app / PRODUCT
    # same size, new content: the mtime tells
    source.write_text(source.read_text().replace('"products"', '"produkts"', 1))
    os.utime(source, (os.stat(source).st_mtime - 3600,) * 2)
    changed = check_json()
    assert changed != reference and '"Reference `products.id` names' not in changed.output
    # a config change (select) and another working directory are other runs
    assert '"code": "TNT001"' not in check_json("--select", "TNT005").output
    monkeypatch.chdir(app / "backend")
    assert '"path": "models/user/brand.py"' in check_json().output


def test_a_recently_changed_file_is_never_replayed(app):
    age(app)
    (app / PRODUCT).write_bytes((app / PRODUCT).read_bytes())  # changed just now
    check_json()
    assert not list((app / CACHE_DIR).glob("*/*.runs.json"))


def test_a_run_with_a_baseline_is_not_replayed(app):
    age(app)
    assert run_tenantlint("check", "--baseline", "b.json", "--update-baseline", in_process=True).exit_code == 0
    assert not list((app / CACHE_DIR).glob("*/*.runs.json"))
