"""The cache folder may come from the checked repository: it is data, never code, and never a
way to write or delete outside the project (SECURITY promises; issue 15 items 1-3, 6, 12, 13)."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import run_tenantlint

import tenantlint
from tenantlint import cache, engine, parsing
from tenantlint.cache import CACHE_DIR
from tenantlint.codec import ShapeError, codec, fingerprint
from tenantlint.config import config_fingerprint, load_config

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "app"
PRODUCT = Path("backend/models/user/product.py")
VERSION = tenantlint.__version__
LINK_WARNING = "warning: .tenantlint_cache is a symbolic link; running without the cache\n"


@pytest.fixture
def app(tmp_path, monkeypatch):
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", CACHE_DIR))
    monkeypatch.chdir(root)
    return root


def check(*args: str) -> tuple[int, str, str]:
    return run_tenantlint("check", "--output-format", "json", "-j", "1", *args, in_process=True)


def age(root: Path, seconds: int = 3600) -> None:
    """An mtime in the past for every file: runs whose files just changed are not kept."""
    old = os.stat(root).st_mtime - seconds
    for path in root.rglob("*"):
        os.utime(path, (old, old), follow_symlinks=False)


def listing(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder` with its bytes (None for a folder)."""
    return {p.relative_to(folder).as_posix(): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def pickle_calling(function: str, argument: str) -> bytes:
    """A pickle that calls `tenantlint.cache.<function>(argument)` when loaded: the way past the
    allow-list of the pickle cache (a global looked up through an allowed module)."""
    def text(s: str) -> bytes:
        data = s.encode()
        return b"\x8c" + bytes([len(data)]) + data
    return b"\x80\x04" + text("tenantlint.cache") + text(function) + b"\x93" + text(argument) + b"\x85R."


def names_read(root: Path) -> list[str]:
    """Every name at which tenantlint 0.1.0 and this version read the per-file cache of `root`."""
    config = load_config(None, [root])
    old_header = ("tenantlint-cache-1", "files", VERSION, config_fingerprint(config))
    old = hashlib.blake2b(repr(old_header).encode(), digest_size=10).hexdigest() + ".pickle"
    new = cache._File(config, "files", fingerprint(cache._entry_codec())).name
    return [old, new]


def test_a_crafted_cache_committed_to_a_repository_is_never_executed_nor_trusted(tmp_path, monkeypatch):
    origin, clone, marker = tmp_path / "origin", tmp_path / "clone", tmp_path / "pwned"
    shutil.copytree(FIXTURE, origin, ignore=shutil.ignore_patterns("__pycache__", CACHE_DIR))
    git("init", "-q", cwd=origin)
    git("add", ".", cwd=origin)
    git("commit", "-qm", "app", cwd=origin)
    git("clone", "-q", str(origin), str(clone), cwd=tmp_path)
    monkeypatch.chdir(clone)
    expected = check("--no-cache")
    assert expected[0] == 1 and '"code": "TNT001"' in expected[1]
    old_name, new_name = names_read(clone)
    # The attacker knows the file contents, so forges a well-formed entry for every file by its
    # content key, saying it holds nothing; and a code-running pickle at every name.
    config = load_config(None, [clone])
    forged = cache._File(config, "files", fingerprint(cache._entry_codec()))
    empty = cache._entry_codec().encode(cache.CacheEntry(None, error=None))
    pairs = {p.relative_to(clone).as_posix(): [cache.content_key(p.read_bytes()), empty] for p in clone.rglob("*.py")}
    monkeypatch.chdir(tmp_path)
    shutil.rmtree(clone)
    folder = origin / CACHE_DIR / VERSION
    folder.mkdir(parents=True)
    (folder / old_name).write_bytes(pickle_calling("os.mkdir", str(marker)))
    (folder / new_name).write_text(json.dumps({"header": forged.header, "pairs": pairs}))
    (folder / "0123456789abcdef0123.runs.json").write_bytes(pickle_calling("os.mkdir", str(marker)))
    git("add", "-f", CACHE_DIR, cwd=origin)
    git("commit", "-qm", "cache", cwd=origin)
    git("clone", "-q", str(origin), str(clone), cwd=tmp_path)
    assert (clone / CACHE_DIR / VERSION / new_name).is_file()
    monkeypatch.chdir(clone)

    assert check() == expected
    assert not marker.exists()
    assert check() == expected  # now from the cache this run wrote
    (clone / CACHE_DIR / VERSION / new_name).write_bytes(pickle_calling("os.mkdir", str(marker)))  # at the new name too
    assert check() == expected
    assert not marker.exists()


@pytest.mark.parametrize("target", ["../sibling", ".."])
def test_a_linked_cache_folder_is_refused_and_what_it_points_to_survives(app, target):
    sibling = app.parent / "sibling"
    (sibling / "0.0.9").mkdir(parents=True)  # named as a version folder: the old code removed it
    (sibling / "0.0.9" / "notes.txt").write_text("keep me\n")
    (sibling / "data").mkdir()
    (sibling / "data" / "a.txt").write_text("keep me too\n")
    expected = check("--no-cache")
    before = listing(app.parent)
    (app / CACHE_DIR).symlink_to(target)
    assert check() == (expected[0], expected[1], LINK_WARNING)
    assert check("--statistics")[2] == ""  # said once (per process and folder)
    assert run_tenantlint("fix", "--diff", "-j", "1", in_process=True).exit_code == 1
    after = {k: v for k, v in listing(app.parent).items() if not k.startswith(f"app/{CACHE_DIR}")}
    assert after == before
    assert listing(sibling) == {"0.0.9": None, "0.0.9/notes.txt": b"keep me\n", "data": None, "data/a.txt": b"keep me too\n"}
    assert os.readlink(app / CACHE_DIR) == target


def test_the_link_warning_is_said_once_and_the_run_goes_on(app, tmp_path):
    expected = check("--no-cache")
    (tmp_path / "elsewhere").mkdir()
    (app / CACHE_DIR).symlink_to(tmp_path / "elsewhere")
    assert check() == (expected[0], expected[1], LINK_WARNING)
    result = run_tenantlint("fix", "-j", "1", in_process=True)  # writes, analyses again
    assert (result.exit_code, result.stderr) == (1, "")  # said once per process and folder: above
    assert "Fixed" in result.stdout or "fixed" in result.stdout
    assert list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.parametrize("link", ["version folder", "cache file", ".gitignore"])
def test_a_link_inside_the_cache_is_never_written_through(app, tmp_path, link):
    check()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    folder = app / CACHE_DIR
    (name,) = [p.name for p in (folder / VERSION).glob("*.files.json")]
    if link == "version folder":
        shutil.rmtree(folder / VERSION)
        (tmp_path / "outside").mkdir()
        (folder / VERSION).symlink_to(tmp_path / "outside")
        shown = f".tenantlint_cache/{VERSION}"
    elif link == "cache file":
        (folder / VERSION / name).unlink()
        (folder / VERSION / name).symlink_to(victim)
        shown = f".tenantlint_cache/{VERSION}/{name}"
    else:
        (folder / "CACHEDIR.TAG").unlink()  # the old code then rewrote .gitignore
        (folder / ".gitignore").unlink()
        (folder / ".gitignore").symlink_to(victim)
        shown = ".tenantlint_cache/.gitignore"
    (app / PRODUCT).write_text((app / PRODUCT).read_text() + "\n")  # a change: the cache would be saved
    expected = check("--no-cache")
    assert check() == (expected[0], expected[1], f"warning: {shown} is a symbolic link; running without the cache\n")
    assert victim.read_text() == "precious\n"
    if link == "version folder":
        assert list((tmp_path / "outside").iterdir()) == []


def test_only_the_caches_tenantlint_made_are_deleted(app):
    folder = app / CACHE_DIR / "0.0.9"
    folder.mkdir(parents=True)
    (folder / "0123456789abcdef0123.pickle").write_bytes(b"old cache")
    (folder / "notes.txt").write_text("not ours\n")
    (app / CACHE_DIR / "0.0.8").mkdir()
    (app / CACHE_DIR / "0.0.8" / "0123456789abcdef0123.runs").write_bytes(b"old cache")
    (app / CACHE_DIR / "mine").mkdir()
    (app / CACHE_DIR / "mine" / "0123456789abcdef0123.pickle").write_bytes(b"not a version folder")
    check()
    found = listing(app / CACHE_DIR)
    assert {k: v for k, v in found.items() if not k.startswith(VERSION)} == {
        ".gitignore": b"# Automatically created by tenantlint.\n*\n",
        "0.0.9": None,
        "0.0.9/notes.txt": b"not ours\n",
        "CACHEDIR.TAG": cache._TAG.encode(),
        "mine": None,
        "mine/0123456789abcdef0123.pickle": b"not a version folder",
    }


def test_no_cache_is_made_outside_the_project_of_the_current_directory(app, tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    (here / ".git").mkdir()
    monkeypatch.chdir(here)
    expected = (1, check("--no-cache", str(app))[1], "")
    assert check(str(app)) == expected
    (here / "link").symlink_to(app / "backend")
    assert check("link")[0] == 1
    assert not (app / CACHE_DIR).exists() and not (app / "backend" / CACHE_DIR).exists()
    assert not (here / CACHE_DIR).exists()
    monkeypatch.chdir(app / "backend")  # inside the project: its root holds the cache
    assert check()[0] == 1
    assert (app / CACHE_DIR / "CACHEDIR.TAG").is_file()


def test_a_failure_of_the_environment_is_never_cached(app, monkeypatch):
    age(app)
    expected = check("--no-cache")
    real_parse = ast.parse

    def out_of_memory(data, filename="<unknown>", *args, **kwargs):
        if Path(filename).name == "product.py":
            raise MemoryError()
        return real_parse(data, filename, *args, **kwargs)

    monkeypatch.setattr(parsing, "ast", types.SimpleNamespace(parse=out_of_memory))
    code, out, _ = check()
    assert code == 2
    assert [(f["code"], f["path"], f["message"]) for f in json.loads(out) if f["code"] == "TNT000"] == [
        ("TNT000", PRODUCT.as_posix(), "cannot parse file: MemoryError")]
    assert not list((app / CACHE_DIR).glob("*/*.runs.json"))  # the run is not kept either
    monkeypatch.setattr(parsing, "ast", ast)
    assert check() == expected
    config = load_config(None, [app])
    assert engine.analyze([app], config).cache_hits == len(engine.analyze([app], config, use_cache=False).files)


def test_a_recursion_error_while_reading_facts_is_never_cached(app, monkeypatch):
    from tenantlint import facts

    expected = check("--no-cache")
    real = facts.collect

    def too_deep(tree, text, relative, lines=None):
        if relative == PRODUCT.as_posix():
            raise RecursionError("maximum recursion depth exceeded")
        return real(tree, text, relative, lines)

    monkeypatch.setattr(facts, "collect", too_deep)
    assert '"message": "file too deeply nested to analyse"' in check()[1]
    monkeypatch.setattr(facts, "collect", real)
    assert check() == expected


def test_same_size_new_content_and_restored_mtime_is_seen(app):
    age(app)
    source = app / PRODUCT
    first = check()
    assert list((app / CACHE_DIR).glob("*/*.runs.json"))  # the run was kept
    stat = os.stat(source)
    source.write_text(source.read_text().replace('"products"', '"produkts"', 1))  # same size
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as `touch -d` or `tar -x` restore it
    assert (os.stat(source).st_size, os.stat(source).st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    expected = check("--no-cache")
    assert expected != first
    assert check() == expected
    assert engine.analyze([app], load_config(None, [app])).findings == engine.analyze(
        [app], load_config(None, [app]), use_cache=False).findings


# -- the codec ----------------------------------------------------------------------------------

def test_every_fact_of_the_fixture_comes_back_equal():
    entries = [parsing.load(p, p.relative_to(FIXTURE).as_posix(), p.read_bytes()) for p in sorted(FIXTURE.rglob("*.py"))]
    entries.append(cache.CacheEntry(None, ("", "a", ""), "syntax error: x", 3, 4))
    entries.append(cache.CacheEntry(None, ("with\nnewline", "b"), None))
    entry_codec = cache._entry_codec()
    assert [entry_codec.decode(json.loads(json.dumps(entry_codec.encode(e)))) for e in entries] == entries


@dataclass(frozen=True)
class _Fact:
    line: int
    names: tuple[str, ...]


def test_the_shape_fingerprint_follows_the_fields():
    shape = fingerprint(codec(_Fact))

    @dataclass(frozen=True)
    class _Fact2:
        line: int
        names: tuple[str, ...]
        extra: str | None = None

    @dataclass(frozen=True)
    class _Fact3:
        line: str
        names: tuple[str, ...]

    _Fact2.__qualname__ = _Fact3.__qualname__ = "_Fact"
    assert len({shape, fingerprint(codec(_Fact2)), fingerprint(codec(_Fact3))}) == 3
    assert fingerprint(codec(_Fact)) == shape


@pytest.mark.parametrize("value", [None, [], [1], [1, ["a"], 3], ["1", ["a"]], [True, ["a"]], [1, [2]], [1, "a\nb", 5],
                                   {"line": 1, "names": []}, [1.5, []]])
def test_the_codec_refuses_every_other_shape(value):
    fact = codec(_Fact)
    with pytest.raises(ShapeError):
        fact.decode(value)
    assert fact.decode([1, "a\nb"]) == _Fact(1, ("a", "b"))
