"""Every edit kind, one module each (`edits/<kind>.py`, found by walking this package): how
LibCST applies it and what the AST must look like afterwards. `fixer` and `safety` are the
generic halves that ask these modules; to add a kind, add its EditKind and its module."""

from __future__ import annotations

import importlib
import pkgutil

from tenantlint.edits._kind import EditSpec, FixError, Settings, UnsafeFix
from tenantlint.findings import EditKind

__all__ = ["BY_AST_TYPE", "BY_LIBCST_TYPE", "SPECS", "EditSpec", "FixError", "Settings", "UnsafeFix"]


def _discover() -> dict[EditKind, EditSpec]:
    # sorted by module name: when two kinds are planned at one node, the first takes it and
    # the other is left over, which refuses the file whichever it is
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    specs: dict[EditKind, EditSpec] = {}
    for name in names:
        spec = importlib.import_module(f"{__name__}.{name}").SPEC
        if spec.kind in specs:
            raise ImportError(f"edit kind {spec.kind.name} is implemented twice")
        specs[spec.kind] = spec
    return specs


def _by_type(specs: dict[EditKind, EditSpec], attribute: str) -> dict[type, tuple[EditSpec, ...]]:
    found: dict[type, tuple[EditSpec, ...]] = {}
    for spec in specs.values():
        for node_type in getattr(spec, attribute):
            found[node_type] = (*found.get(node_type, ()), spec)
    return found


SPECS = _discover()
BY_LIBCST_TYPE = _by_type(SPECS, "libcst_types")  # the LibCST node types some kind changes
BY_AST_TYPE = _by_type(SPECS, "ast_types")  # the AST node types some kind's expectation checks
