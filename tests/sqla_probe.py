"""Run SQLAlchemy on a project written by a test: import its model modules, configure the
mappers, resolve every foreign key. What `check` being clean must imply."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_PROBE = r'''
import importlib, sys
import sqlalchemy as sa
from sqlalchemy.orm import configure_mappers
broken = []
for name in sys.argv[1:]:
    importlib.import_module(name)
try:
    configure_mappers()
except Exception as exc:
    broken.append(f"mappers: {type(exc).__name__}")
seen = set()
for module in list(sys.modules.values()):
    for value in list(vars(module).values()) if getattr(module, "__name__", "").startswith("app") else ():
        metadata = getattr(value, "metadata", None)
        if isinstance(value, sa.MetaData):
            metadata = value
        if isinstance(metadata, sa.MetaData) and id(metadata) not in seen:
            seen.add(id(metadata))
            for table in metadata.tables.values():
                for fk in table.foreign_keys:
                    try:
                        fk.column
                    except Exception as exc:
                        broken.append(f"{table.fullname}: {fk.target_fullname}: {type(exc).__name__}")
print("\n".join(sorted(broken)) or "ok")
'''


def sqlalchemy_says(root: Path, *modules: str) -> str:
    """"ok", or each failure on one line: a mapper configuration error, an unresolved foreign key."""
    done = subprocess.run([sys.executable, "-c", _PROBE, *modules], cwd=root, capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() if done.returncode == 0 else f"import failed: {done.stderr.strip().splitlines()[-1]}"
