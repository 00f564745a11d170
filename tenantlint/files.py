"""Which files a run reads: the paths given, the project around them, excludes and .gitignore."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tenantlint.config import Config

if TYPE_CHECKING:
    import pathspec

# Never walked into, like ruff's defaults; a file given by name is still read.
DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pytest_cache", ".ruff_cache",
    ".svn", ".tenantlint_cache", ".tox", ".venv", "venv", "__pycache__", "__pypackages__", "_build",
    "buck-out", "build", "dist", "node_modules", "site-packages",
)


def _spec(patterns) -> pathspec.GitIgnoreSpec:
    import pathspec  # ~15 ms: not loaded by a replayed run without .gitignore or excludes

    return pathspec.GitIgnoreSpec.from_lines(patterns)


@dataclass(frozen=True)
class Discovery:
    in_scope: list[Path]  # files to report on (absolute)
    context: list[Path]  # every other Python file of the project (absolute), read for names


class FileSelector:
    def __init__(self, config: Config):
        self.config = config
        self.root = config.root.resolve()
        self._root_prefix = os.path.join(os.fspath(self.root), "")
        self._relative: dict[Path, str] = {}

    @cached_property
    def exclude(self) -> pathspec.GitIgnoreSpec:
        return _spec(self.config.exclude)

    @cached_property
    def tenant(self) -> pathspec.GitIgnoreSpec:
        return _spec(self.config.tenant_paths)

    def relative(self, path: Path) -> str:
        """Posix path relative to the project root (or the path itself when outside it)."""
        found = self._relative.get(path)
        if found is None:
            text = os.fspath(path)
            if text.startswith(self._root_prefix) and ".." not in path.parts and not os.path.islink(text):
                # the walk's paths: under the resolved root, through real folders (it does not
                # follow symlinked ones); resolve() would stat every component again
                found = text[len(self._root_prefix) :].replace(os.sep, "/")
            else:
                try:
                    found = path.resolve().relative_to(self.root).as_posix()
                except ValueError:
                    found = Path(os.path.abspath(path)).as_posix().lstrip("/")
            self._relative[path] = found
        return found

    def is_tenant(self, path: Path) -> bool:
        return self.tenant.match_file(self.relative(path))

    def is_excluded(self, path: Path) -> bool:
        if not self.config.exclude:  # the common case: no need to resolve every path of the walk
            return False
        return self.exclude.match_file(self.relative(path))

    def _walk(self, folder: Path):
        """Python files under `folder`, skipping default excludes, config excludes and .gitignore."""
        ignores: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
        for parent in [folder, *folder.parents]:
            gitignore = parent / ".gitignore"
            if gitignore.is_file():
                ignores.append((parent, _gitignore(gitignore)))
            if parent == self.root or (parent / ".git").exists():
                break
        yield from self._walk_inner(folder, ignores)

    def _walk_inner(self, folder: Path, ignores):
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        local = folder / ".gitignore"
        if local.is_file() and all(base != folder for base, _ in ignores):
            ignores = ignores + [(folder, _gitignore(local))]
        for entry in entries:
            path = Path(entry.path)
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and entry.name in DEFAULT_EXCLUDES:
                continue
            if self._ignored(path, is_dir, ignores) or self.is_excluded(path):
                continue
            if is_dir:
                yield from self._walk_inner(path, ignores)
            elif entry.name.endswith(".py"):
                yield path

    @staticmethod
    def _ignored(path: Path, is_dir: bool, ignores) -> bool:
        for base, spec in ignores:
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(rel + ("/" if is_dir else "")):
                return True
        return False

    def discover(self, paths: list[Path]) -> Discovery:
        in_scope: dict[Path, None] = {}
        for given in paths:
            if given.is_dir():
                for found in self._walk(given.resolve()):
                    in_scope[found] = None
            elif not self.is_excluded(given):  # pre-commit passes every changed file by name
                in_scope[given.resolve() if not given.is_symlink() else Path(os.path.abspath(given))] = None
        context = [p for p in self._walk(self.root) if p not in in_scope] if self.root.is_dir() else []
        return Discovery(list(in_scope), context)


def _gitignore(path: Path) -> pathspec.GitIgnoreSpec:
    try:
        return _spec(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return _spec([])
