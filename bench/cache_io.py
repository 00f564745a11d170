"""Time saving and loading the per-file cache of ~2,000 files: `python bench/cache_io.py`.

Half the entries are generated model files (bench/run.py's), half real code from installed
packages (their `lines` make most of the bytes). Load is reading the file and getting every
entry back, as a warm run over the whole project does; median of --runs.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench  # noqa: E402

from tenantlint import cache as cache_module  # noqa: E402
from tenantlint.config import Config  # noqa: E402
from tenantlint.parsing import load  # noqa: E402


def key_of(path: Path, data: bytes) -> str:
    file_key = getattr(cache_module, "file_key", None)
    return file_key(data, os.stat(path)) if file_key else cache_module.content_key(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.chdir(root)
        paths = bench.write_models(root, args.files // 2)
        sources = bench.site_packages_sources()
        for i, (src, rel) in enumerate(random.Random(5).sample(sources, args.files - len(paths))):
            dest = root / "vendor" / f"{i:04d}_{src.name}"
            dest.parent.mkdir(exist_ok=True)
            dest.write_bytes(src.read_bytes())
            paths.append(dest)
        config = Config(root=root)
        gc.disable()  # as `engine.analyze` runs
        items = []
        for path in paths:
            data = path.read_bytes()
            relative = path.relative_to(root).as_posix()
            items.append((relative, key_of(path, data), load(path, relative, data)))
        saves, loads = [], []
        for _ in range(args.runs):
            for stale in root.glob(f"{cache_module.CACHE_DIR}/*/*"):
                stale.unlink()
            cache = cache_module.Cache(config)
            for relative, key, entry in items:
                cache.put(relative, key, entry)
            started = time.perf_counter()
            cache.save()
            saves.append(time.perf_counter() - started)
            started = time.perf_counter()
            cache = cache_module.Cache(config)
            found = [cache.get(relative, key) for relative, key, _ in items]
            loads.append(time.perf_counter() - started)
            assert found == [entry for _, _, entry in items], "the cache gave back other entries"
        (cache_file,) = root.glob(f"{cache_module.CACHE_DIR}/*/*")
        print(f"{len(items)} entries, {cache_file.stat().st_size / 1e6:.1f} MB ({cache_file.name}): "
              f"save {statistics.median(saves) * 1000:.0f} ms, load {statistics.median(loads) * 1000:.0f} ms "
              f"(median of {args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
