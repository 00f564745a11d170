"""Per-file syntax facts, read with the stdlib `ast` (13x faster to parse than LibCST).

Detection needs only these facts; LibCST is loaded only by `fix`, for the files it edits.
Facts are plain frozen data (`facts.types`): they can be cached and built in worker processes.
Each concern reads its part: `imports` (module-level names), `classes` (models and their
`__table_args__`, classified by `table_args`), `calls` (references, tables, type objects),
`raw_sql` (text SQL, Alembic ops) and `auto_names` (convention-named indexes, `MetaData`);
`vocabulary` holds the words that decide which files and statements are read at all;
`module_facts.collect` walks a module once and feeds them.

The names below load their module when first asked for (PEP 562): a run the run cache replays
imports none of it (importing every collector and type was a tenth of such a run).
"""

from __future__ import annotations

import importlib

# name -> the module of this package that defines it
_EXPORTS = {
    "collect": "module_facts",
    **dict.fromkeys(("char_column", "module_name", "source_encoding", "split_lines"), "source"),
    **dict.fromkeys(("CONSTANT_OF", "TABLE_OF", "AutoNamed", "ClassInfo", "Constant", "Helper", "HelperCall",
                     "ModuleFacts", "RefKind", "StringRef", "TableCall", "TypeObjectCall"), "types"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:  # a submodule, `from tenantlint.facts import calls`, is then imported as usual
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
