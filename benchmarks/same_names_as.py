"""Does ``exposure names --json`` print exactly what another version printed? (issue 16, "identical
output to today").

    .venv/bin/python benchmarks/same_names_as.py OTHER_PYTHON [DIR ...] [--workers 1 2]

OTHER_PYTHON is the interpreter of a venv where the other version is installed (for example
``git worktree add /work/perf-base a035247`` and a venv made there the README's way). DIR
defaults to ``../shared/fixtures/pcaps/names`` and ``../shared/fixtures/pcaps/tcpdump``. Each
version reads every capture in one process of its own, through its command line (``cli.main``),
and the standard output and exit code are compared capture by capture; this version runs once
per ``--workers`` value, so both the one-pass and the byte-range reading (forced on small files)
are checked. Messages on standard error (the wording changed on purpose) are counted apart.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SUFFIXES = (".pcap", ".pcapng", ".cap", ".gz", ".dmp")

# Run inside each version's interpreter: every capture through its own command line.
WORKER = r"""
import contextlib, io, json, sys
from exposure import cli
extra = json.loads(sys.argv[1])
if extra.get("split"):  # cut even small files into byte ranges (this version only)
    from exposure.collect.net import parallel
    parallel.MIN_PARALLEL_BYTES = 0
for path in sys.stdin.read().split("\n"):
    if not path:
        continue
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(["names", "--json", *extra.get("args", []), path])
        except SystemExit as stop:
            code = stop.code
    print(json.dumps([path, code, out.getvalue(), err.getvalue()]))
"""


def captures(folders: list[Path]) -> list[Path]:
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and (path.suffix in SUFFIXES or path.name.startswith("capture")):
                found.append(path)
    return found


def run(python: str, paths: list[Path], extra: dict[str, object]) -> dict[str, tuple[int, str, str]]:
    done = subprocess.run([python, "-c", WORKER, json.dumps(extra)], input="\n".join(map(str, paths)),
                          capture_output=True, text=True, check=True, cwd="/")
    result = {}
    for line in done.stdout.splitlines():
        path, code, out, err = json.loads(line)
        result[path] = (code, out, err)
    return result


def _changes(before: str, after: str) -> str:
    """What changed in a names JSON: per kind, the names only before (-) and only after (+)."""
    try:
        old, new = json.loads(before or "{}"), json.loads(after or "{}")
    except json.JSONDecodeError:
        return f"{before[:100]!r} -> {after[:100]!r}"
    said = []
    for kind in dict.fromkeys([*old, *new]):
        gone, came = sorted(set(old.get(kind, [])) - set(new.get(kind, []))), \
            sorted(set(new.get(kind, [])) - set(old.get(kind, [])))
        if gone or came:
            said.append(f"{kind}: -{gone[:6]} +{came[:6]}" + (" ..." if len(gone) > 6 or len(came) > 6 else ""))
    return "; ".join(said)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("other", help="the other version's python")
    parser.add_argument("folders", nargs="*", type=Path,
                        default=[SHARED / "fixtures" / "pcaps" / "names", SHARED / "fixtures" / "pcaps" / "tcpdump"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    paths = captures(args.folders)
    theirs = run(args.other, paths, {})
    same = True
    for workers in args.workers:
        extra: dict[str, object] = {"args": ["--workers", str(workers)], "split": workers > 1}
        ours = run(str(REPO / ".venv" / "bin" / "python"), paths, extra)
        differ = [p for p in theirs if theirs[p][:2] != ours[p][:2]]
        stderr_differ = sum(theirs[p][2] != ours[p][2] for p in theirs)
        named = sum(bool(code == 0 and any(json.loads(out).values())) for code, out, _ in ours.values())
        output_differ = [p for p in differ if theirs[p][1] != ours[p][1]]
        print(f"--workers {workers}: {len(paths)} captures ({named} with names), standard output and exit code "
              f"identical on {len(paths) - len(differ)}, different on {len(differ)} (standard output on "
              f"{len(output_differ)}, the exit code alone on {len(differ) - len(output_differ)}); standard error "
              f"differs on {stderr_differ}")
        codes = Counter((theirs[p][0], ours[p][0]) for p in differ if p not in output_differ)
        for (before, after), count in sorted(codes.items()):
            print(f"  exit code alone {before} -> {after}: {count}")
        for path in (output_differ + [p for p in differ if p not in output_differ])[:40]:
            change = _changes(theirs[path][1], ours[path][1])
            print(f"  {path}: exit code {theirs[path][0]} -> {ours[path][0]}; {change}")
        same = same and not differ
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
