"""`[tool.tenantlint]` in pyproject.toml: discovery, validation and the resolved settings."""

from __future__ import annotations

import os
import re
import stat
import tomllib
import unicodedata
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePath, PureWindowsPath

DEFAULT_COMMIT_MESSAGE = "feat(models): add tenant schema to {file} ({models})"
DEFAULT_QUALIFY_MESSAGE = "feat(models): qualify references to {tables} in {file}"
DEFAULT_MAX_FILE_SIZE = 10_000_000  # bytes; no hand-written model file comes near it


class ConfigError(Exception):
    """A bad config file, key or value; the CLI turns it into exit 2."""


@dataclass(frozen=True)
class Config:
    root: Path  # the project root: globs and reported paths are relative to it
    source: Path | None = None  # the file the settings came from, if any
    tenant_paths: tuple[str, ...] = ("**/models/user/**",)
    # migration scripts: read by the rules that check migrations (TNT011, TNT009), never by the
    # model rules, never fixed (a migration records what was; rewriting it changes history)
    migrations: tuple[str, ...] = ("**/alembic/versions/**", "**/migrations/versions/**")
    sql_dialect: str = "postgres"  # how TNT009 parses raw SQL (a sqlglot dialect name)
    schema: str = "tenant"
    comment: str = "Placeholder for schema_translate_map"
    base_classes: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()  # empty: every rule
    ignore: tuple[str, ...] = ()
    commit_message: str = DEFAULT_COMMIT_MESSAGE
    qualify_message: str = DEFAULT_QUALIFY_MESSAGE  # a commit that only qualifies references
    baseline: str | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # a larger file is TNT000, never read whole
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def selects(self, code: str) -> bool:
        """Whether a rule code is reported under `select` / `ignore` (codes or prefixes)."""
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        return not any(code.startswith(i) for i in self.ignore)

    @property
    def comment_text(self) -> str:
        return "# " + self.comment.lstrip("# ")


# TOML key -> (dataclass field, expected type description, validator)
def _str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _positive_int(value: object) -> bool:
    return type(value) is int and value > 0  # not a bool


_KEYS = {
    "tenant-paths": ("tenant_paths", "a list of glob strings", _str_list),
    "migrations": ("migrations", "a list of glob strings", _str_list),
    "sql-dialect": ("sql_dialect", "a non-empty string", _nonempty_str),
    "schema": ("schema", "a non-empty string", _nonempty_str),
    "comment": ("comment", "a non-empty string", _nonempty_str),
    "base-classes": ("base_classes", "a list of qualified names", _str_list),
    "exclude": ("exclude", "a list of glob strings", _str_list),
    "select": ("select", "a list of rule codes", _str_list),
    "ignore": ("ignore", "a list of rule codes", _str_list),
    "commit-message": ("commit_message", "a non-empty string", _nonempty_str),
    "qualify-message": ("qualify_message", "a non-empty string", _nonempty_str),
    "baseline": ("baseline", "a file path string", _nonempty_str),
    "max-file-size": ("max_file_size", "a positive integer (bytes)", _positive_int),
}


def _display(path: Path) -> str:
    """Relative to the current directory, as findings and the baseline are shown."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _read_toml(path: Path) -> dict:
    """The parsed file. One that cannot be read or parsed is an error naming it, with the line
    and column when tomllib knows them: defaults in its place would drop `exclude` silently."""
    name = _display(path)
    try:
        # O_NONBLOCK: a FIFO named pyproject.toml is refused, not waited on
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise ConfigError(f"cannot read config file {name}: not a regular file")
            data = f.read()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {name}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _end_of(data[: exc.start].decode("utf-8"))
        raise ConfigError(f"{name}:{line}:{column}: invalid TOML: not UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason, line, column = _located(str(exc), text)
        raise ConfigError(f"{name}:{line}:{column}: invalid TOML: {reason}") from None
    except RecursionError:
        raise ConfigError(f"{name}: invalid TOML: arrays or tables nested too deeply") from None
    except ValueError:  # int() refuses more digits than sys.get_int_max_str_digits()
        raise ConfigError(f"{name}: invalid TOML: an integer has too many digits") from None


def _end_of(text: str) -> tuple[int, int]:
    """The 1-based line and column just after `text`."""
    return text.count("\n") + 1, len(text.rpartition("\n")[2]) + 1


def _located(message: str, text: str) -> tuple[str, int, int]:
    """tomllib's message without its "(at line L, column C)" tail, and L and C."""
    at = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message, re.DOTALL)
    if at:
        return at.group(1), int(at.group(2)), int(at.group(3))
    reason = message.removesuffix(" (at end of document)")
    return (reason, *_end_of(text))


def _tenantlint_table(data: dict, name: str) -> object | None:
    """`[tool.tenantlint]` of a parsed file, None when it has none."""
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"config key `tool` must be a table, got {tool!r} (in {name})")
    return tool.get("tenantlint")


def _discover(start: Path) -> tuple[Path, object] | None:
    """The nearest pyproject.toml with a [tool.tenantlint] table, from `start` upwards (like
    ruff), and that table. Every pyproject.toml on the way is parsed: a broken one is an error."""
    start = Path(os.path.realpath(start))  # unlike Path.resolve, never raises on a symlink loop
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        candidate = folder / "pyproject.toml"
        if not os.path.lexists(candidate):
            continue
        table = _tenantlint_table(_read_toml(candidate), _display(candidate))
        if table is not None:
            return candidate, table
    return None


def find_project_root(start: Path) -> Path:
    """Without a config file: the nearest folder holding .git or pyproject.toml, else `start`."""
    start = Path(os.path.realpath(start))  # unlike Path.resolve, never raises on a symlink loop
    folder = start if start.is_dir() else start.parent
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists() or (candidate / "pyproject.toml").is_file():
            return candidate
    return folder


def parse_table(table: object, root: Path, source: Path | None) -> Config:
    """Validate the raw `[tool.tenantlint]` table; every problem names its key."""
    where = f" (in {_display(source)})" if source else ""
    if not isinstance(table, dict):
        raise ConfigError(f"config key `tool.tenantlint` must be a table, got {table!r}{where}")
    values: dict = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"unknown config key `{key}`{where}; known keys: {known}")
        attr, expected, valid = _KEYS[key]
        if not valid(value):
            raise ConfigError(f"config key `{key}` must be {expected}, got {value!r}{where}")
        values[attr] = tuple(value) if isinstance(value, list) else value
    for key in ("select", "ignore"):
        for code in values.get(key, ()):
            if not _is_rule_code(code):
                raise ConfigError(f"config key `{key}` has an unknown rule code {code!r}{where}")
    _check_values(values, where)
    return Config(root=root, source=source, **values)


def _check_values(values: dict, where: str) -> None:
    """What a type check cannot see: each problem names its key (and the file, in `where`)."""
    if values.get("tenant_paths") == ():
        raise ConfigError(f"config key `tenant-paths` is empty: no model would be checked{where}")
    for key, attr in (("tenant-paths", "tenant_paths"), ("exclude", "exclude"), ("migrations", "migrations")):
        for pattern in values.get(attr, ()):
            problem = _glob_problem(pattern)
            if problem is not None:
                raise ConfigError(f"config key `{key}` has an invalid glob {pattern!r}: {problem}{where}")
    for key, attr in (("comment", "comment"), ("baseline", "baseline")):
        # a newline in the comment would end it and turn the rest into code; in a path it forges output lines
        if attr in values and any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in values[attr]):
            raise ConfigError(f"config key `{key}` must be a single line without control characters, got {values[attr]!r}{where}")
    for key, attr in (("commit-message", "commit_message"), ("qualify-message", "qualify_message")):
        if attr in values:
            from tenantlint.release_note import template_problem

            problem = template_problem(values[attr], key)
            if problem is not None:
                raise ConfigError(f"config key `{key}` {problem}{where}")
    if "baseline" in values:
        path = PurePath(values["baseline"])
        if path.is_absolute() or PureWindowsPath(values["baseline"]).is_absolute() or ".." in path.parts:
            raise ConfigError(
                f"config key `baseline` must be a path inside the project root (relative, without `..`), "
                f"got {values['baseline']!r}{where}"
            )


# Globs of only these characters are never refused by pathspec (brackets, backslashes and a
# leading "!" are what it can refuse): the usual config skips its ~15 ms import on a warm run.
_PLAIN_GLOB = re.compile(r"[A-Za-z0-9_./*?-]+")


def _glob_problem(pattern: str) -> str | None:
    """Why pathspec refuses a glob (compiled here so a bad one fails the load, not the walk)."""
    if _PLAIN_GLOB.fullmatch(pattern):
        return None
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except re.error as exc:
        return exc.msg  # without the position in the translated regex, which the user never wrote
    except ValueError:  # pathspec's GitIgnorePatternError: a trailing backslash, a lone "!"
        return "not a gitignore-style pattern"
    return None


def _is_rule_code(code: str) -> bool:
    from tenantlint.rules import is_known_selector

    return is_known_selector(code)


def load_config(config_file: Path | None, paths: list[Path]) -> Config:
    """Settings from `--config FILE`, else the nearest pyproject.toml, else the defaults."""
    if config_file is not None:
        data = _read_toml(config_file)
        table = _tenantlint_table(data, _display(config_file))
        if table is None:
            table = data.get("tenantlint", {})
        return parse_table(table, config_file.resolve().parent, config_file)
    start = paths[0] if paths else Path.cwd()
    found = _discover(start)
    if found is None:
        return Config(root=find_project_root(start))
    return parse_table(found[1], found[0].parent, found[0])


def config_fingerprint(config: Config) -> str:
    """What the cache keys on: every setting that can change a finding."""
    parts = [f"{f.name}={getattr(config, f.name)!r}" for f in fields(config) if f.name not in ("source", "extra")]
    return "|".join(parts)
