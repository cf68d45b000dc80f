"""Agreement of ``exposure names`` with ``../shared/tools/tshark-names`` on many captures.

    .venv/bin/python benchmarks/compare_names.py DIR [DIR ...] [--cache /tmp/tshark-names-cache]
                                                 [--jobs 2] [--show 40]

For every capture under the folders (``*.pcap``, ``*.pcapng``, ``*.cap``, ``*.gz`` and
``capture*`` files) it runs tshark-names once (its JSON is cached by the file's SHA-256, so a
second run only re-runs exposure) and exposure's extractor in-process, and compares the four
keys tshark-names prints (``dns``, ``tls_sni``, ``quic_sni``, ``http_host``). exposure's own
extra kinds (``nbns``, ``llmnr``) are not compared: tshark-names leaves them out.

Prints the captures that differ with the names only one side found, then
``compared N, agree M (P %)``. The evidence for docs/tshark-differences.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TOOL = REPO.parent / "shared" / "tools" / "tshark-names"
KEYS = ("dns", "tls_sni", "quic_sni", "http_host")
SUFFIXES = (".pcap", ".pcapng", ".cap", ".gz", ".dmp")


def captures(folders: list[Path]) -> list[Path]:
    found = []
    for folder in folders:
        if folder.is_file():
            found.append(folder)
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and (path.suffix in SUFFIXES or path.name.startswith("capture")):
                found.append(path)
    return found


def tshark(path: Path, cache: Path) -> dict[str, list[str]] | None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cached = cache / f"{digest}.json"
    if cached.exists():
        return json.loads(cached.read_text()) or None
    try:
        run = subprocess.run([str(TOOL), str(path)], capture_output=True, text=True, timeout=120)
        result = json.loads(run.stdout) if run.stdout.strip() else {}
    except (subprocess.TimeoutExpired, json.JSONDecodeError):
        result = {}
    cached.write_text(json.dumps(result))
    return result or None


def ours(path: Path) -> dict[str, list[str]] | None:
    from exposure.collect.base import CollectorError
    from exposure.commands.names import names_of

    try:
        return names_of(str(path)).as_json()
    except CollectorError:
        return None


def compare(args: tuple[Path, Path]) -> tuple[str, dict[str, tuple[list[str], list[str]]] | None]:
    path, cache = args
    theirs = tshark(path, cache)
    mine = ours(path)
    if theirs is None or mine is None:
        return str(path), None
    diff = {}
    for key in KEYS:
        a, b = set(theirs.get(key, [])), set(mine.get(key, []))
        if a != b:
            diff[key] = (sorted(a - b), sorted(b - a))
    return str(path), diff


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/tshark-names-cache"))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--show", type=int, default=40, help="names shown per side and kind")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    paths = captures(args.folders)
    compared = agree = 0
    with ProcessPoolExecutor(args.jobs) as pool:
        for name, diff in pool.map(compare, [(p, args.cache) for p in paths], chunksize=4):
            if diff is None:
                continue
            compared += 1
            if not diff:
                agree += 1
                continue
            print(name)
            for key, (only_t, only_e) in diff.items():
                print(f"  {key}: only tshark {only_t[:args.show]}, only exposure {only_e[:args.show]}")
    share = 100 * agree / compared if compared else 0.0
    print(f"compared {compared}, agree {agree} ({share:.2f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
