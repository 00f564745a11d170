"""`tenantlint verify`: import the models, check them with SQLAlchemy itself, then probe a database.

The package, one concern per module: `collect` (import the user's modules, find every table),
`checks` (the runtime rules TNT101-TNT107 run on them; each rule's logic is in its own module),
`known` (the baseline, and which static finding `fix` fixes for each),
`probe` (setup / create / isolate / drop), `url` (`--database-url`), `run` (the whole run) and
`results` (the data they pass). SQLAlchemy is imported lazily, so `check` and `fix` never need it;
importing this package is cheap (the runtime rule modules import `results`).
"""

from __future__ import annotations

from tenantlint.verify.results import (  # noqa: F401 - the package's names
    PROBE_TENANTS, Origin, ProbeFacts, TableInfo, VerifyError, VerifyResult,
)

_LAZY = {"verify": "run", "describe": "run", "import_modules": "collect",
         "database_url_parts": "url", "masked": "url"}


def __getattr__(name: str):
    # `verify`, `describe` and the steps import the engine: only when a run needs them (PEP 562)
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
